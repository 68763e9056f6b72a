"""Streaming the paragraphs to classify out of text, JSONL files or standard input."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence, TextIO

from model.errors import DataError
from model.split import iter_paragraphs

INPUT_FORMATS = ("auto", "text", "jsonl", "csv")
STDIN_NAME = "standard input"


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    index: int
    start: int | None = None
    end: int | None = None


def items_from_texts(texts: Iterable[str], split: str = "auto") -> Iterator[Item]:
    """Each command-line text is split like a file; indices run on across texts."""
    index = 0
    for text in texts:
        for paragraph in iter_paragraphs(text.splitlines(keepends=True), split):
            yield Item(id=str(index), text=paragraph.text, index=index)
            index += 1


# Endings of the files classify reads (and of a few it does not): a TEXT argument ending so is a file name.
_FILE_SUFFIXES = (".txt", ".text", ".md", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".html", ".htm", ".pdf", ".docx")
_PATH_LIKE = re.compile(r"[\w.~:/\\-]+", re.ASCII)  # one word of the characters file names are made of


def check_paragraph_argument(text: str) -> None:
    """Refuse a command-line TEXT that is a file name rather than a paragraph.

    A single word of file-name characters (ASCII letters, digits, `._-~:/\\`)
    that names an existing file or directory, holds a path separator, or ends
    like a file name is what a user meant as --file (or mistyped), and
    classifying its letters would answer a question nobody asked. Text in
    scripts written without spaces (Japanese, Chinese) is never taken for a
    path.
    """
    if text == "-":
        raise DataError("'-' (standard input) cannot be combined with TEXT arguments")
    if not _PATH_LIKE.fullmatch(text):
        return
    try:
        kind = "a directory" if os.path.isdir(text) else "a file" if os.path.isfile(text) else None
    except (OSError, ValueError):  # a name too long for the file system
        kind = None
    if kind:
        raise DataError(f"{text} is {kind}, not a paragraph; to classify a file use --file FILE")
    if "/" in text or "\\" in text or text.lower().endswith(_FILE_SUFFIXES):
        raise DataError(f"{text}: no such file, and one word is not a paragraph; to classify a file use --file FILE")


def items_from_file(path: str, input_format: str = "auto", split: str = "auto") -> Iterator[Item]:
    """Items from a path, or from standard input when `path` is '-'.

    The path is checked now, before anything is read or written, so a typo
    fails fast and never truncates an output file.
    """
    if input_format not in INPUT_FORMATS:
        raise DataError(f"unknown input format {input_format!r}; choose one of {', '.join(INPUT_FORMATS)}")
    if path != "-":
        _check_file(Path(path))
    fmt = input_format
    if fmt == "auto" and path != "-":
        suffix = Path(path).suffix.lower()
        fmt = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "auto"}.get(suffix, "text")
    return _read_items(path, fmt, split)


def _read_items(path: str, fmt: str, split: str) -> Iterator[Item]:
    readers = {"jsonl": _jsonl_items, "csv": _csv_items}
    name = STDIN_NAME if path == "-" else path
    with _open(path) as handle:
        lines = _decoded(handle, name, path)
        try:
            if fmt == "auto":  # standard input and .json files: JSONL if the first line is a JSON object
                fmt, lines = _sniff(lines)
                if fmt == "text" and path != "-":
                    raise DataError(f"{name}: expected JSON Lines (one object a line), as in .jsonl; a JSON array or document is not read")
                fmt = "text" if fmt == "empty" else fmt  # the text reader says the input is empty
            yield from (readers[fmt](lines, name) if fmt in readers else _text_items(lines, split))
        finally:
            lines.close()  # before `_open` detaches standard input's wrapper


def _sniff(lines: Iterator[str]) -> tuple[str, Iterator[str]]:
    """"jsonl" when the first non-blank line is a JSON object, "empty" when there is none, else "text"; and the lines, none lost."""
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    first = head[-1].strip() if head else ""
    is_json = False
    if first.startswith("{"):
        try:
            is_json = isinstance(json.loads(first), dict)
        except (ValueError, RecursionError):
            pass
    return ("jsonl" if is_json else "text" if first else "empty"), _chain(head, lines)


def _chain(head: list[str], rest: Iterator[str]) -> Iterator[str]:
    try:
        yield from head
        for line in rest:
            yield line
    finally:
        rest.close()


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"input file not found: {path}")
    if path.is_dir():
        raise DataError(f"expected a file, got a directory: {path}")


@contextmanager
def _open(path: str) -> Iterator[TextIO]:
    if path != "-":
        with open(path, encoding="utf-8-sig", newline="") as handle:  # -sig: drop a byte-order mark
            yield handle
        return
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # an already-decoded stream (as in tests)
        yield sys.stdin
        return
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    try:
        yield wrapper
    finally:
        wrapper.detach()  # leave sys.stdin usable


def _decoded(handle: TextIO, name: str, path: str) -> Iterator[str]:
    lineno = 0
    try:
        for line in handle:  # not `yield from`: closing this generator must not close the handle
            lineno += 1
            yield line
    except UnicodeDecodeError:
        bad = _undecodable_line(Path(path)) if path != "-" else None
        # the decoder reads ahead in blocks: on standard input the bad byte is known only to be past the lines read
        where = f":{bad}" if bad else f" (at or after line {lineno + 1})"
        raise DataError(f"{name}{where}: not UTF-8 text") from None


def _undecodable_line(path: Path) -> int | None:
    """The number of the first line of a regular file that is not UTF-8, counting lines as the text reader does.

    Read again from the start, a line at a time, so memory stays bounded;
    None for anything but a regular file (a pipe cannot be read twice).
    """
    if not path.is_file():
        return None
    lineno = 1
    with open(path, "rb") as handle:
        for raw in handle:  # split at b"\n", which never occurs inside a UTF-8 sequence
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                before = raw[: exc.start]
                return lineno + before.count(b"\r") - before.count(b"\r\n")
            lineno += 1 + raw.count(b"\r") - raw.count(b"\r\n")  # a lone \r ends a line too
    return None


def _text_items(lines: Iterable[str], split: str) -> Iterator[Item]:
    for paragraph in iter_paragraphs(lines, split):
        yield Item(id=str(paragraph.index), text=paragraph.text, index=paragraph.index, start=paragraph.start, end=paragraph.end)


def jsonl_objects(lines: Iterable[str], name: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank JSONL line; errors name `name:line`."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{name}:{lineno}: malformed JSON ({exc.msg} at column {exc.colno})") from None
        except (ValueError, RecursionError):  # a number of thousands of digits, nesting thousands deep
            raise DataError(f"{name}:{lineno}: unreadable JSON (a number too long or nesting too deep)") from None
        if not isinstance(record, dict):
            raise DataError(f"{name}:{lineno}: expected a JSON object, got {type(record).__name__}")
        yield lineno, record


def _jsonl_items(lines: Iterable[str], name: str) -> Iterator[Item]:
    for index, (lineno, record) in enumerate(jsonl_objects(lines, name)):
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{name}:{lineno}: missing or empty 'text'")
        record_id = record.get("id")
        yield Item(id=str(index if record_id is None else record_id), text=text, index=index)


def csv_rows(lines: Iterable[str], name: str, required: Sequence[str]) -> Iterator[tuple[int, dict]]:
    """(line number, row) for each row of CSV text with the `required` columns.

    A field of any length is read whole; CSV errors name `name:line`.
    """
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # the default, 131,072 characters, would reject a long paragraph
    reader = csv.DictReader(lines)
    try:
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{name}:1: CSV header lacks column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise DataError(f"{name}:{reader.line_num}: malformed CSV ({exc})") from None


def _csv_items(lines: Iterable[str], name: str) -> Iterator[Item]:
    """Rows of a CSV file with a `text` column (and optionally `id`)."""
    for index, (lineno, row) in enumerate(csv_rows(lines, name, ("text",))):
        text = row.get("text") or ""
        if not text.strip():
            raise DataError(f"{name}:{lineno}: missing or empty 'text'")
        yield Item(id=str(row.get("id") or index), text=text, index=index)


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Group a stream into lists of at most `size` items; raise if the stream is empty."""
    batch: list[Item] = []
    seen_any = False
    for item in items:
        seen_any = True
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
    if not seen_any:
        raise DataError("no paragraphs to classify: the input is empty or only whitespace")


def classify_stream(model, items: Iterable[Item], batch_size: int = 64) -> Iterator[list[tuple[Item, object]]]:
    """(item, prediction) pairs, one batch at a time, never holding the whole input."""
    for batch in batches(items, batch_size):
        yield list(zip(batch, model.predict([item.text for item in batch])))
