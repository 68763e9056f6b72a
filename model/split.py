"""Split raw text into paragraphs, keeping each paragraph's index and character offsets.

Two shapes of input meet here. Text copied from web pages puts one paragraph,
headline or caption per line and uses blank lines irregularly; text from
e-mail, PDFs or wire feeds is hard-wrapped inside blank-line-separated
paragraphs. In `auto` mode blank lines always separate, and inside a block
each line is its own paragraph unless it looks like a hard wrap: the line does
not end a sentence and the next line starts in lower case; the line ends in a
letter and a hyphen; or the text is hard-wrapped at a width, the next line's
first word would not have fitted on the line (the rule a greedy wrapper such
as `textwrap` or an e-mail client breaks by), and the block reads as
wrapped prose: its last line ends a sentence or is short, or it has a break
of the first two kinds (a block of headlines or list items that all end near
the width often has none of these). A text counts as hard-wrapped when it separates its
blocks with blank lines and nearly every line that another line follows in
its block breaks where a wrapper at one width would have; the width is read
from the first PROBE_LINES non-blank lines, so a few lines, web copy with one
paragraph per line, menus and lists do not qualify. Lines ending in a letter
and a hyphen are joined to the next without a space, so a compound split at
its hyphen (`long-` / `standing`) comes back whole.

The splitter works on an iterable of lines so a large file is never held in
memory at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain
from typing import Iterable, Iterator

MODES = ("auto", "lines", "blank")

PROBE_LINES = 200  # non-blank lines read ahead to decide whether a text is hard-wrapped
_PROBE_LIMIT = 1000  # lines of any kind read ahead (to probe, or to judge one block), so memory stays bounded
_MIN_WRAP_WIDTH = 40  # narrower "wraps" are menus, lists and short fields, not wrapped prose
_WRAPPED_SHARE = 0.8  # share of the followed lines that must break where a wrapper at the width would
_MIN_WRAPPED_LINES = 4  # followed lines needed to call a text wrapped (3 let three headlines of similar length pass, in scripts/split_check.py)
_MIN_COLUMNS = 2  # distinct columns they must end at: lines of one length are a list or a table
_SHORT_LAST_LINE = 2 / 3  # a block whose last line ends before this share of the width ends like a wrapped paragraph

# A sentence ends in . ! ? or an ellipsis, possibly followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_SPACE = re.compile(r"\s+")
_HYPHEN_END = re.compile(r"[^\W\d_]-$")  # a letter, then a hyphen


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str  # whitespace-normalised; a line ending in a letter and a hyphen is joined without a space
    start: int  # offset of the first character in the source
    end: int  # offset just past the last character


@dataclass
class _Line:
    text: str  # stripped
    start: int
    end: int
    width: int  # the column after its last character (leading indentation counts)


def _lines_with_offsets(lines: Iterable[str]) -> Iterator[_Line | None]:
    """Yield stripped lines with offsets; None stands for a blank line."""
    offset = 0
    for raw in lines:
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            yield _Line(stripped, offset + lead, offset + lead + len(stripped), lead + len(stripped))
        else:
            yield None
        offset += len(raw)


def _continues(previous: _Line, following: _Line) -> bool:
    """True when `following` is the hard-wrapped continuation of `previous`.

    A line that does not end a sentence, before one starting in lower case; or
    a line ending in a letter and a hyphen (`US-` / `Japan`), which no
    paragraph does.
    """
    if _HYPHEN_END.search(previous.text):
        return True
    return not _SENTENCE_END.search(previous.text) and following.text[0].islower()


def _fit_range(previous: _Line, following: _Line) -> tuple[int, int]:
    """The widths a greedy wrapper could have broken at before `following`.

    At width W a wrapper such as `textwrap` ends a line when the next word
    would not fit: the line's width is at most W and the width plus a space
    plus the next line's first word is more than W.
    """
    first_word = following.text.split(maxsplit=1)[0]
    return previous.width, previous.width + len(first_word)


def _wrapped_at(previous: _Line, following: _Line, width: int) -> bool:
    """True when a greedy wrapper at `width` would have broken the line before `following`."""
    low, high = _fit_range(previous, following)
    return low <= width <= high


def _wrap_width(lines: list[_Line | None]) -> int | None:
    """The width a text is hard-wrapped at, or None when it does not look hard-wrapped.

    Only lines followed by another line of the same block count. The width is
    the one at which most of them are where a greedy wrapper would have broken
    (the widest such width); the text counts as wrapped when that holds for
    nearly all of them, they end at several different columns (lines of one
    length are a list or a table), and the text uses blank lines between
    blocks (a text without them is one paragraph per line, or unknowable). A
    few other lines (a headline on top of a paragraph, web copy after the
    wrapped part) are allowed; the rule then leaves them apart.
    """
    ranges = [_fit_range(a, b) for a, b in zip(lines, lines[1:]) if a is not None and b is not None]
    blank_inside = any(line is None for line in lines[1:-1]) and sum(line is not None for line in lines) > 1
    if len(ranges) < _MIN_WRAPPED_LINES or not blank_inside:
        return None
    fits, width = max((sum(low <= w <= high for low, high in ranges), w) for w in {high for _, high in ranges})
    columns = {low for low, high in ranges if low <= width <= high}
    if width < _MIN_WRAP_WIDTH or fits < _WRAPPED_SHARE * len(ranges) or len(columns) < _MIN_COLUMNS:
        return None
    return width


def _joins(mode: str, previous: _Line, following: _Line, width: int | None) -> bool:
    if mode == "blank":
        return True
    if mode == "lines":
        return False
    return _continues(previous, following) or (width is not None and _wrapped_at(previous, following, width))


def _probe(stream: Iterator[_Line | None]) -> list[_Line | None]:
    """The first lines of `stream`, up to PROBE_LINES non-blank ones (and _PROBE_LIMIT in all)."""
    head: list[_Line | None] = []
    non_blank = 0
    for line in stream:
        head.append(line)
        non_blank += line is not None
        if non_blank >= PROBE_LINES or len(head) >= _PROBE_LIMIT:
            break
    return head


def _blocks(stream: Iterator[_Line | None]) -> Iterator[list[_Line | None]]:
    """The stream cut after each blank line (kept, as None, at the end of its block) and every _PROBE_LIMIT lines."""
    block: list[_Line | None] = []
    for line in stream:
        block.append(line)
        if line is None or len(block) >= _PROBE_LIMIT:  # the cap only bounds memory: no paragraph ends there
            yield block
            block = []
    if block:
        yield block


def _line_widths(stream: Iterator[_Line | None], width: int | None) -> Iterator[tuple[_Line | None, int | None]]:
    """Each line with the wrap width that applies to it, None where the width rule is off.

    In a hard-wrapped text the rule applies inside a block only when the
    block reads as wrapped prose: its last line ends a sentence or is short
    (under two thirds of the width), or one of its lines flows into the next
    (a lower-case start after an unfinished sentence, or a hyphen). A wrapped
    paragraph nearly always does; a block of headlines or list items that
    all end near the width often does not.
    """
    if width is None:
        for line in stream:
            yield line, None
        return
    for block in _blocks(stream):
        text_lines = [line for line in block if line is not None]
        prose = bool(text_lines) and (
            bool(_SENTENCE_END.search(text_lines[-1].text))
            or text_lines[-1].width < _SHORT_LAST_LINE * width
            or any(_continues(a, b) for a, b in zip(text_lines, text_lines[1:]))
        )
        for line in block:
            yield line, width if prose else None


def iter_paragraphs(lines: Iterable[str], mode: str = "auto") -> Iterator[Paragraph]:
    """Paragraphs from an iterable of lines (as read from a text file, newlines kept)."""
    if mode not in MODES:
        raise ValueError(f"unknown split mode {mode!r}; choose one of {', '.join(MODES)}")
    stream = _lines_with_offsets(lines)
    width = None
    if mode == "auto":
        head = _probe(stream)
        width = _wrap_width(head)
        stream = chain(head, stream)
    index = 0
    current: list[_Line] = []
    for line, line_width in _line_widths(stream, width):
        if current and (line is None or not _joins(mode, current[-1], line, line_width)):
            yield _make(index, current)
            index += 1
            current = []
        if line is not None:
            current.append(line)
    if current:
        yield _make(index, current)


def split_paragraphs(text: str, mode: str = "auto") -> list[Paragraph]:
    """All paragraphs of a string."""
    return list(iter_paragraphs(text.splitlines(keepends=True), mode))


def _make(index: int, lines: list[_Line]) -> Paragraph:
    parts = [lines[0].text]
    for previous, line in zip(lines, lines[1:]):
        joint = "" if _HYPHEN_END.search(previous.text) and line.text[0].isalpha() else " "
        parts.append(joint + line.text)
    text = _SPACE.sub(" ", "".join(parts))
    return Paragraph(index=index, text=text, start=lines[0].start, end=lines[-1].end)
