"""Scoring a model on labeled records."""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from model.interface import Classifier, Scores
from model.labels import LabelSchema
from training.data import Record
from training.metrics import compute_metrics


def batched(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def score_records(model: Classifier, records: list[Record], batch_size: int = 64, on_batch: Callable[[int], None] | None = None) -> Scores:
    topic_parts, stance_parts = [], []
    for batch in batched(records, batch_size):
        scores = model.scores([r.text for r in batch])
        topic_parts.append(scores.topic_probs)
        stance_parts.append(scores.stance_probs)
        if on_batch is not None:
            on_batch(len(batch))
    return Scores(np.concatenate(topic_parts), np.concatenate(stance_parts))


def gold_arrays(records: list[Record], labels: LabelSchema) -> tuple[np.ndarray, np.ndarray]:
    topics = np.array([[t in r.topics for t in labels.topics] for r in records], dtype=bool).reshape(len(records), len(labels.topics))
    stances = np.array([labels.stances.index(r.stance) for r in records], dtype=int)
    return topics, stances


def metrics_from_scores(scores: Scores, records: list[Record], labels: LabelSchema, thresholds: dict[str, float]) -> dict:
    gold_topics, gold_stance = gold_arrays(records, labels)
    cut = np.array([thresholds.get(t, 0.5) for t in labels.topics])
    pred_topics = scores.topic_probs >= cut
    pred_stance = scores.stance_probs.argmax(axis=1)
    return compute_metrics(gold_topics, pred_topics, gold_stance, pred_stance, labels)


def evaluate_model(model: Classifier, records: list[Record], on_batch=None) -> dict:
    scores = score_records(model, records, on_batch=on_batch)
    return metrics_from_scores(scores, records, model.labels, model.thresholds)
