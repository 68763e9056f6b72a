"""Split raw text into paragraphs, keeping each paragraph's index and character offsets.

Two shapes of input meet here. Text copied from web pages puts one paragraph,
headline or caption per line and uses blank lines irregularly; text from
e-mail, PDFs or wire feeds is hard-wrapped inside blank-line-separated
paragraphs. In `auto` mode blank lines always separate, and inside a block
each line is its own paragraph unless the break looks like a hard wrap:

- the line does not end a sentence and the next line starts in lower case; or
- the line does not end a sentence, the next line does not start with a
  list marker, its first word would not have fitted on the line (the line
  plus that word is longer than 0.9 of the block's widest line), and the
  block is hard-wrapped prose (`_is_wrapped`): its widest line has 40 to 120
  characters, and a fifth or more of its breaks, at least one, follow a
  line filled to 0.8 of that width and ending in a letter or digit with a
  lower-case word. This is a wrap that fell before a name or a number.

A sentence end is never taken for a wrap: it is where paragraphs end, too.
Each block is judged on its own lines, so a wrapped passage does not change
how the web copy around it splits. The splitter holds one block (at most
`BLOCK_LINES` lines) at a time, so a large file is never held in memory.
"""
from __future__ import annotations

import re
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


BLOCK_LINES = 256  # a longer run of lines without a blank one is judged in parts of this size
WRAP_WIDTHS = (40, 120)  # hard wraps fall at 40 to 120 columns; web copy puts whole paragraphs on a line
WRAP_EVIDENCE = 1 / 5  # share of a block's breaks that must be plain lower-case wraps
FILLED = 0.8  # a wrapped line is filled to at least this share of the widest
WRAP_SLACK = 0.9  # fill tools such as fmt aim below their full width
_LIST_ITEM = re.compile(r"([\u2022\u2023\u25aa\u25cf*-]|\d{1,2}[.)])\s")  # a bullet, "-", "*", "1." or "2)"


def _lower_wrap(previous: _Line, following: _Line) -> bool:
    return not _SENTENCE_END.search(previous.text) and following.text[0].islower()


def _is_wrapped(block: list[_Line], width: int) -> bool:
    """Hard-wrapped prose: 40 to 120 characters wide, with lower-case wraps of filled lines among its breaks."""
    breaks = list(zip(block, block[1:]))
    # mid-sentence wraps of filled lines: not a list's ";" or ":", not a short line that happens to go on in lower case
    lower = sum(_lower_wrap(a, b) and a.text[-1].isalnum() and len(a.text) >= FILLED * width for a, b in breaks)
    return WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1] and lower >= 1 and lower >= WRAP_EVIDENCE * len(breaks)


def _continues(previous: _Line, following: _Line, wrapped: bool, width: int) -> bool:
    """True when `following` is the hard-wrapped continuation of `previous`."""
    if _lower_wrap(previous, following):
        return True
    if not wrapped or _SENTENCE_END.search(previous.text) or _LIST_ITEM.match(following.text):
        return False  # a sentence end is where paragraphs end, too: it is never taken for a wrap
    first_word = following.text.split(maxsplit=1)[0]
    return len(previous.text) + 1 + len(first_word) > WRAP_SLACK * width  # it would not have fitted


def _blocks(lines: Iterable[_Line | None]) -> Iterator[list[_Line] | None]:
    """Runs of at most BLOCK_LINES non-blank lines; None for each blank line."""
    block: list[_Line] = []
    for line in lines:
        if line is None or len(block) == BLOCK_LINES:
            if block:
                yield block
                block = []
            if line is None:
                yield None
                continue
        block.append(line)
    if block:
        yield block


def iter_paragraphs(lines: Iterable[str], mode: str = "auto") -> Iterator[Paragraph]:
    """Paragraphs from an iterable of lines (as read from a text file, newlines kept)."""
    if mode not in MODES:
        raise ValueError(f"unknown split mode {mode!r}; choose one of {', '.join(MODES)}")
    index = 0
    current: list[_Line] = []
    for block in _blocks(_lines_with_offsets(lines)):
        if block is None:
            if current:
                yield _make(index, current)
                index += 1
                current = []
            continue
        width = max(len(line.text) for line in block)
        wrapped = mode == "auto" and _is_wrapped(block, width)
        for line in block:
            if current and not _joins(mode, current[-1], line, wrapped, width):
                yield _make(index, current)
                index += 1
                current = []
            current.append(line)
    if current:
        yield _make(index, current)


def _joins(mode: str, previous: _Line, following: _Line, wrapped: bool, width: int) -> bool:
    if mode == "blank":
        return True
    if mode == "lines":
        return False
    return _continues(previous, following, wrapped, width)


def split_paragraphs(text: str, mode: str = "auto") -> list[Paragraph]:
    """All paragraphs of a string."""
    return list(iter_paragraphs(text.splitlines(keepends=True), mode))


def _make(index: int, lines: list[_Line]) -> Paragraph:
    text = _SPACE.sub(" ", " ".join(line.text for line in lines))
    return Paragraph(index=index, text=text, start=lines[0].start, end=lines[-1].end)
