"""What the stance temperature and bfloat16 do to the shipped models' scores.

    python scripts/score_effects.py

Prints, for each shipped model on the test split and the seed, the stance
ECE as shipped (the temperature fitted on dev, and the per-stance bias
where the model has one) and uncalibrated (T = 1, no bias); then, for the
default model over dev, test and seed together, how far bfloat16 moves the
probabilities from float32 and how many decisions it changes. These are the
figures the README quotes under Results.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.io import load_model  # noqa: E402
from training.calibration import reliability_bins  # noqa: E402
from training.data import read_records  # noqa: E402
from training.evaluate import gold_arrays  # noqa: E402

DATA = {"test": ROOT / "data" / "test.jsonl", "seed": ROOT / "seeds" / "labeled.jsonl", "dev": ROOT / "data" / "dev.jsonl"}


def stance_ece(model, records) -> float:
    _, gold = gold_arrays(records, model.labels)
    return reliability_bins(model.scores([r.text for r in records]).stance_probs, gold)["ece"]


def temperature_effect() -> None:
    print(f"{'model':<16} {'data':<5} {'T':>7} {'bias':>20} {'ECE shipped':>12} {'ECE at T=1':>11}")
    for path in ("model/baseline", "model/default"):
        model = load_model(ROOT / path, "auto")
        fitted, bias = model.stance_temperature, model.stance_bias
        shown = "none" if bias is None else " ".join(f"{b:+.2f}" for b in bias)
        for name in ("test", "seed"):
            records = read_records(DATA[name], model.labels)
            model.stance_temperature, model.stance_bias = fitted, bias
            with_t = stance_ece(model, records)
            model.stance_temperature, model.stance_bias = 1.0, None
            print(f"{path:<16} {name:<5} {fitted:7.4f} {shown:>20} {with_t:12.3f} {stance_ece(model, records):11.3f}")


def precision_effect() -> None:
    exact, fast = load_model(None, "fp32"), load_model(None, "bf16")
    texts = [r.text for name in ("dev", "test", "seed") for r in read_records(DATA[name], exact.labels)]
    a, b = exact.scores(texts), fast.scores(texts)
    pa, pb = exact.predict(texts), fast.predict(texts)
    stance_moves, topic_moves = np.abs(a.stance_probs - b.stance_probs), np.abs(a.topic_probs - b.topic_probs)
    print(f"\nbf16 against fp32, default model, {len(texts)} dev+test+seed paragraphs:")
    print(f"  stance probability moved: mean {stance_moves.mean():.4f}, max {stance_moves.max():.4f}")
    print(f"  topic probability moved:  mean {topic_moves.mean():.4f}, max {topic_moves.max():.4f}")
    print(f"  stance decisions changed: {sum(x.stance != y.stance for x, y in zip(pa, pb))}; "
          f"topic sets changed: {sum(x.topics != y.topics for x, y in zip(pa, pb))}")


if __name__ == "__main__":
    temperature_effect()
    precision_effect()
