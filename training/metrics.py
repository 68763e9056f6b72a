"""The evaluation metrics, in the stable JSON shape `trilat evaluate --json` prints."""
from __future__ import annotations

import numpy as np

from model.labels import LabelSchema


def _prf(gold: np.ndarray, pred: np.ndarray) -> dict:
    """Precision, recall, F1 and support of one binary label (0 where undefined)."""
    tp = int(np.sum(gold & pred))
    predicted, support = int(pred.sum()), int(gold.sum())
    precision = tp / predicted if predicted else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def topic_metrics(gold: np.ndarray, pred: np.ndarray, topics: tuple[str, ...]) -> dict:
    """`gold` and `pred` are boolean (n, n_topics) matrices."""
    gold, pred = gold.astype(bool), pred.astype(bool)
    per_label = {t: _prf(gold[:, i], pred[:, i]) for i, t in enumerate(topics)}
    micro = _prf(gold.ravel(), pred.ravel())["f1"]
    macro = float(np.mean([m["f1"] for m in per_label.values()])) if topics else 0.0
    exact = float(np.mean(np.all(gold == pred, axis=1))) if len(gold) else 0.0
    return {"micro_f1": micro, "macro_f1": macro, "exact_match": exact, "per_label": per_label}


def stance_metrics(gold: np.ndarray, pred: np.ndarray, labels: LabelSchema) -> dict:
    """`gold` and `pred` are integer stance indices into `labels.stances`."""
    stances = labels.stances
    per_label = {s: _prf(gold == i, pred == i) for i, s in enumerate(stances)}
    confusion = np.zeros((len(stances), len(stances)), dtype=int)
    np.add.at(confusion, (gold, pred), 1)
    return {
        "macro_f1": float(np.mean([m["f1"] for m in per_label.values()])),
        # SemEval-2016 Task 6: mean F1 of the polar classes.
        "f_avg": float(np.mean([per_label[s]["f1"] for s in labels.polar_stances])),
        "accuracy": float(np.mean(gold == pred)) if len(gold) else 0.0,
        "per_label": per_label,
        "confusion": {"labels": list(stances), "matrix": confusion.tolist()},
    }


def compute_metrics(gold_topics, pred_topics, gold_stance, pred_stance, labels: LabelSchema) -> dict:
    gold_stance, pred_stance = np.asarray(gold_stance, dtype=int), np.asarray(pred_stance, dtype=int)
    return {
        "n": int(len(gold_stance)),
        "topics": topic_metrics(np.asarray(gold_topics), np.asarray(pred_topics), labels.topics),
        "stance": stance_metrics(gold_stance, pred_stance, labels),
    }


def selection_score(metrics: dict) -> float:
    """The single number model selection maximises: mean of topic and stance macro F1."""
    return (metrics["topics"]["macro_f1"] + metrics["stance"]["macro_f1"]) / 2


def tune_thresholds(probs: np.ndarray, gold: np.ndarray, topics: tuple[str, ...]) -> dict[str, float]:
    """Per-topic decision threshold that maximises F1 on held-out data.

    Ties go to the threshold nearest 0.5; a topic without positives keeps 0.5.
    """
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    thresholds = {}
    for column, topic in enumerate(topics):
        target = gold[:, column].astype(bool)
        if not target.any():
            thresholds[topic] = 0.5
            continue
        f1s = [_prf(target, probs[:, column] >= cut)["f1"] for cut in grid]
        best = max(f1s)
        candidates = [cut for cut, f1 in zip(grid, f1s) if f1 >= best - 1e-12]
        thresholds[topic] = float(min(candidates, key=lambda cut: abs(cut - 0.5)))
    return thresholds
