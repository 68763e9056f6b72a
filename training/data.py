"""Reading and validating labeled paragraphs (JSONL or CSV).

Every problem names the file, the line and the bad value; nothing is
silently dropped or coerced, except that an integer JSON id is read as its
decimal string. Validated records become a Hugging Face
`datasets.Dataset` with multi-hot topic targets and a stance index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from model.errors import DataError
from model.inputs import csv_rows, jsonl_objects
from model.labels import LabelSchema

CSV_COLUMNS = ("id", "text", "topics", "stance")


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    topics: tuple[str, ...]
    stance: str
    meta: dict = field(default_factory=dict, compare=False)


def read_records(path: Path | str, labels: LabelSchema) -> list[Record]:
    """All records of a .jsonl or .csv file, validated against `labels`."""
    path = Path(path)
    records: list[Record] = []
    seen: dict[str, int] = {}
    for lineno, row in iter_rows(path):
        record = _validate(row, labels, f"{path}:{lineno}")
        if record.id in seen:
            raise DataError(f"{path}:{lineno}: duplicate id {record.id!r} (first on line {seen[record.id]})")
        seen[record.id] = lineno
        records.append(record)
    if not records:
        raise DataError(f"{path}: no records (the file is empty)")
    return records


def iter_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, raw row) pairs of a .jsonl or .csv file, parsed but not validated against labels."""
    path = Path(path)
    _check_readable(path)
    return _csv_rows(path) if path.suffix.lower() == ".csv" else _jsonl_rows(path)


def _check_readable(path: Path) -> None:
    if not path.exists():
        where = "" if path.is_absolute() else f" (relative to the current directory, {Path.cwd()})"
        raise DataError(f"data file not found: {path}{where}")
    if path.is_dir():
        raise DataError(f"expected a data file, got a directory: {path}")


def _decoded_lines(path: Path) -> Iterator[str]:
    with open(path, "rb") as handle:
        for lineno, raw in enumerate(handle, 1):
            try:
                yield raw.decode("utf-8-sig" if lineno == 1 else "utf-8")  # tolerate a byte-order mark
            except UnicodeDecodeError:
                raise DataError(f"{path}:{lineno}: not UTF-8 text") from None


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict]]:
    return jsonl_objects(_decoded_lines(path), str(path))


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    for lineno, row in csv_rows(text.splitlines(keepends=True), str(path), CSV_COLUMNS):
        topics = row["topics"] or ""
        yield lineno, dict(row, topics=[t.strip() for t in topics.split(";")] if topics.strip() else [])


def _validate(row: dict, labels: LabelSchema, where: str) -> Record:
    record_id = row.get("id")
    if isinstance(record_id, int) and not isinstance(record_id, bool):  # JSON ids 1, 2, 3 read as "1", "2", "3", as classify does
        record_id = str(record_id)
    if record_id is not None and not isinstance(record_id, str):
        raise DataError(f"{where}: id must be a string or an integer (got {record_id!r})")
    if record_id is None or not record_id.strip():
        raise DataError(f"{where}: missing or empty id (got {record_id!r})")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: missing or empty text (got {text!r})")
    topics = row.get("topics")
    if topics is None:
        raise DataError(f"{where}: missing topics (a list of topic names; [] for none)")
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise DataError(f"{where}: topics must be a list of strings (got {topics!r})")
    for topic in topics:
        if topic not in labels.topics:
            raise DataError(f"{where}: unknown topic {topic!r} (known: {', '.join(labels.topics) or 'no topics configured'})")
    if len(set(topics)) != len(topics):
        raise DataError(f"{where}: repeated topic in {topics!r}")
    stance = row.get("stance")
    if stance is None:
        raise DataError(f"{where}: missing stance (one of {', '.join(labels.stances)})")
    if stance not in labels.stances:
        raise DataError(f"{where}: unknown stance {stance!r} (known: {', '.join(labels.stances)})")
    meta = {k: v for k, v in row.items() if k not in CSV_COLUMNS}
    return Record(id=record_id, text=text, topics=tuple(topics), stance=stance, meta=meta)


def to_dataset(records: list[Record], labels: LabelSchema):
    """A `datasets.Dataset` with `id`, `text`, `topic_targets` (multi-hot) and `stance_target`."""
    import datasets

    return datasets.Dataset.from_dict(
        {
            "id": [r.id for r in records],
            "text": [r.text for r in records],
            "topic_targets": [[float(t in r.topics) for t in labels.topics] for r in records],
            "stance_target": [labels.stances.index(r.stance) for r in records],
        }
    )
