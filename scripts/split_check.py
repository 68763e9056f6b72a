"""How `--split auto` rejoins a hard-wrapped article: the README's figures for paragraph splitting.

    python scripts/split_check.py

Wraps the 46 paragraphs of the seed article with Python's `textwrap` at several
widths, with blank lines between paragraphs (as in e-mail) and without (as in
some wire copy), and counts the paragraphs that come back exactly, for the
`auto` rule and for its lower-case rule alone (what `auto` did before the
wrap-width rule). Prints one line per width.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import model.split as split

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_f2df8ba819672c2e.txt"


def exact(text: str, paragraphs: list[str]) -> tuple[int, int]:
    got = [p.text for p in split.split_paragraphs(text)]
    return sum(p in got for p in paragraphs), len(got)


def main() -> None:
    paragraphs = [" ".join(line.split()) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    wrap_rule = split._is_wrapped
    print(f"seed article, {len(paragraphs)} paragraphs: exact (paragraphs returned)")
    print("width  blank lines: auto | lower-case rule only    no blank lines: auto | lower-case rule only")
    for width in (50, 60, 72, 80, 100):
        row = []
        for joiner in ("\n\n", "\n"):
            text = joiner.join(textwrap.fill(p, width) for p in paragraphs) + "\n"
            split._is_wrapped = wrap_rule
            auto = exact(text, paragraphs)
            split._is_wrapped = lambda block, width: False
            lower = exact(text, paragraphs)
            split._is_wrapped = wrap_rule
            row.append(f"{auto[0]:>2} ({auto[1]:>2}) | {lower[0]:>2} ({lower[1]:>2})")
        print(f"{width:>5}  {row[0]:>25}    {row[1]:>30}")


if __name__ == "__main__":
    main()
