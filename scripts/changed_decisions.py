"""Which decisions one model changes against another on labeled paragraphs, and whether toward the gold labels.

    python scripts/changed_decisions.py OLD_MODEL NEW_MODEL DATA [DATA ...] [--precision auto]

For each data file it prints how many stance decisions and topic sets differ
between the two models, how many of those moved to the gold label and how
many away from it, and the ids of the changed topic sets. The README's
comparison of the default model with the one it replaced quotes these.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Changes:
    changed: int = 0
    to_gold: int = 0
    from_gold: int = 0
    ids: list[str] = field(default_factory=list)

    def add(self, record_id: str, old, new, gold) -> None:
        if old == new:
            return
        self.changed += 1
        self.to_gold += new == gold
        self.from_gold += old == gold
        self.ids.append(record_id)

    def line(self) -> str:
        return f"{self.changed} changed, {self.to_gold} to the gold label, {self.from_gold} away from it"


def compare(records, old_predictions, new_predictions) -> tuple[Changes, Changes]:
    """(stance changes, topic-set changes) from `old` to `new` predictions of the same records."""
    stance, topics = Changes(), Changes()
    for record, old, new in zip(records, old_predictions, new_predictions, strict=True):
        stance.add(record.id, old.stance, new.stance, record.stance)
        topics.add(record.id, frozenset(old.topics), frozenset(new.topics), frozenset(record.topics))
    return stance, topics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"])
    args = parser.parse_args()
    from model.errors import TrilatError
    from model.io import load_model
    from training.data import read_records

    try:
        old, new = load_model(args.old, args.precision), load_model(args.new, args.precision)
        for path in args.data:
            records = read_records(path, new.labels)
            texts = [r.text for r in records]
            stance, topics = compare(records, old.predict(texts), new.predict(texts))
            print(f"{path} ({len(records)}): stance {stance.line()}; topic sets {topics.line()} {' '.join(topics.ids)}".rstrip())
    except TrilatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
