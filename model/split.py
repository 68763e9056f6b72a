"""Split raw text into paragraphs, keeping each paragraph's index and character offsets.

Three shapes of input meet here. Text copied from web pages puts one
paragraph, headline or caption per line and uses blank lines irregularly;
text from e-mail or wire feeds is hard-wrapped at a fixed width, usually
inside blank-line-separated paragraphs; text copied from a PDF flows: its
lines break wherever a proportional font filled them, often with no blank
lines between paragraphs. In `auto` mode blank lines always separate, and
inside a block each line is its own paragraph unless it looks like a wrap.

Two line-end rules hold everywhere: a line that does not end a sentence joins
a next line starting in lower case, and a line ending in a letter and a
hyphen joins the next without a space, so a compound split at its hyphen
(`long-` / `standing`) comes back whole. The width rules depend on the
layout read from the first PROBE_LINES non-blank lines, in blocks that read
as wrapped prose:

- hard-wrapped (blank lines between blocks, and nearly every line that
  another line follows breaks where a greedy wrapper such as `textwrap`
  would at one width): a line joins the next when the next line's first
  word would not have fitted on it, or, in a block with a line-end join,
  when it is full as below;
- flowing (many lines break mid-sentence before a lower-case word or at a
  hyphen, and most end near one width, the measure): a line joins the next
  when it is full, four fifths to five quarters of the measure, or under
  five quarters without room for the next word; a full line that ends a
  sentence joins only when blank lines mark the paragraph's end or it nearly
  reaches the measure. A full line never joins a next line that starts a
  list item or a speaker's turn, or is indented further (unless it hangs
  under a list item's text);
- a few flowing lines (one block of three to six lines, too few to show a
  measure): when one break continues a sentence, every followed line is
  full against the widest of them and the last line ends like a
  paragraph's, full lines join as in flowing text, except a paragraph's
  first line (it may be a headline), one ending a sentence, and one before
  a hyphen (a list item).

Web copy with one paragraph per line, menus and most headlines and lists
are none of these.

The splitter works on an iterable of lines so a large file is never held in
memory at once: at most the probe, or one block of up to _PROBE_LIMIT lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import chain
from typing import Iterable, Iterator

MODES = ("auto", "lines", "blank")

PROBE_LINES = 200  # non-blank lines read ahead to decide how a text was broken into lines
_PROBE_LIMIT = 1000  # lines of any kind read ahead (to probe, or to judge one block), so memory stays bounded
_MIN_WRAP_WIDTH = 40  # narrower "wraps" are menus, lists and short fields, not wrapped prose
_WRAPPED_SHARE = 0.8  # share of the followed lines that must break where a wrapper at the width would
# followed lines needed to call a text wrapped (3 let three headlines of similar length pass, in scripts/split_check.py)
_MIN_WRAPPED_LINES = 4
_MIN_COLUMNS = 2  # distinct columns they must end at: lines of one length are a list or a table
_SHORT_LAST_LINE = 2 / 3  # a block whose last line ends before this share of the width ends like a wrapped paragraph
# Text whose lines flow at no fixed width: copied from a PDF or a page in a proportional font, or wrapped with no blank lines.
_FLOW_MIN_LINES = 6  # followed lines needed to call a text flowing
_FLOW_CONTINUING = 0.3  # share of them that must join by a line-end rule (headlines and web copy rarely do)
_FLOW_QUANTILE = 0.8  # the measure, the width of a full line, is this quantile of the followed lines' widths
_FLOW_FULL = (0.8, 1.25)  # a line this share of the measure is full: a wrapper broke it, not the writer
_FLOW_FULL_SHARE = 0.6  # share of the followed lines that must be full
_FLOW_FULL_SENTENCE = 0.95  # without blank lines, a full line ending a sentence must reach this share to be joined
# A text too short to show a measure (one block, under _FLOW_MIN_LINES followed lines) flows when one of its breaks
# continues a sentence and every followed line is full against the widest, at most this wide (wider: one paragraph a line).
_SHORT_MAX_MEASURE = 120

# A sentence ends in . ! ? or an ellipsis, possibly followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_SPACE = re.compile(r"\s+")
_HYPHEN_END = re.compile(r"[^\W\d_]-$")  # a letter, then a hyphen
_HYPHEN_ITEM = re.compile(r"-\s")  # in a few lines, where a dash rarely falls at a break, a hyphen starts a list item
# A line that starts a list item or a speaker's turn: a bullet, a number or letter with a dot or bracket, or up to
# three capitalised words and a colon ("Q:", "MR. KIM:"). Full lines of flowing text do not join such a line.
# (Dashes are left out: in wrapped prose a line often starts with one, as in "... in decades" / "- a judgement ...".)
_ITEM_START = re.compile(r"(?:[\u2022\u25aa\u25e6\u25cf\u25cb\u25a0\u25a1\u2023\u2043\u00b7*]|\(?(?:\d{1,2}|[A-Za-z])[.)])\s"
                         r"|(?:[A-Z][\w.'\u2019-]*\s?){1,3}:\s")


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
    if len(ranges) < _MIN_WRAPPED_LINES or not _blank_separated(lines):
        return None
    fits, width = max((sum(low <= w <= high for low, high in ranges), w) for w in {high for _, high in ranges})
    columns = {low for low, high in ranges if low <= width <= high}
    if width < _MIN_WRAP_WIDTH or fits < _WRAPPED_SHARE * len(ranges) or len(columns) < _MIN_COLUMNS:
        return None
    return width


@dataclass(frozen=True)
class _Layout:
    """How a text's lines were broken, as read from its first lines."""

    wrap: int | None = None  # hard-wrapped by a greedy wrapper at this many columns
    measure: int | None = None  # flowing: lines filled to about this many columns (in a hard-wrapped text, its flowing blocks)
    blank_separated: bool = False  # blank lines between blocks; in one block's layout, they mark its paragraph's end
    short: bool = False  # flowing, read from too few lines to trust: a first line or a sentence's end is not joined by width


