"""Dev scores of both models trained on nested random fractions of the training split.

    python scripts/learning_curve.py [--fractions 0.25 0.5] [--seed 0] [--out runs/curve]

Asks whether more paragraphs like ours would widen the transformer's stance
lead over TF-IDF. Each fraction keeps that share of `data/train.jsonl`, drawn
with `--seed` (the smaller sets lie inside the larger), and runs
`trilat train` on it with `configs/tfidf.yaml` and `configs/minilm.yaml` as
they are. The full split is read from the shipped models' recorded dev
metrics (`model/baseline`, `model/default`), which those configs reproduce.
Dev only: test and seeds are never read. MiniLM takes about 16 min per
full split on 2 cores, so 0.25 and 0.5 take about 12 min together.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {"tfidf": ROOT / "model" / "baseline", "minilm": ROOT / "model" / "default"}


def subsets(lines: list[str], fractions: list[float], seed: int) -> dict[float, list[str]]:
    """Nested subsets: one shuffle, each fraction a prefix of it, kept in the file's order."""
    order = list(range(len(lines)))
    random.Random(seed).shuffle(order)
    return {f: [lines[i] for i in sorted(order[: round(f * len(lines))])] for f in fractions}


def dev_scores(model_dir: Path) -> tuple[float, float]:
    metrics = json.loads((model_dir / "trilat.json").read_text(encoding="utf-8"))["dev_metrics"]
    return metrics["topics"]["macro_f1"], metrics["stance"]["macro_f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5])
    parser.add_argument("--seed", type=int, default=0, help="seed of the draw of training paragraphs")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "curve")
    args = parser.parse_args()
    if not all(0 < f < 1 for f in args.fractions):
        parser.error("fractions lie strictly between 0 and 1 (the full split is the shipped models)")

    lines = (ROOT / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for fraction, chosen in sorted(subsets(lines, args.fractions, args.seed).items()):
        train_file = args.out / f"train-{fraction:g}.jsonl"
        train_file.write_text("\n".join(chosen) + "\n", encoding="utf-8")
        scores = {}
        for kind in ("tfidf", "minilm"):
            model_dir = args.out / f"{kind}-{fraction:g}"
            command = [sys.executable, "-m", "trilat", "train", str(ROOT / "configs" / f"{kind}.yaml"),
                       "--set", f"data.train={train_file}", "--output", str(model_dir)]
            print("$", " ".join(command[1:]), flush=True)
            subprocess.run(command, cwd=ROOT, check=True)
            scores[kind] = dev_scores(model_dir)
        rows.append((len(chosen), scores))
    rows.append((len(lines), {kind: dev_scores(path) for kind, path in SHIPPED.items()}))

    print("\ndev macro F1 (topics / stance) by training paragraphs")
    print(f"{'paragraphs':>10}  {'TF-IDF':>13}  {'MiniLM':>13}  {'stance lead':>11}")
    for n, scores in rows:
        (tt, ts), (mt, ms) = scores["tfidf"], scores["minilm"]
        print(f"{n:>10}  {tt:.3f} / {ts:.3f}  {mt:.3f} / {ms:.3f}  {ms - ts:>+11.3f}")


if __name__ == "__main__":
    main()
