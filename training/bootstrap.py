"""Bootstrap confidence intervals and paired bootstrap p-values over paragraphs.

Each model is scored once; what gets resampled is its per-paragraph gold and
predicted labels (`Outcomes`). A resample is stored as how often each
paragraph was drawn (a row of `weights`), so the metrics of all resamples come
out of a few matrix products instead of a loop over resamples. Resampling
with the same `weights` for every model is what makes a comparison paired.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.errors import TrilatError
from model.interface import Scores
from model.labels import LabelSchema
from training.data import Record
from training.evaluate import gold_arrays

# The metrics that get an interval; the first two are also compared between models.
INTERVAL_METRICS = ("topics.macro_f1", "stance.macro_f1", "stance.f_avg")
COMPARED_METRICS = ("topics.macro_f1", "stance.macro_f1")


@dataclass(frozen=True)
class Outcomes:
    """One model's decisions on n paragraphs next to the gold labels, as the bootstrap sees them."""

    gold_topics: np.ndarray  # (n, n_topics) bool
    pred_topics: np.ndarray  # (n, n_topics) bool
    gold_stance: np.ndarray  # (n, n_stances) bool, one-hot
    pred_stance: np.ndarray  # (n, n_stances) bool, one-hot
    polar_columns: np.ndarray  # stance columns that F_avg averages over

    @classmethod
    def from_scores(cls, scores: Scores, records: list[Record], labels: LabelSchema, thresholds: dict[str, float]) -> "Outcomes":
        gold_topics, gold_stance = gold_arrays(records, labels)
        cut = np.array([thresholds.get(t, 0.5) for t in labels.topics])
        one_hot = np.eye(len(labels.stances), dtype=bool)
        return cls(
            gold_topics=gold_topics,
            pred_topics=scores.topic_probs >= cut,
            gold_stance=one_hot[gold_stance],
            pred_stance=one_hot[scores.stance_probs.argmax(axis=1)],
            polar_columns=np.array([labels.stances.index(s) for s in labels.polar_stances], dtype=int),
        )


def resample_weights(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """(n_resamples, n) draw counts: row b says how often each paragraph appears in resample b.

    Drawing n paragraphs with replacement is a multinomial draw of the counts.
    """
    if n_resamples < 1:
        raise TrilatError(f"--bootstrap must be at least 1 (got {n_resamples})")
    if n < 1:
        raise TrilatError("cannot bootstrap an empty data set")
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_resamples)


def _f1_columns(weights: np.ndarray, gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """F1 of every label column in every resample, shape (n_resamples, n_columns).

    2tp / (predicted + support) equals 2PR / (P + R); it is 0 where a label is
    neither predicted nor present, as in `training.metrics`.
    """
    true_positives = weights @ (gold & pred).astype(float)
    denominator = weights @ pred.astype(float) + weights @ gold.astype(float)
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, 2 * true_positives / safe, 0.0)


def _mean_columns(values: np.ndarray) -> np.ndarray:
    # A schema without topics (or without polar stances) scores 0, as compute_metrics does.
    return values.mean(axis=1) if values.shape[1] else np.zeros(values.shape[0])


def headline_metrics(outcomes: Outcomes, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Topic macro F1, stance macro F1 and F_avg for each row of `weights`."""
    topic_f1 = _f1_columns(weights, outcomes.gold_topics, outcomes.pred_topics)
    stance_f1 = _f1_columns(weights, outcomes.gold_stance, outcomes.pred_stance)
    return {
        "topics.macro_f1": _mean_columns(topic_f1),
        "stance.macro_f1": _mean_columns(stance_f1),
        "stance.f_avg": _mean_columns(stance_f1[:, outcomes.polar_columns]),
    }


def point_estimates(outcomes: Outcomes) -> dict[str, float]:
    """The headline metrics on the data as it is (every paragraph drawn once)."""
    n = len(outcomes.gold_stance)
    return {key: float(values[0]) for key, values in headline_metrics(outcomes, np.ones((1, n))).items()}


def confidence_intervals(outcomes: Outcomes, weights: np.ndarray, level: float = 0.95) -> dict[str, dict[str, float]]:
    """Percentile bootstrap intervals: `{metric: {"estimate", "low", "high"}}`.

    Macro F1 over a small set is skewed (a resample that misses a rare label
    scores 0 on it), so the percentiles can in rare cases all fall on one
    side of the estimate; the interval is then stretched to the estimate,
    because an interval that excludes the observed value misleads.
    """
    estimates = point_estimates(outcomes)
    tail = (1 - level) / 2 * 100
    intervals = {}
    for key, values in headline_metrics(outcomes, weights).items():
        low, high = np.percentile(values, [tail, 100 - tail])
        estimate = estimates[key]
        intervals[key] = {"estimate": estimate, "low": min(float(low), estimate), "high": max(float(high), estimate)}
    return intervals


def paired_p_value(values_a: np.ndarray, values_b: np.ndarray, observed_difference: float) -> float:
    """Two-sided paired bootstrap p-value for "A and B score the same".

    `values_a` and `values_b` hold one metric of two models on the same
    resamples. With d the observed difference A - B and d_b its value in
    resample b: p = 2 * fraction of resamples with d_b <= 0 if d > 0 (with
    d_b >= 0 if d < 0), capped at 1; ties count against the observed
    direction, which keeps the test conservative. A zero observed difference
    (a model compared with itself) gets p = 1.
    """
    differences = values_a - values_b
    if abs(observed_difference) < 1e-12:
        return 1.0
    if observed_difference > 0:
        flipped = np.mean(differences <= 1e-12)
    else:
        flipped = np.mean(differences >= -1e-12)
    return float(min(1.0, 2 * flipped))


def paired_comparison(outcomes_a: Outcomes, outcomes_b: Outcomes, weights: np.ndarray) -> dict[str, dict[str, float]]:
    """`{metric: {"difference": A - B, "p_value": p}}` for topic and stance macro F1."""
    estimates_a, estimates_b = point_estimates(outcomes_a), point_estimates(outcomes_b)
    resampled_a, resampled_b = headline_metrics(outcomes_a, weights), headline_metrics(outcomes_b, weights)
    comparison = {}
    for key in COMPARED_METRICS:
        difference = estimates_a[key] - estimates_b[key]
        comparison[key] = {"difference": difference, "p_value": paired_p_value(resampled_a[key], resampled_b[key], difference)}
    return comparison
