"""The one interface every model kind answers.

A classifier turns texts into scores (topic probabilities and stance
probabilities, as arrays in label order); `predict` turns those scores into
label strings with the per-topic decision thresholds the model was saved with.
The CLI, evaluation and benchmarks use only this interface, never the kind.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Optional, Sequence

import numpy as np

from model.errors import ModelError
from model.labels import LabelSchema

PRECISIONS = ("auto", "fp32", "bf16")


def check_precision(precision: str, option: str = "precision") -> None:
    if precision not in PRECISIONS:
        raise ModelError(f"unknown {option} {precision!r}; precision must be one of {', '.join(PRECISIONS)}")


@dataclass(frozen=True)
class Prediction:
    topics: list[str]
    topic_scores: dict[str, float]
    stance: str
    stance_scores: dict[str, float]

    def to_dict(self) -> dict:
        return {
            "topics": self.topics,
            "topic_scores": self.topic_scores,
            "stance": self.stance,
            "stance_scores": self.stance_scores,
        }


@dataclass
class Scores:
    """Raw model output for a batch: rows are texts, columns follow the label schema."""

    topic_probs: np.ndarray  # (n, n_topics), independent sigmoid-like probabilities
    stance_probs: np.ndarray  # (n, n_stances), each row sums to 1


class Classifier(ABC):
    """Base class: subclasses set `kind`, implement `scores`, `save` and `load`."""

    kind: ClassVar[str]
    labels: LabelSchema
    thresholds: dict[str, float]
    # Stance logits are divided by this before the softmax; fitted on dev at training time
    # (1: as trained). It changes how sure the scores are, never which stance wins.
    stance_temperature: float = 1.0
    # One number per stance added to the tempered logits, fitted on dev with the temperature when
    # the config asks for it (`calibration.stance_bias`); None: no bias. Unlike the temperature it
    # can change which stance wins.
    stance_bias: Optional[tuple[float, ...]] = None

    @abstractmethod
    def scores(self, texts: Sequence[str]) -> Scores:
        """Probabilities for each text; never truncates a text silently."""

    @abstractmethod
    def save(self, directory: Path) -> list[str]:
        """Write the weights into `directory`; return the file names written.

        `model.io.save_model` writes the metadata and records each file's sha256.
        """

    @classmethod
    @abstractmethod
    def load(cls, directory: Path, meta: dict) -> "Classifier":
        """Rebuild the classifier from a directory written by `save`."""

    def set_precision(self, precision: str) -> None:
        """Arithmetic for scoring: `fp32`, `bf16`, or `auto` (bf16 where the CPU multiplies it natively).

        Models without a lower-precision path (the TF-IDF baseline) check the name and score as always.
        """
        check_precision(precision)
        self.precision = precision

    def scoring_precision(self) -> str:
        """The arithmetic `scores` uses now, as a report should record it."""
        return "float64"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return predictions_from_scores(self.scores(texts), self.labels, self.thresholds)


def calibrated_stance(stance_probs: np.ndarray, temperature: float, bias: Optional[Sequence[float]]) -> np.ndarray:
    """softmax(log p / T + b) for stance probabilities `p` scored at T = 1, no bias: what the classifier gives with T and b set.

    The log of a softmax is the logits less a per-row constant, which the softmax cancels.
    """
    z = np.log(np.clip(np.asarray(stance_probs, dtype=np.float64), 1e-300, None)) / temperature
    if bias is not None:
        z = z + np.asarray(bias, dtype=np.float64)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def predictions_from_scores(scores: Scores, labels: LabelSchema, thresholds: dict[str, float]) -> list[Prediction]:
    cut = np.array([thresholds.get(t, 0.5) for t in labels.topics])
    chosen = scores.topic_probs >= cut
    results = []
    for topic_row, chosen_row, stance_row in zip(scores.topic_probs, chosen, scores.stance_probs):
        results.append(
            Prediction(
                topics=[t for t, keep in zip(labels.topics, chosen_row) if keep],
                topic_scores={t: round(float(p), 4) for t, p in zip(labels.topics, topic_row)},
                stance=labels.stances[int(np.argmax(stance_row))],
                stance_scores={s: round(float(p), 4) for s, p in zip(labels.stances, stance_row)},
            )
        )
    return results
