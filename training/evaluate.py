"""Scoring a model on labeled records."""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from model.errors import DataError
from model.interface import Classifier, Scores
from model.labels import LabelSchema
from training.data import Record, read_records
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


def read_eval_records(path, labels: LabelSchema) -> list[Record]:
    """Records for evaluation; a label the model does not know is named in the error."""
    try:
        return read_records(path, labels)
    except DataError as exc:
        if "unknown topic" in str(exc) or "unknown stance" in str(exc):
            raise DataError(f"{exc}; the model's labels do not match the data's") from None
        raise


def evaluate_model(model: Classifier, records: list[Record], on_batch=None) -> dict:
    scores = score_records(model, records, on_batch=on_batch)
    return metrics_from_scores(scores, records, model.labels, model.thresholds)



def evaluate_files(model_dirs, data_path) -> list[tuple[str, dict]]:
    """Metrics of each saved model on one labeled file, in the order given."""
    from model.io import load_model

    results = []
    for directory in model_dirs:
        model = load_model(directory)
        records = read_eval_records(data_path, model.labels)
        results.append((str(directory), evaluate_model(model, records)))
    return results
