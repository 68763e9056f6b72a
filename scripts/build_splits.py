"""Assemble data/{train,dev,test}.jsonl and the starter set from the writers' part files.

    python scripts/build_splits.py

Train comes from data/parts/train_*.jsonl, dev and test from their own parts
(dev*.jsonl, test*.jsonl: written in separate passes). The starter set (data/starter/) is a small
stratified sample of the train split, for trying the pipeline and for tests.
Records keep every field; output is sorted by id, so rebuilding is stable.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "data" / "parts"
FIELDS = ("id", "text", "topics", "stance", "genre", "hard", "source")


def read(paths) -> list[dict]:
    records = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return sorted(records, key=lambda r: r["id"])


def write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for r in records:
            ordered = {k: r[k] for k in FIELDS if k in r}
            ordered.update({k: v for k, v in r.items() if k not in ordered})
            out.write(json.dumps(ordered, ensure_ascii=False) + "\n")


def starter(train: list[dict], per_cell: int = 3, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """Up to `per_cell` paragraphs of each (topic set, stance) cell for train, one for dev."""
    rng = random.Random(seed)
    cells: dict[tuple, list[dict]] = {}
    for r in train:
        cells.setdefault((tuple(r["topics"]), r["stance"]), []).append(r)
    small_train, small_dev = [], []
    for key in sorted(cells):
        pool = cells[key][:]
        rng.shuffle(pool)
        small_train += pool[:per_cell]
        small_dev += pool[per_cell : per_cell + 1]
    return sorted(small_train, key=lambda r: r["id"]), sorted(small_dev, key=lambda r: r["id"])


def main() -> None:
    train = read(sorted(PARTS.glob("train_*.jsonl")))
    dev = read(sorted(PARTS.glob("dev*.jsonl")))  # dev.jsonl, then later supplements (dev_2.jsonl, ...)
    test = read(sorted(PARTS.glob("test*.jsonl")))
    for name, records in (("train", train), ("dev", dev), ("test", test)):
        write(ROOT / "data" / f"{name}.jsonl", records)
    small_train, small_dev = starter(train)
    write(ROOT / "data" / "starter" / "train.jsonl", small_train)
    write(ROOT / "data" / "starter" / "dev.jsonl", small_dev)
    print(f"train {len(train)}  dev {len(dev)}  test {len(test)}  starter {len(small_train)}+{len(small_dev)}")


if __name__ == "__main__":
    main()
