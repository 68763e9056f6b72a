"""Would a per-stance bias, fitted on dev with the temperature, help? Cross-validated on dev.

    python scripts/stance_bias.py [--model model/baseline --model model/default] [--folds 10] [--seed 0]

The study of reports/bias/PLAN.md. Each model scores dev once, uncalibrated.
Dev is cut into folds stratified by stance; for each fold the calibration
(the temperature alone, or the temperature and a bias per stance) is fitted
on the other folds and decides the held-out fold. The pooled out-of-fold
stance macro F1 of the two is the estimate of what the bias gains on
paragraphs it was not fitted on; the plan adopts the bias for a model kind
when it gains at least 0.01. The temperature alone never changes a decision,
so its row is the model's own. Dev only: test and seeds are never read.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.interface import calibrated_stance  # noqa: E402
from model.io import load_model  # noqa: E402
from training.calibration import fit_temperature, fit_temperature_and_bias  # noqa: E402
from training.data import read_records  # noqa: E402
from training.evaluate import gold_arrays  # noqa: E402
from training.metrics import stance_metrics  # noqa: E402

GAIN_TO_ADOPT = 0.01


def stratified_folds(gold: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """A fold number for each paragraph: each stance's paragraphs shuffled, then dealt round the folds."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(gold), dtype=int)
    start = 0
    for stance in np.unique(gold):
        members = rng.permutation(np.flatnonzero(gold == stance))
        fold[members] = (start + np.arange(len(members))) % folds
        start += len(members)
    return fold


def out_of_fold(probs: np.ndarray, gold: np.ndarray, fold: np.ndarray) -> dict[str, np.ndarray]:
    """Decisions for every paragraph from calibrations fitted without its fold."""
    decided = {"temperature": np.empty(len(gold), dtype=int), "temperature + bias": np.empty(len(gold), dtype=int)}
    for k in np.unique(fold):
        fit, held = fold != k, fold == k
        temperature = fit_temperature(probs[fit], gold[fit])
        decided["temperature"][held] = calibrated_stance(probs[held], temperature, None).argmax(axis=1)
        temperature, bias = fit_temperature_and_bias(probs[fit], gold[fit])
        decided["temperature + bias"][held] = calibrated_stance(probs[held], temperature, bias).argmax(axis=1)
    return decided


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", default=None, help="model directory (repeatable; default: both shipped models)")
    parser.add_argument("--data", default=str(ROOT / "data" / "dev.jsonl"), help="labeled dev data")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0, help="seed of the fold assignment")
    args = parser.parse_args()
    for directory in args.model or [str(ROOT / "model" / "baseline"), str(ROOT / "model" / "default")]:
        model = load_model(directory, "fp32")  # the arithmetic of the calibration step at training time
        records = read_records(args.data, model.labels)
        model.stance_temperature, model.stance_bias = 1.0, None
        probs = model.scores([r.text for r in records]).stance_probs
        _, gold = gold_arrays(records, model.labels)
        fold = stratified_folds(gold, args.folds, args.seed)
        f1 = {name: stance_metrics(gold, pred, model.labels)["macro_f1"] for name, pred in out_of_fold(probs, gold, fold).items()}
        temperature, bias = fit_temperature_and_bias(probs, gold)
        whole = stance_metrics(gold, calibrated_stance(probs, temperature, bias).argmax(axis=1), model.labels)
        gain = f1["temperature + bias"] - f1["temperature"]
        print(f"{directory} ({model.kind}), {len(gold)} paragraphs, {args.folds} folds (seed {args.seed})")
        print(f"  out-of-fold stance macro F1: temperature {f1['temperature']:.4f}, temperature + bias {f1['temperature + bias']:.4f}, "
              f"gain {gain:+.4f} -> {'adopt' if gain >= GAIN_TO_ADOPT else 'keep the temperature alone'}")
        print(f"  fitted on all of it: T {temperature}, bias {dict(zip(model.labels.stances, bias))}, "
              f"stance macro F1 {whole['macro_f1']:.4f} (in-sample, optimistic)")
        print(f"  confusion (rows gold, columns predicted, {', '.join(model.labels.stances)}): "
              f"as trained {stance_metrics(gold, probs.argmax(axis=1), model.labels)['confusion']['matrix']}, "
              f"with bias {whole['confusion']['matrix']}")


if __name__ == "__main__":
    main()
