"""Split raw text into paragraphs, keeping each paragraph's index and character offsets.

Two shapes of input meet here. Text copied from web pages puts one paragraph,
headline or caption per line and uses blank lines irregularly; text from
e-mail, PDFs or wire feeds is hard-wrapped inside blank-line-separated
paragraphs. In `auto` mode blank lines always separate, and inside a block
each line is its own paragraph unless it looks like a hard wrap: the line does
not end a sentence and the next line starts in lower case.

The splitter works on an iterable of lines so a large file is never held in
memory at once.
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


def _continues(previous: _Line, following: _Line) -> bool:
    """True when `following` is the hard-wrapped continuation of `previous`."""
    return not _SENTENCE_END.search(previous.text) and following.text[0].islower()


def _joins(mode: str, previous: _Line, following: _Line) -> bool:
    if mode == "blank":
        return True
    if mode == "lines":
        return False
    return _continues(previous, following)


def iter_paragraphs(lines: Iterable[str], mode: str = "auto") -> Iterator[Paragraph]:
    """Paragraphs from an iterable of lines (as read from a text file, newlines kept)."""
    if mode not in MODES:
        raise ValueError(f"unknown split mode {mode!r}; choose one of {', '.join(MODES)}")
    index = 0
    current: list[_Line] = []
    for line in _lines_with_offsets(lines):
        if current and (line is None or not _joins(mode, current[-1], line)):
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
    text = _SPACE.sub(" ", " ".join(line.text for line in lines))
    return Paragraph(index=index, text=text, start=lines[0].start, end=lines[-1].end)
