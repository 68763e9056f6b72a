"""Check one or more corpus part files (JSONL) against the writing brief.

    python scripts/check_part.py data/parts/train_A.jsonl [--against data/parts/*.jsonl]

Prints schema errors, label counts per topic combination and stance, genre and
hard-case counts, length spread, and near duplicates (word 5-gram Jaccard >= 0.5)
within the files and against the --against files.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from training.corpus import near_duplicates  # noqa: E402

TOPICS = ("security", "history", "trade")
STANCES = ("favor", "against", "neutral")


def load(path: Path) -> tuple[list[dict], list[str]]:
    records, errors = [], []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: bad JSON ({exc.msg})")
            continue
        for key in ("id", "text", "topics", "stance", "genre", "source"):
            if key not in rec:
                errors.append(f"{where}: missing {key!r}")
        if not isinstance(rec.get("topics"), list) or any(t not in TOPICS for t in rec.get("topics", [])):
            errors.append(f"{where}: bad topics {rec.get('topics')!r}")
        elif len(set(rec["topics"])) != len(rec["topics"]):
            errors.append(f"{where}: repeated topic")
        if rec.get("stance") not in STANCES:
            errors.append(f"{where}: bad stance {rec.get('stance')!r}")
        n_words = len(str(rec.get("text", "")).split())
        if not 3 <= n_words <= 200:
            errors.append(f"{where}: {n_words} words (allowed 3-200)")
        records.append(rec)
    return records, errors


def near_duplicate_lines(records: list[dict], others: list[dict]) -> list[str]:
    own = {r.get("id") for r in records}
    pairs = near_duplicates(records + others)
    return [f"{a} ~ {b} (Jaccard {j:.2f})" for a, b, j in pairs if a in own or b in own]


def report(records: list[dict]) -> None:
    combos = collections.Counter()
    for r in records:
        key = "+".join(t[0].upper() for t in TOPICS if t in r.get("topics", [])) or "none"
        combos[(key, r.get("stance"))] += 1
    print(f"{len(records)} records")
    print("combo       favor against neutral  total")
    for key in sorted({k for k, _ in combos}):
        row = [combos[(key, s)] for s in STANCES]
        print(f"{key:10s} {row[0]:6d} {row[1]:7d} {row[2]:7d} {sum(row):6d}")
    print("stance:", dict(collections.Counter(r.get("stance") for r in records)))
    for t in TOPICS:
        per = collections.Counter(r.get("stance") for r in records if t in r.get("topics", []))
        print(f"topic {t}: {sum(per.values())} {dict(per)}")
    print("genre:", dict(collections.Counter(r.get("genre") for r in records)))
    print("hard:", dict(collections.Counter(r.get("hard") for r in records if r.get("hard"))))
    lens = [len(str(r.get("text", "")).split()) for r in records]
    if lens:
        short = sum(n <= 15 for n in lens)
        long_ = sum(n >= 90 for n in lens)
        print(f"words: min {min(lens)} max {max(lens)}; <=15 words: {short}; >=90 words: {long_}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--against", nargs="*", type=Path, default=[], help="other part files to check duplicates against")
    args = parser.parse_args()
    records, errors = [], []
    for f in args.files:
        recs, errs = load(f)
        records += recs
        errors += errs
    others = []
    for f in args.against:
        if f not in args.files:
            others += load(f)[0]
    ids = collections.Counter(r.get("id") for r in records + others)
    errors += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    report(records)
    dups = near_duplicate_lines(records, others)
    for line in errors + [f"near duplicate: {d}" for d in dups]:
        print("PROBLEM:", line)
    print(f"{len(errors)} schema problems, {len(dups)} near duplicates")
    return 1 if errors or dups else 0


if __name__ == "__main__":
    sys.exit(main())
