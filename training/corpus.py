"""Corpus statistics and quality checks: near duplicates and the data card's tables.

`python -m training.corpus` prints the tables that `data/README.md` embeds;
`tests/test_data.py` regenerates them and fails if the card has gone stale.
"""
from __future__ import annotations

import collections
import json
import re
from pathlib import Path

WORD = re.compile(r"\w+", re.UNICODE)
SPLITS = ("train", "dev", "test")
LENGTH_BINS = ((1, 10), (11, 25), (26, 50), (51, 80), (81, 120), (121, 200))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def shingles(text: str, n: int = 5) -> frozenset[tuple[str, ...]]:
    """Word n-grams; a text shorter than n words is one shingle of all its words."""
    words = WORD.findall(text.lower())
    if len(words) < n:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def near_duplicates(records: list[dict], threshold: float = 0.5) -> list[tuple[str, str, float]]:
    """Pairs of records whose word-5-gram Jaccard similarity is at least `threshold`.

    An inverted index over shingles keeps this near-linear instead of comparing every pair.
    """
    sets = [shingles(r["text"]) for r in records]
    index: dict[tuple[str, ...], list[int]] = collections.defaultdict(list)
    for i, s in enumerate(sets):
        for gram in s:
            index[gram].append(i)
    pairs = []
    for i, s in enumerate(sets):
        shared = collections.Counter(j for gram in s for j in index[gram] if j > i)
        for j, common in shared.items():
            jaccard = common / len(s | sets[j])
            if jaccard >= threshold:
                pairs.append((records[i]["id"], records[j]["id"], round(jaccard, 3)))
    return pairs


def topic_key(record: dict, topics: tuple[str, ...]) -> str:
    return " + ".join(t for t in topics if t in record["topics"]) or "(none)"


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def split_tables(by_split: dict[str, list[dict]], topics: tuple[str, ...], stances: tuple[str, ...]) -> str:
    everything = [r for records in by_split.values() for r in records]
    columns = list(by_split) + ["all"]
    groups = list(by_split.values()) + [everything]
    rows = [["paragraphs"] + [len(g) for g in groups]]
    rows += [[f"topic `{t}`"] + [sum(t in r["topics"] for r in g) for g in groups] for t in topics]
    rows += [["no topic"] + [sum(not r["topics"] for r in g) for g in groups]]
    rows += [["  of which page furniture"] + [sum(r.get("genre") == "page-furniture" for r in g) for g in groups]]
    rows += [[f"stance `{s}`"] + [sum(r["stance"] == s for r in g) for g in groups] for s in stances]
    rows += [["hard cases"] + [sum(bool(r.get("hard")) for r in g) for g in groups]]
    return _table(["count"] + columns, rows)


def combination_table(records: list[dict], topics: tuple[str, ...], stances: tuple[str, ...]) -> str:
    cells = collections.Counter((topic_key(r, topics), r["stance"]) for r in records)
    keys = sorted({k for k, _ in cells}, key=lambda k: (k.count("+"), k))
    rows = [[k] + [cells[(k, s)] for s in stances] + [sum(cells[(k, s)] for s in stances)] for k in keys]
    return _table(["topics"] + list(stances) + ["total"], rows)


def topic_stance_table(records: list[dict], topics: tuple[str, ...], stances: tuple[str, ...]) -> str:
    rows = [[t] + [sum(t in r["topics"] and r["stance"] == s for r in records) for s in stances] for t in topics]
    return _table(["topic"] + list(stances), rows)


def genre_table(by_split: dict[str, list[dict]]) -> str:
    genres = sorted({r.get("genre", "?") for records in by_split.values() for r in records})
    rows = [[g] + [sum(r.get("genre") == g for r in records) for records in by_split.values()] for g in genres]
    rows = [row + [sum(row[1:])] for row in rows]
    return _table(["genre"] + list(by_split) + ["all"], rows)


def length_table(records: list[dict]) -> str:
    counts = [sum(lo <= len(r["text"].split()) <= hi for r in records) for lo, hi in LENGTH_BINS]
    widest = max(counts)
    rows = [[f"{lo}–{hi}", n, "█" * round(40 * n / widest)] for (lo, hi), n in zip(LENGTH_BINS, counts)]
    return _table(["words", "paragraphs", ""], rows)


def shared_runs(train: list[dict], others: list[dict], n: int = 8) -> dict[str, set[str]]:
    """For each record of `others`, the ids of the `train` records it shares a run of `n` words with.

    A looser check than `near_duplicates`: one shared phrase is enough, which also catches
    writers who converged on the same scene or the same invented name.
    """
    index: dict[tuple[str, ...], set[str]] = collections.defaultdict(set)
    for r in train:
        for gram in shingles(r["text"], n):
            if len(gram) == n:
                index[gram].add(r["id"])
    shared = {}
    for r in others:
        ids = set().union(*(index.get(gram, set()) for gram in shingles(r["text"], n)))
        if ids:
            shared[r["id"]] = ids
    return shared


def _written_as(record: dict) -> str:
    """How a training paragraph was written: in a run from an imaginary article, in a contrast set, or alone."""
    if record.get("article"):
        return "article runs"
    return "contrast sets" if record.get("contrast") else "standalone excerpts"


def overlap_table(by_split: dict[str, list[dict]], n: int = 8) -> str:
    """How many dev and test paragraphs share an n-word run with training paragraphs, by how those were written."""
    train = by_split["train"]
    kind = {r["id"]: _written_as(r) for r in train}
    order = ["standalone excerpts", "article runs", "contrast sets"]
    kinds = sorted(set(kind.values()), key=order.index)
    rows = []
    for split in (s for s in by_split if s != "train"):
        shared = shared_runs(train, by_split[split], n)
        row = [f"`{split}` ({len(by_split[split])})"]
        row += [sum(any(kind[i] == k for i in ids) for ids in shared.values()) for k in kinds]
        rows.append(row + [len(shared)])
    header = ["split"] + [f"with {k} ({sum(v == k for v in kind.values())})" for k in kinds] + ["with any"]
    return _table(header, rows)


def data_card_tables(data_dir: Path, topics: tuple[str, ...], stances: tuple[str, ...]) -> str:
    by_split = {s: read_jsonl(Path(data_dir) / f"{s}.jsonl") for s in SPLITS}
    everything = [r for records in by_split.values() for r in records]
    return "\n\n".join(
        [
            "### Counts per split\n\n" + split_tables(by_split, topics, stances),
            "### Topic combination × stance (all splits)\n\n" + combination_table(everything, topics, stances),
            "### Topic × stance (all splits)\n\n" + topic_stance_table(everything, topics, stances),
            "### Genres\n\n" + genre_table(by_split),
            "### Paragraph length (all splits)\n\n" + length_table(everything),
            "### Dev and test paragraphs sharing a run of 8 words with training paragraphs\n\n" + overlap_table(by_split),
        ]
    )


if __name__ == "__main__":
    print(data_card_tables(Path("data"), ("security", "history", "trade"), ("favor", "against", "neutral")))
