"""Writing classification results as a table (people), JSONL or CSV (pipelines).

Writers take results batch by batch, so output streams as input is read.
"""
from __future__ import annotations

import csv
import json
from typing import TextIO

OUTPUT_FORMATS = ("table", "jsonl", "csv")


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
    """Aligned columns for people: id, topics with scores, stance with score, text cut to the terminal width."""

    def __init__(self, stream: TextIO, labels):
        import shutil

        self.stream = stream
        self.width = max(shutil.get_terminal_size((120, 24)).columns, 80)
        self.first = True

    def write(self, rows: list[dict]) -> None:
        if self.first:
            self.stream.write(self._line("id", "topics", "stance", "text"))
            self.first = False
        for row in rows:
            topics = ", ".join(f"{t} {row['topic_scores'][t]:.2f}" for t in row["topics"]) or "-"
            stance = f"{row['stance']} {row['stance_scores'][row['stance']]:.2f}"
            self.stream.write(self._line(row["id"], topics, stance, row["text"]))
        self.stream.flush()

    def _line(self, ident: str, topics: str, stance: str, text: str) -> str:
        head = f"{ident:>6}  {topics:<42}  {stance:<13}  "  # 42 fits three topics with scores
        room = max(self.width - len(head), 20)
        return head + (text if len(text) <= room else text[: room - 1] + "…") + "\n"


WRITERS = {"table": TableWriter, "jsonl": JsonlWriter, "csv": CsvWriter}
