"""How `--split auto` and `--split blank` handle hard-wrapped and web-shaped text: the README's figures for paragraph splitting.

    python scripts/split_check.py [--documents 5000] [--seed 0]

First wraps the 46 paragraphs of the seed article with Python's `textwrap` at
several widths, with blank lines between paragraphs (as in e-mail), and counts
the paragraphs each mode gives back exactly (one line per width). Then builds
random documents from the training split's paragraphs and prints how many
come back wrong from `auto`, from `auto` without its width rule (the
lower-case and hyphen rules alone) and from `blank`:

- wrapped: 2-6 paragraphs wrapped at a random width of 40-120 columns, blank
  lines between them;
- web copy: blocks of 1-4 whole paragraphs, one per line, blank lines between
  blocks;
- short lines: the same with one-sentence lines (sentences of at most 140
  characters), the shape of headlines, captions and lists;
- wrapped, then short lines: 2-4 paragraphs wrapped at 60-80 columns, then
  a block of 2-4 sentences no wider than the width, one per line (a
  newsletter's list of headlines), where a width rule is most likely to join
  lines it should not.
"""
from __future__ import annotations

import argparse
import json
import random
import textwrap
from pathlib import Path

from model import split
from model.split import split_paragraphs

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_f2df8ba819672c2e.txt"
TRAIN = ROOT / "data" / "train.jsonl"


def seed_table() -> None:
    paragraphs = [" ".join(line.split()) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"seed article wrapped with blank lines between its {len(paragraphs)} paragraphs: exact (paragraphs returned)")
    print("width   auto      blank")
    for width in (50, 60, 72, 80, 100):
        text = "\n\n".join(textwrap.fill(p, width) for p in paragraphs) + "\n"
        cells = []
        for mode in ("auto", "blank"):
            got = [p.text for p in split_paragraphs(text, mode)]
            cells.append(f"{sum(p in got for p in paragraphs):>2} ({len(got):>2})")
        print(f"{width:>5}   {cells[0]}   {cells[1]}")


def documents(kind: str, texts: list[str], sentences: list[str], generator: random.Random) -> tuple[str, list[str]]:
    if kind == "wrapped":
        sample = generator.sample(texts, generator.randint(2, 6))
        width = generator.randint(40, 120)
        return "\n\n".join(textwrap.fill(p, width) for p in sample) + "\n", sample
    if kind == "wrapped, then short lines":
        sample = generator.sample(texts, generator.randint(2, 4))
        width = generator.randint(60, 80)
        fitting = [s for s in generator.sample(sentences, 200) if len(s) <= width][: generator.randint(2, 4)]
        text = "\n\n".join(textwrap.fill(p, width) for p in sample) + "\n\n" + "\n".join(fitting) + "\n"
        return text, sample + [LIST_MARK, *fitting]
    pool = texts if kind == "web copy" else sentences
    blocks = [generator.sample(pool, generator.randint(1, 4)) for _ in range(generator.randint(2, 6))]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n", [line for block in blocks for line in block]


LIST_MARK = "\0"  # in a wanted list: the paragraphs after it are the trailing block of short lines


def wrong_parts(got: list[str], want: list[str]) -> tuple[bool, bool]:
    """(the document is not split exactly, its trailing block of short lines is not) for `want` as `documents` returns it."""
    if LIST_MARK not in want:
        return got != want, False
    cut = want.index(LIST_MARK)
    head, tail = want[:cut], want[cut + 1 :]
    return got != head + tail, got[-len(tail) :] != tail


def fuzz(count: int, seed: int) -> None:
    texts = [" ".join(json.loads(line)["text"].split()) for line in TRAIN.read_text(encoding="utf-8").splitlines()]
    sentences = [s for t in texts for s in t.split(". ") if len(s) <= 140]
    print(f"\n{count} random documents of each kind from {TRAIN.relative_to(ROOT)} (seed {seed}): documents not split exactly")
    print("kind                        auto   auto without width rule   both wrong   blank")
    for kind in ("wrapped", "web copy", "short lines", "wrapped, then short lines"):
        generator = random.Random(seed)
        wrong = {"auto": 0, "old": 0, "both": 0, "blank": 0}
        merged = {"auto": 0, "old": 0}
        for _ in range(count):
            text, want = documents(kind, texts, sentences, generator)
            auto, auto_merged = wrong_parts([p.text for p in split_paragraphs(text, "auto")], want)
            old, old_merged = wrong_parts([p.text for p in lower_case_rule_only(text)], want)
            wrong["auto"] += auto
            wrong["old"] += old
            wrong["both"] += auto and old
            wrong["blank"] += wrong_parts([p.text for p in split_paragraphs(text, "blank")], want)[0]
            merged["auto"] += auto_merged
            merged["old"] += old_merged
        print(f"{kind:<26} {wrong['auto']:>5}   {wrong['old']:>23}   {wrong['both']:>10}   {wrong['blank']:>5}")
    print(f"  of the last kind, the block of short lines not returned line by line: auto {merged['auto']},"
          f" auto without width rule {merged['old']}")


def lower_case_rule_only(text: str) -> list[split.Paragraph]:
    """`auto` with the width rule switched off, the lower-case and hyphen rules alone (a study hook, not an option)."""
    detect = split._wrap_width
    split._wrap_width = lambda lines: None
    try:
        return split_paragraphs(text, "auto")
    finally:
        split._wrap_width = detect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000, help="random documents of each kind (default 5000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    seed_table()
    fuzz(args.documents, args.seed)


if __name__ == "__main__":
    main()
