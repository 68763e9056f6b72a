"""How `--split auto` and `--split blank` handle hard-wrapped, flowing and web-shaped text.

The README's figures for paragraph splitting:

    python scripts/split_check.py [--documents 5000] [--seed 0]

First wraps the 46 paragraphs of the seed article at several widths, with
Python's `textwrap` and as a proportional font would (`fill_proportional`),
with and without blank lines between paragraphs, and counts the paragraphs
`auto` (and `blank`, where blank lines separate them) gives back exactly.
Then builds random documents from the training split's paragraphs and prints
how many come back wrong from `auto` (and how many of those with fewer or
with more paragraphs than they have), from `auto` without its width rules
(the lower-case and hyphen rules alone), from `auto` with the flowing rule
switched off (as it was before that rule) and from `blank`, and the share
of paragraphs `auto` returns exactly:

- wrapped: 2-6 paragraphs wrapped at a random width of 40-120 columns, blank
  lines between them;
- web copy: blocks of 1-4 whole paragraphs, one per line, blank lines between
  blocks;
- short lines: the same with one-sentence lines (sentences of at most 140
  characters), the shape of headlines, captions and lists;
- wrapped, then short lines: 2-4 paragraphs wrapped at 60-80 columns, then
  a block of 2-4 sentences no wider than the width, one per line (a
  newsletter's list of headlines), where a width rule is most likely to join
  lines it should not;
- wrapped, no blank lines: as the first kind, one paragraph straight after
  another (text copied from a PDF or a terminal);
- proportional, no blank lines: 2-6 paragraphs broken where a line of
  60-100 average characters of a proportional font fills, one straight after
  another (text copied from a PDF);
- proportional, blank lines: the same with blank lines between them;
- one paragraph, wrapped / proportional: a single paragraph, wrapped at
  40-120 columns or in a proportional font at 60-100 (a paragraph pasted
  from a PDF or an e-mail).
"""
from __future__ import annotations

import argparse
import contextlib
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
    print(f"seed article, {len(paragraphs)} paragraphs wrapped at each width: paragraphs auto returns exactly"
          " (before the flowing rule); blank where blank lines separate them")
    shapes = (("textwrap, blank lines", textwrap.fill, "\n\n"), ("textwrap, none", textwrap.fill, "\n"),
              ("proportional, blank lines", fill_proportional, "\n\n"), ("proportional, none", fill_proportional, "\n"))
    print("width   " + "   ".join(f"{name:<25}" for name, _, _ in shapes))
    for width in (50, 60, 72, 80, 100):
        cells = []
        for _, fill, separator in shapes:
            text = separator.join(fill(p, width) for p in paragraphs) + "\n"
            auto, before = ([p.text for p in splitter(text)] for splitter in (split_auto, before_flowing_rule))
            cell = f"{sum(p in auto for p in paragraphs):>2} ({sum(p in before for p in paragraphs):>2})"
            if separator == "\n\n":
                cell += f", blank {sum(p.text in paragraphs for p in split_paragraphs(text, 'blank')):>2}"
            cells.append(f"{cell:<25}")
        print(f"{width:>5}   " + "   ".join(cells))


# Rough advances of a sans-serif font, in thousandths of the type size; anything else is an average lower-case letter.
_ADVANCE = {**dict.fromkeys(" ijlft.,:;'!|\u2018\u2019", 280), **dict.fromkeys("r()-\"\u201c\u201d", 330),
            **dict.fromkeys("mw", 830), **dict.fromkeys("MW", 900), "I": 280, "\u2014": 1000}
_AVERAGE = 500  # the advance that makes a line of `width` characters on average


def fill_proportional(text: str, width: int) -> str:
    """Break `text` where a line set in a proportional font fills a measure of about `width` average characters.

    Lines broken this way end at a number of characters that varies with the
    letters in them, as in text copied from a PDF, so no fixed-width wrapper
    fits them.
    """
    def advance(word: str) -> int:
        return sum(_ADVANCE.get(c, 650 if c.isupper() else 550) for c in word)

    measure, space = width * _AVERAGE, _ADVANCE[" "]
    lines, line, filled = [], [], 0
    for word in text.split():
        if line and filled + space + advance(word) > measure:
            lines.append(" ".join(line))
            line, filled = [], 0
        filled += (space if line else 0) + advance(word)
        line.append(word)
    return "\n".join(lines + [" ".join(line)])


