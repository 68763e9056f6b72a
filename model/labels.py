"""The label schema: which topics and stance classes a model knows.

Label names come from the training config and travel with every saved model;
nothing else in the code base names a particular topic or stance.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelSchema:
    topics: tuple[str, ...]
    stances: tuple[str, ...]
    # The stance that takes no position; F_avg averages F1 over the other ones.
    neutral: str = "neutral"

    def __post_init__(self) -> None:
        if not self.topics and not self.stances:
            raise ValueError("a label schema needs topics or stances")
        for kind, names in (("topic", self.topics), ("stance", self.stances)):
            if len(set(names)) != len(names):
                raise ValueError(f"repeated {kind} label in {list(names)}")
        if len(self.stances) < 2:
            raise ValueError("a label schema needs at least two stance classes")
        if self.neutral not in self.stances:
            raise ValueError(f"neutral stance {self.neutral!r} is not one of {list(self.stances)}")

    @property
    def polar_stances(self) -> tuple[str, ...]:
        return tuple(s for s in self.stances if s != self.neutral)

    def to_dict(self) -> dict:
        return {"topics": list(self.topics), "stances": list(self.stances), "neutral": self.neutral}

    @classmethod
    def from_dict(cls, data: dict) -> "LabelSchema":
        return cls(
            topics=tuple(data["topics"]),
            stances=tuple(data["stances"]),
            neutral=data.get("neutral", "neutral"),
        )
