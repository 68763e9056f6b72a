"""Streaming the paragraphs to classify out of text, JSONL files or standard input."""
from __future__ import annotations

import io
import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from model.errors import DataError
from model.split import iter_paragraphs

INPUT_FORMATS = ("auto", "text", "jsonl", "csv")


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
    if fmt == "auto":
        suffix = Path(path).suffix.lower()
        fmt = {".jsonl": "jsonl", ".csv": "csv"}.get(suffix, "text")
    return _read_items(path, fmt, split)


def _read_items(path: str, fmt: str, split: str) -> Iterator[Item]:
    readers = {"jsonl": _jsonl_items, "csv": _csv_items}
    with _open(path) as handle:
        lines = _decoded(handle, path)
        yield from (readers[fmt](lines, path) if fmt in readers else _text_items(lines, split))


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


def _decoded(handle: TextIO, name: str) -> Iterator[str]:
    try:
        yield from handle
    except UnicodeDecodeError:
        raise DataError(f"{name}: not UTF-8 text") from None


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
        if not isinstance(record, dict):
            raise DataError(f"{name}:{lineno}: expected a JSON object, got {type(record).__name__}")
        yield lineno, record


def _jsonl_items(lines: Iterable[str], name: str) -> Iterator[Item]:
    for index, (lineno, record) in enumerate(jsonl_objects(lines, name)):
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{name}:{lineno}: missing or empty 'text'")
        yield Item(id=str(record.get("id", index)), text=text, index=index)


def _csv_items(lines: Iterable[str], name: str) -> Iterator[Item]:
    """Rows of a CSV file with a `text` column (and optionally `id`)."""
    import csv

    reader = csv.DictReader(lines)
    if "text" not in (reader.fieldnames or []):
        raise DataError(f"{name}:1: CSV header lacks a 'text' column")
    for index, row in enumerate(reader):
        text = row.get("text") or ""
        if not text.strip():
            raise DataError(f"{name}:{reader.line_num}: missing or empty 'text'")
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
