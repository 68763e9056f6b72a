"""How `--split auto` and `--split blank` handle a hard-wrapped article: the README's figures for paragraph splitting.

    python scripts/split_check.py

Wraps the 46 paragraphs of the seed article with Python's `textwrap` at several
widths, with blank lines between paragraphs (as in e-mail), and counts the
paragraphs each mode gives back exactly. Prints one line per width.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from model.split import split_paragraphs

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_f2df8ba819672c2e.txt"


def main() -> None:
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


if __name__ == "__main__":
    main()
