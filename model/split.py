"""Split raw text into paragraphs, keeping each paragraph's index and character offsets.

Two shapes of input meet here. Text copied from web pages puts one paragraph,
headline or caption per line and uses blank lines irregularly; text from
e-mail, PDFs or wire feeds is hard-wrapped inside blank-line-separated
paragraphs. In `auto` mode blank lines always separate, and inside a block
each line is its own paragraph unless the break looks like a hard wrap:

- the line does not end a sentence and the next line starts in lower case; or
- the text around it is hard-wrapped (see `_style`: within its run of
  `WINDOW_LINES` lines, at least a quarter of the line breaks inside blocks,
  and at least two, fall before a lower-case word after a line that does not
  end a sentence, and the widest line has 40 characters or more), and the
  next line's first word would not have fitted on the line. When such text
  also has blank lines, they separate its paragraphs, and a line that ends a
  sentence is joined in the same way.

A line that starts with a bullet, `-`, `*`, `1.` or `2)` always starts a new
paragraph. The splitter reads `WINDOW_LINES` lines at a time, so a large file
is never held in memory at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
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


WINDOW_LINES = 256  # lines judged together for the text's shape
MIN_WRAP_WIDTH = 40  # narrower text is lists, captions and headlines, not wrapped prose
WRAP_EVIDENCE = 0.25  # share of breaks inside blocks that must be plain lower-case wraps
WRAP_SLACK = 0.9  # fill tools such as fmt aim below their full width
_LIST_ITEM = re.compile(r"([\u2022\u2023\u25aa\u25cf*-]|\d{1,2}[.)])\s")  # not en or em dashes, which wraps leave at line starts


@dataclass(frozen=True)
class _Style:
    width: int  # the widest line
    wrapped: bool  # hard-wrapped prose
    blank_separated: bool  # hard-wrapped, with blank lines between paragraphs


def _style(window: list[_Line | None]) -> _Style:
    width = max((len(line.text) for line in window if line is not None), default=0)
    breaks = [(a, b) for a, b in zip(window, window[1:]) if a is not None and b is not None]
    lower = sum(1 for a, b in breaks if not _SENTENCE_END.search(a.text) and b.text[0].islower())
    wrapped = width >= MIN_WRAP_WIDTH and lower >= 2 and lower >= WRAP_EVIDENCE * len(breaks)
    return _Style(width, wrapped, wrapped and None in window)


def _fits(previous: _Line, following: _Line, width: int) -> bool:
    """True when `following`'s first word would have fitted at the end of `previous`, in text `width` wide."""
    return len(previous.text) + 1 + len(following.text.split(maxsplit=1)[0]) <= WRAP_SLACK * width


def _continues(previous: _Line, following: _Line, style: _Style) -> bool:
    """True when `following` is the hard-wrapped continuation of `previous`."""
    if _LIST_ITEM.match(following.text):
        return False
    ends = bool(_SENTENCE_END.search(previous.text))
    if not ends and following.text[0].islower():
        return True
    return style.wrapped and (not ends or style.blank_separated) and not _fits(previous, following, style.width)


def _windows(lines: Iterable[_Line | None]) -> Iterator[list[_Line | None]]:
    stream = iter(lines)
    while window := list(islice(stream, WINDOW_LINES)):
        yield window


def iter_paragraphs(lines: Iterable[str], mode: str = "auto") -> Iterator[Paragraph]:
    """Paragraphs from an iterable of lines (as read from a text file, newlines kept)."""
    if mode not in MODES:
        raise ValueError(f"unknown split mode {mode!r}; choose one of {', '.join(MODES)}")
    index = 0
    current: list[_Line] = []
    for window in _windows(_lines_with_offsets(lines)):
        style = _style(window) if mode == "auto" else None
        for line in window:
            if current and (line is None or not _joins(mode, current[-1], line, style)):
                yield _make(index, current)
                index += 1
                current = []
            if line is not None:
                current.append(line)
    if current:
        yield _make(index, current)


def _joins(mode: str, previous: _Line, following: _Line, style: _Style | None) -> bool:
    if mode == "blank":
        return True
    if mode == "lines":
        return False
    return _continues(previous, following, style)


def split_paragraphs(text: str, mode: str = "auto") -> list[Paragraph]:
    """All paragraphs of a string."""
    return list(iter_paragraphs(text.splitlines(keepends=True), mode))


_WORD_HYPHEN = re.compile(r"\w-$")  # "long-" at the end of a line, continued by "standing"


def _make(index: int, lines: list[_Line]) -> Paragraph:
    parts = [lines[0].text]
    for previous, line in zip(lines, lines[1:]):
        parts.append(line.text if _WORD_HYPHEN.search(previous.text) else " " + line.text)
    text = _SPACE.sub(" ", "".join(parts))
    return Paragraph(index=index, text=text, start=lines[0].start, end=lines[-1].end)