def _layout(lines: list[_Line | None]) -> _Layout | None:
    """The text's layout, or None when only the line-end rules can tell a wrap."""
    blank_separated = _blank_separated(lines)
    wrap = _wrap_width(lines)
    if wrap is not None:
        return _Layout(wrap=wrap, blank_separated=blank_separated)
    measure = _flow_measure(lines)
    if measure is not None:
        return _Layout(measure=measure, blank_separated=blank_separated)
    measure = _short_flow_measure(lines)
    return None if measure is None else _Layout(measure=measure, short=True)


def _blank_separated(lines: list[_Line | None]) -> bool:
    return any(line is None for line in lines[1:-1]) and sum(line is not None for line in lines) > 1


def _flow_measure(lines: list[_Line | None]) -> int | None:
    """The width of a full line in text that flows without a fixed wrap width, or None when the text does not flow.

    Text copied from a PDF or a web page in a proportional font, or wrapped
    with no blank lines between paragraphs, breaks its lines where they fill,
    at a number of characters that varies, so no greedy wrapper's width fits
    it. It still shows that it was wrapped: many of its lines break
    mid-sentence before a lower-case word, and most end near one width. Web
    copy, headlines and lists do neither.
    """
    pairs = [(a, b) for a, b in zip(lines, lines[1:]) if a is not None and b is not None]
    if len(pairs) < _FLOW_MIN_LINES or sum(_continues(a, b) for a, b in pairs) < _FLOW_CONTINUING * len(pairs):
        return None
    widths = sorted(a.width for a, _ in pairs)
    measure = widths[int(_FLOW_QUANTILE * (len(widths) - 1))]
    full = sum(_FLOW_FULL[0] * measure <= width <= _FLOW_FULL[1] * measure for width in widths)
    if measure < _MIN_WRAP_WIDTH or full < _FLOW_FULL_SHARE * len(widths):
        return None
    return measure


def _short_flow_measure(lines: list[_Line | None]) -> int | None:
    """The measure of a text of a few flowing lines (a paragraph pasted from a PDF), or None.

    Such a text is one block with too few lines for `_flow_measure`. It
    counts as flowing when one of its breaks continues a sentence, every
    line that another follows is full against the widest of them, which must
    be 40 to 120 columns, and its last line ends a sentence or is short, as a
    paragraph's does. A headline over a byline, a list of headlines, or
    paragraphs of web copy one to a line seldom meet all three.
    """
    filled = [i for i, line in enumerate(lines) if line is not None]
    if not filled or None in lines[filled[0] : filled[-1]]:
        return None  # empty, or more than one block
    text_lines = [lines[i] for i in filled]
    pairs = list(zip(text_lines, text_lines[1:]))
    if not pairs or len(pairs) >= _FLOW_MIN_LINES or not any(_continues(a, b) for a, b in pairs):
        return None
    measure = max(a.width for a, _ in pairs)
    if not _MIN_WRAP_WIDTH <= measure <= _SHORT_MAX_MEASURE or any(a.width < _FLOW_FULL[0] * measure for a, _ in pairs):
        return None
    last = text_lines[-1]
    if not _SENTENCE_END.search(last.text) and last.width >= _FLOW_FULL[0] * measure:
        return None  # a paragraph ends with a sentence or a short line; a list of headlines need not
    return measure