def documents(kind: str, texts: list[str], sentences: list[str], generator: random.Random) -> tuple[str, list[str]]:
    if kind in ("wrapped", "wrapped, no blank lines"):
        sample = generator.sample(texts, generator.randint(2, 6))
        width = generator.randint(40, 120)
        separator = "\n\n" if kind == "wrapped" else "\n"
        return separator.join(textwrap.fill(p, width) for p in sample) + "\n", sample
    if kind.startswith("one paragraph"):
        paragraph = generator.choice(texts)
        if kind.endswith("wrapped"):
            return textwrap.fill(paragraph, generator.randint(40, 120)) + "\n", [paragraph]
        return fill_proportional(paragraph, generator.randint(60, 100)) + "\n", [paragraph]
    if kind.startswith("proportional"):
        sample = generator.sample(texts, generator.randint(2, 6))
        width = generator.randint(60, 100)
        separator = "\n" if kind.endswith("no blank lines") else "\n\n"
        return separator.join(fill_proportional(p, width) for p in sample) + "\n", sample
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


KINDS = ("wrapped", "web copy", "short lines", "wrapped, then short lines",
         "wrapped, no blank lines", "proportional, no blank lines", "proportional, blank lines",
         "one paragraph, wrapped", "one paragraph, proportional")


def fuzz(count: int, seed: int) -> None:
    texts = [" ".join(json.loads(line)["text"].split()) for line in TRAIN.read_text(encoding="utf-8").splitlines()]
    sentences = [s for t in texts for s in t.split(". ") if len(s) <= 140]
    print(f"\n{count} random documents of each kind from {TRAIN.relative_to(ROOT)} (seed {seed}): documents not split exactly,"
          " and the share of paragraphs auto returns exactly")
    variants = {"auto": split_auto, "without width rules": line_end_rules_only, "before flowing rule": before_flowing_rule,
                "blank": lambda text: split_paragraphs(text, "blank")}
    print(f"{'kind':<30} {'auto (fewer, more paragraphs)':<29}   {'without width rules':>19}   {'before flowing rule':>19}   "
          f"{'blank':>5}   paragraphs exact")
    merged = dict.fromkeys(variants, 0)
    for kind in KINDS:
        generator = random.Random(seed)
        wrong = dict.fromkeys(variants, 0)
        exact = total = fewer = more = 0
        for _ in range(count):
            text, want = documents(kind, texts, sentences, generator)
            for name, splitter in variants.items():
                got = [p.text for p in splitter(text)]
                bad, bad_tail = wrong_parts(got, want)
                wrong[name] += bad
                merged[name] += bad_tail
                if name == "auto":
                    wanted = [w for w in want if w != LIST_MARK]
                    exact += sum(w in got for w in wanted)
                    total += len(wanted)
                    fewer += bad and len(got) < len(wanted)
                    more += bad and len(got) > len(wanted)
        counts = f"{wrong['auto']:>5} ({fewer}, {more})"
        print(f"{kind:<30} {counts:<29}   {wrong['without width rules']:>19}   {wrong['before flowing rule']:>19}   "
              f"{wrong['blank']:>5}   {exact / total:>16.3f}")
    print(f"  of 'wrapped, then short lines', the block of short lines not returned line by line: auto {merged['auto']},"
          f" without width rules {merged['without width rules']}, before the flowing rule {merged['before flowing rule']}")


def split_auto(text: str) -> list[split.Paragraph]:
    return split_paragraphs(text, "auto")


def line_end_rules_only(text: str) -> list[split.Paragraph]:
    """`auto` with both width rules (hard-wrapped and flowing text) switched off: the lower-case and hyphen rules alone."""
    with patched(_layout=lambda lines: None):
        return split_paragraphs(text, "auto")


def before_flowing_rule(text: str) -> list[split.Paragraph]:
    """`auto` as it was before the flowing rules: no line is joined for being full (the layouts are still read)."""
    with patched(_flow_measure=lambda lines: None, _fills=lambda previous, following, layout: False):
        return split_paragraphs(text, "auto")


@contextlib.contextmanager
def patched(**functions):
    """Replace functions of `model.split` for a moment: a study hook, not an option."""
    saved = {name: getattr(split, name) for name in functions}
    for name, function in functions.items():
        setattr(split, name, function)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(split, name, function)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000, help="random documents of each kind (default 5000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    seed_table()
    fuzz(args.documents, args.seed)


if __name__ == "__main__":
    main()
