"""Check one or more corpus part files (JSONL) against the writing brief.

Stdlib only, so writers can run it anywhere:

    python scripts/check_part.py data/parts/train_A.jsonl [--against data/parts/*.jsonl]

Prints schema errors, label counts per topic combination and stance, genre and
hard-case counts, length spread, and near duplicates (word 5-gram Jaccard >= 0.5)
within the files and against the --against files.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

TOPICS = ("security", "history", "trade")
STANCES = ("favor", "against", "neutral")
WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


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


def near_duplicates(records: list[dict], others: list[dict]) -> list[str]:
    index: dict[tuple[str, ...], set[int]] = collections.defaultdict(set)
    pool = records + others
    sh = [shingles(r.get("text", "")) for r in pool]
    for i, s in enumerate(sh):
        for g in s:
            index[g].add(i)
    found = []
    for i in range(len(records)):
        cands = collections.Counter(j for g in sh[i] for j in index[g] if j != i)
        for j, shared in cands.items():
            if j < i and j < len(records):
                continue  # within-file pair already seen from the other side
            jac = shared / len(sh[i] | sh[j])
            if jac >= 0.5:
                found.append(f"{pool[i]['id']} ~ {pool[j]['id']} (Jaccard {jac:.2f})")
    return found


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
    dups = near_duplicates(records, others)
    for line in errors + [f"near duplicate: {d}" for d in dups]:
        print("PROBLEM:", line)
    print(f"{len(errors)} schema problems, {len(dups)} near duplicates")
    return 1 if errors or dups else 0


if __name__ == "__main__":
    sys.exit(main())