def _fills(previous: _Line, following: _Line, layout: _Layout) -> bool:
    """True when `previous` is a full line of flowing text: a wrapper broke it, so `following` continues it.

    A line is full when it reaches four fifths of the measure, or when the
    next word would not have fitted after it, and is not over five quarters
    of the measure (a whole paragraph on one line). A full line that ends a
    sentence is joined only when blank lines mark the paragraph's end, or when
    it nearly reaches the measure: a paragraph's last line is seldom that
    full, while a sentence often ends at a wrap.
    """
    measure = layout.measure
    width, with_next_word = _fit_range(previous, following)
    if width > _FLOW_FULL[1] * measure:
        return False
    if width < _FLOW_FULL[0] * measure and with_next_word < measure:  # the next word and its space would have fitted
        return False
    ends_sentence = bool(_SENTENCE_END.search(previous.text))
    return not ends_sentence or layout.blank_separated or previous.width >= _FLOW_FULL_SENTENCE * measure


def _starts_apart(first: _Line, previous: _Line, following: _Line) -> bool:
    """True when `following` starts something new whatever the widths say: a list item, a speaker's turn, an indent.

    A line indented further than the one before starts a paragraph, unless
    the paragraph is a list item whose wrapped lines hang under its text.
    """
    if _ITEM_START.match(following.text):
        return True
    return _indent(following) > _indent(previous) and not _ITEM_START.match(first.text)


def _indent(line: _Line) -> int:
    return line.width - len(line.text)


def _joins(mode: str, current: list[_Line], following: _Line, layout: _Layout | None) -> bool:
    """Whether `following` continues the paragraph whose lines so far are `current`."""
    previous = current[-1]
    if mode == "blank":
        return True
    if mode == "lines":
        return False
    if _continues(previous, following):
        return True
    if layout is None:
        return False
    if layout.wrap is not None and _wrapped_at(previous, following, layout.wrap):
        return True  # exact: the next word did not fit, whatever it is
    if layout.measure is None or _starts_apart(current[0], previous, following):
        return False
    if layout.short and (len(current) < 2 or _SENTENCE_END.search(previous.text) or _HYPHEN_ITEM.match(following.text)):
        return False  # read from a few lines: a first line may be a headline, a sentence's end a paragraph's
    return _fills(previous, following, layout)


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


def _line_layouts(stream: Iterator[_Line | None], layout: _Layout | None) -> Iterator[tuple[_Line | None, _Layout | None]]:
    """Each line with the layout whose width rules apply to it, None where only the line-end rules do.

    The width rules apply inside a block only when the block reads as
    wrapped prose. In a flowing text, one of its lines must flow into the
    next (a lower-case start after an unfinished sentence, or a hyphen). In
    a hard-wrapped text that is enough too, and so is a last line that ends
    a sentence or is short (under two thirds of the width). A wrapped
    paragraph nearly always qualifies; a block of headlines or list items
    that all end near the width often does not. In a hard-wrapped text's
    blocks that flow, a full line joins the next as in flowing text, which
    catches text in a proportional font whose lines happen to fit one width.

    Blank lines mark a block's paragraph end when the text has blank lines
    between blocks and at most one line before the block's last ends a
    sentence: a block of several paragraphs (a title, a blank line, then a
    whole PDF copy) or of one-sentence list items has more.
    """
    if layout is None:
        for line in stream:
            yield line, None
        return
    for block in _blocks(stream):
        text_lines = [line for line in block if line is not None]
        block_layout = _block_layout(text_lines, layout)
        for line in block:
            yield line, block_layout


def _block_layout(lines: list[_Line], layout: _Layout) -> _Layout | None:
    """The layout of one block of a wrapped or flowing text; None when the block does not read as wrapped prose."""
    if layout.short and len(lines) > _FLOW_MIN_LINES:
        return None  # the few lines the probe saw were not the whole text (it began with a thousand blank lines)
    flows = any(_continues(a, b) for a, b in zip(lines, lines[1:]))
    if layout.wrap is not None and not flows:
        ends = bool(lines) and (bool(_SENTENCE_END.search(lines[-1].text)) or lines[-1].width < _SHORT_LAST_LINE * layout.wrap)
        return layout if ends else None
    if not flows:
        return None
    one_paragraph = sum(bool(_SENTENCE_END.search(line.text)) for line in lines[:-1]) <= 1
    return replace(layout, measure=layout.measure or layout.wrap, blank_separated=layout.blank_separated and one_paragraph)


def iter_paragraphs(lines: Iterable[str], mode: str = "auto") -> Iterator[Paragraph]:
    """Paragraphs from an iterable of lines (as read from a text file, newlines kept)."""
    if mode not in MODES:
        raise ValueError(f"unknown split mode {mode!r}; choose one of {', '.join(MODES)}")
    stream = _lines_with_offsets(lines)
    layout = None
    if mode == "auto":
        head = _probe(stream)
        layout = _layout(head)
        stream = chain(head, stream)
    index = 0
    current: list[_Line] = []
    for line, line_layout in _line_layouts(stream, layout):
        if current and (line is None or not _joins(mode, current, line, line_layout)):
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
