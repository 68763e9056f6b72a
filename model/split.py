"""Split raw text into paragraphs, keeping each paragraph's index and character offsets.

Two shapes of input meet here. Text copied from web pages puts one paragraph,
headline or caption per line and uses blank lines irregularly; text from
e-mail, PDFs or wire feeds is hard-wrapped inside blank-line-separated
paragraphs. In `auto` mode blank lines always separate, and inside a block
each line is its own paragraph unless the break looks like a hard wrap:

- the line does not end a sentence, and the next line starts in lower case
  or its first word would not have fitted on the line (the line plus that
  word is longer than the block's longest line, of 40 characters or more);
- or every break of a block of three or more lines looks like that, sentence
  ends included: then the block is one wrapped paragraph.

The splitter works on an iterable of lines and looks at most `CHUNK_LINES`
lines ahead, so a large file is never held in memory at once.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Iterable, Iterator

MODES = ("auto", "lines", "blank")

# A sentence ends in . ! ? or an ellipsis, possibly followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Paragraph:
    index: int
    text: str  # whitespace-normalised
    start: int  # offset of the first character in the source
    end: int  # offset just past the last character


@dataclass
class _Line:
    text: str  # stripped
    start: int
    end: int


def _lines_with_offsets(lines: Iterable[str]) -> Iterator[_Line | None]:
    """Yield stripped lines with offsets; None stands for a blank line."""
    offset = 0
    for raw in lines:
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            yield _Line(stripped, offset + lead, offset + lead + len(stripped))
        else:
            yield None
        offset += len(raw)


LOOKAHEAD_LINES = 256  # how far ahead the widest line is looked for
CHUNK_LINES = 256  # lines of one block judged together
MIN_WRAP_WIDTH = 40  # narrower text is lists, captions and headlines, not wrapped prose
WRAP_SLACK = 0.9  # fill tools such as fmt aim below their full width
_LIST_ITEM = re.compile(r"([\u2022\u2023\u25aa\u25cf]|\d{1,2}[.)])\s")  # a bullet, or "1." / "2)"; not a dash, which wraps too


def _fits(previous: _Line, following: _Line, width: int) -> bool:
    """True when `following`'s first word would have fitted at the end of `previous`, in text `width` wide."""
    return len(previous.text) + 1 + len(following.text.split(maxsplit=1)[0]) <= WRAP_SLACK * width


def _continues(previous: _Line, following: _Line, width: int) -> bool:
    """True when `following` is the hard-wrapped continuation of `previous`."""
    if _SENTENCE_END.search(previous.text) or _LIST_ITEM.match(following.text):
        return False
    return following.text[0].islower() or (width >= MIN_WRAP_WIDTH and not _fits(previous, following, width))


def _wrapped_block(chunk: list[_Line], width: int) -> bool:
    """Every break in a block of three or more lines falls where a word would not have fitted: one wrapped paragraph."""
    return (
        len(chunk) >= 3 and width >= MIN_WRAP_WIDTH
        and not any(_LIST_ITEM.match(line.text) for line in chunk[1:])
        and not any(_fits(a, b, width) for a, b in zip(chunk, chunk[1:]))
    )


def _with_width(lines: Iterable[_Line | None]) -> Iterator[tuple[_Line | None, int]]:
    """Each line, with the length of the widest line up to LOOKAHEAD_LINES lines after it."""
    buffer: deque[_Line | None] = deque()
    widest = 0
    for line in lines:
        buffer.append(line)
        if line is not None:
            widest = max(widest, len(line.text))
        if len(buffer) > LOOKAHEAD_LINES:
            yield buffer.popleft(), widest
    while buffer:
        yield buffer.popleft(), widest


def _chunks(lines: Iterable[_Line | None]) -> Iterator[tuple[list[_Line], int] | None]:
    """Runs of at most CHUNK_LINES non-blank lines with the text's width there; None for each blank line."""
    chunk: list[_Line] = []
    width = 0
    for line, widest in _with_width(lines):
        if line is None or len(chunk) == CHUNK_LINES:
            if chunk:
                yield chunk, width
                chunk = []
            if line is None:
                yield None
                continue
        chunk.append(line)
        width = widest
    if chunk:
        yield chunk, width


def iter_paragraphs(lines: Iterable[str], mode: str = "auto") -> Iterator[Paragraph]:
    """Paragraphs from an iterable of lines (as read from a text file, newlines kept)."""
    if mode not in MODES:
        raise ValueError(f"unknown split mode {mode!r}; choose one of {', '.join(MODES)}")
    index = 0
    current: list[_Line] = []
    for item in _chunks(_lines_with_offsets(lines)):
        if item is None:
            if current:
                yield _make(index, current)
                index += 1
                current = []
            continue
        chunk, width = item
        wrapped = mode == "auto" and _wrapped_block(chunk, width)
        for position, line in enumerate(chunk):
            joins = mode == "blank" or (mode == "auto" and ((wrapped and position > 0) or _continues(current[-1], line, width))) \
                if current else False
            if current and not joins:
                yield _make(index, current)
                index += 1
                current = []
            current.append(line)
    if current:
        yield _make(index, current)


def split_paragraphs(text: str, mode: str = "auto") -> list[Paragraph]:
    """All paragraphs of a string."""
    return list(iter_paragraphs(text.splitlines(keepends=True), mode))


_WORD_HYPHEN = re.compile(r"\w-$")  # "long-" at the end of a line, continued by "standing"


def _make(index: int, lines: list[_Line]) -> Paragraph:
    text = lines[0].text
    for line in lines[1:]:
        text += line.text if _WORD_HYPHEN.search(text) else " " + line.text
    text = _SPACE.sub(" ", text)
    return Paragraph(index=index, text=text, start=lines[0].start, end=lines[-1].end)
