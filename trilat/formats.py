"""Writing classification results as a table (people), JSONL or CSV (pipelines).

Writers take results batch by batch, so output streams as input is read.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Optional, TextIO

from model.errors import TrilatError

OUTPUT_FORMATS = ("table", "jsonl", "csv")


def default_format(output: Optional[str]) -> str:
    """The format `-o FILE` implies by its extension (.csv; .jsonl, .ndjson or .json: JSON Lines); a table otherwise."""
    suffix = Path(str(output)).suffix.lower() if output not in (None, "-") else ""
    return {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}.get(suffix, "table")


def result_row(item, prediction) -> dict:
    row = {"id": item.id, "index": item.index}
    if item.start is not None:
        row.update(start=item.start, end=item.end)
    row.update(prediction.to_dict())
    row["text"] = item.text
    return row


class JsonlWriter:
    def __init__(self, stream: TextIO, labels):
        self.stream = stream

    def write(self, rows: list[dict]) -> None:
        for row in rows:
            self.stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.stream.flush()


class CsvWriter:
    def __init__(self, stream: TextIO, labels):
        self.labels = labels
        columns = ["id", "index", "start", "end", "topics"]
        columns += [f"score_{t}" for t in labels.topics] + ["stance"] + [f"score_{s}" for s in labels.stances] + ["text"]
        self.writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        self.writer.writeheader()
        self.stream = stream

    def write(self, rows: list[dict]) -> None:
        for row in rows:
            flat = dict(row, topics=";".join(row["topics"]))
            flat.update({f"score_{t}": v for t, v in row["topic_scores"].items()})
            flat.update({f"score_{s}": v for s, v in row["stance_scores"].items()})
            self.writer.writerow(flat)
        self.stream.flush()


class TableWriter:
    """Aligned columns for people: id, topics with scores, stance with score, text cut to the terminal width.

    The id column is as wide as the longest id in the first batch (6 to 24
    characters). Control characters (terminal escape sequences in scraped
    text) are shown as `?`, and text is cut by its width on screen, wide East
    Asian characters counting two columns.
    """

    def __init__(self, stream: TextIO, labels):
        import shutil

        self.stream = stream
        self.width = max(shutil.get_terminal_size((120, 24)).columns, 80)
        self.id_width: Optional[int] = None

    def write(self, rows: list[dict]) -> None:
        if self.id_width is None:
            self.id_width = min(max([6, *(len(_one_line(str(row["id"]))) for row in rows)]), 24)
            self.stream.write(self._line("id", "topics", "stance", "text"))
        for row in rows:
            topics = ", ".join(f"{t} {row['topic_scores'][t]:.2f}" for t in row["topics"]) or "-"
            stance = f"{row['stance']} {row['stance_scores'][row['stance']]:.2f}"
            self.stream.write(self._line(_one_line(str(row["id"])), topics, stance, _one_line(row["text"])))
        self.stream.flush()

    def _line(self, ident: str, topics: str, stance: str, text: str) -> str:
        head = f"{ident:>{self.id_width}}  {topics:<42}  {stance:<13}  "  # 42 fits three topics with scores
        return head + _cut(text, max(self.width - _columns(head), 20)) + "\n"


def _one_line(text: str) -> str:
    """One safe line: newlines and tabs would break the table's rows, control characters would drive the terminal."""
    return "".join("?" if unicodedata.category(c) == "Cc" else c for c in " ".join(text.split()))


def _char_columns(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _columns(text: str) -> int:
    return sum(_char_columns(c) for c in text)


def _cut(text: str, room: int) -> str:
    """`text` if it fits in `room` screen columns, else as much as fits before an ellipsis."""
    if _columns(text) <= room:
        return text
    used = 0
    for end, char in enumerate(text):
        used += _char_columns(char)
        if used > room - 1:
            return text[:end] + "…"
    return text


WRITERS = {"table": TableWriter, "jsonl": JsonlWriter, "csv": CsvWriter}


class OutputFile:
    """Where `classify` writes: standard output, or a file opened when the first results are ready.

    The checks run at construction, before any model is loaded: the file is
    not the input, not a directory, in a directory that exists, and writable. Opening it only
    at the first results means that a bad input found in the first batch (an
    empty file, a malformed first line) leaves an existing file untouched. A
    later error leaves the results written so far, like any streaming filter.
    """

    def __init__(self, path: Optional[str], source: Optional[str] = None):
        self.path = None if path is None or str(path) == "-" else Path(path)
        self.handle: Optional[TextIO] = None
        if self.path is None:
            return
        if _is_input(self.path, source):
            raise TrilatError(f"--output {self.path} is the input file; write the results elsewhere")
        if self.path.is_dir():
            raise TrilatError(f"cannot write {self.path}: it is a directory")
        if str(path).endswith(("/", os.sep)):
            raise TrilatError(f"cannot write {path}: give a file name, not a directory name ending in '/'")
        if not self.path.parent.is_dir():
            raise TrilatError(f"cannot write {self.path}: {self.path.parent} is not a directory")
        _check_writable(self.path)

    def open(self) -> TextIO:
        if self.path is None:
            return sys.stdout
        if self.handle is None:
            try:
                self.handle = open(self.path, "w", encoding="utf-8", newline="")
            except OSError as exc:
                raise TrilatError(f"cannot write {self.path}: {exc.strerror}") from None
        return self.handle

    def __enter__(self) -> "OutputFile":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.handle is not None:
            try:
                self.handle.close()  # a full disk can show here
            except OSError as exc:
                raise TrilatError(f"cannot write {self.path}: {exc.strerror or exc}") from None


def _check_writable(path: Path) -> None:
    """Try the file now, before a model loads, without changing it: append to an existing regular file, create and remove a new one."""
    if path.is_symlink() and not path.exists():  # a link to a file yet to be made: try where it points, as `>` would
        target = Path(os.path.realpath(path))
        if not target.parent.is_dir():
            raise TrilatError(f"cannot write {path}: it links to {target}, in a directory that does not exist")
        path = target
    try:
        if path.is_file():
            open(path, "a", encoding="utf-8").close()
        elif not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
            os.unlink(path)
    except OSError as exc:  # devices and FIFOs are tried when results are written: opening a FIFO would wait for a reader
        raise TrilatError(f"cannot write {path}: {exc.strerror}") from None


def _is_input(path: Path, source: Optional[str]) -> bool:
    """True when `path` is the file being read: named as --file, or redirected into standard input."""
    try:
        if source is None or not path.exists():
            return False
        if source == "-":
            if not path.is_file():  # a terminal or pipe can be both ends: /dev/stdout on a tty is not the input
                return False
            return os.path.samestat(os.fstat(sys.stdin.fileno()), path.stat())
        return path.samefile(source)
    except (OSError, ValueError, AttributeError):  # no file behind stdin (tests), or unreadable
        return False
