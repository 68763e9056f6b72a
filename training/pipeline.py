"""`trilat train`: config file in, saved model directory out."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from model.errors import ConfigError
from model.io import META_FILE, save_model
from training.card import write_model_card
from training.config import RunConfig, config_to_dict, load_config
from training.data import read_records
from training.evaluate import gold_arrays, metrics_from_scores
from training.metrics import tune_thresholds
from training.paths import check_creatable_dir
from training.provenance import provenance, seed_everything


@dataclass
class TrainResult:
    directory: Path
    dev_metrics: dict
    classifier: object  # the trained model, as saved
    is_main: bool = True  # False in the other processes of a torchrun run, which write nothing


def train_from_file(config_path: Path, overrides: Sequence[str] = (), output: Path | None = None, resume: bool = False) -> TrainResult:
    config = load_config(config_path, overrides)
    if output is not None:
        config.output = str(output)
    return train(config, resume=resume)


def tune_on_dev(classifier, dev_records, stance_bias: bool = False) -> dict:
    """Tune each topic's decision threshold and the stance calibration on dev, and return the dev metrics.

    The stance calibration is a temperature, which changes no decision, or with
    `stance_bias` a temperature and a bias per stance, which can; the metrics
    are those of the decisions the model will make. One scoring pass serves all.
    """
    from model.interface import calibrated_stance
    from training.calibration import fit_temperature, fit_temperature_and_bias

    classifier.stance_temperature, classifier.stance_bias = 1.0, None
    scores = classifier.scores([r.text for r in dev_records])
    gold_topics, gold_stance = gold_arrays(dev_records, classifier.labels)
    classifier.thresholds = tune_thresholds(scores.topic_probs, gold_topics, classifier.labels.topics)
    if stance_bias:
        classifier.stance_temperature, classifier.stance_bias = fit_temperature_and_bias(scores.stance_probs, gold_stance)
        scores.stance_probs = calibrated_stance(scores.stance_probs, classifier.stance_temperature, classifier.stance_bias)
    else:
        classifier.stance_temperature = fit_temperature(scores.stance_probs, gold_stance)
    return metrics_from_scores(scores, dev_records, classifier.labels, classifier.thresholds)


def write_trained_model(classifier, output: Path, resolved: dict, provenance: dict, metrics: dict, counts: dict) -> None:
    """The model directory: weights and `trilat.json` (resolved config, provenance, dev metrics), and the model card."""
    save_model(classifier, output, config=resolved, provenance=provenance, dev_metrics=metrics)
    write_model_card(output, resolved, metrics, provenance, counts)


# Files a run directory may hold before training: an earlier model of the same kind, or an interrupted run.
RUN_FILES = (META_FILE, "checkpoints", "train_log.jsonl")


def check_output(output: Path, kind: str) -> None:
    """Fail before training, not after it, if the model could not be written to `output` or would mix with other files."""
    check_creatable_dir(output, "output")
    if not output.is_dir():
        return
    meta = output / META_FILE
    if meta.is_file():
        try:
            existing = json.loads(meta.read_text(encoding="utf-8")).get("kind")
        except (ValueError, AttributeError, UnicodeDecodeError):
            existing = None
        if existing not in (None, kind):
            raise ConfigError(f"output {output} holds a {existing} model; a {kind} model there would mix their files: "
                              "choose another --output or remove it")
    elif any(output.iterdir()) and not any((output / name).exists() for name in RUN_FILES):
        raise ConfigError(f"output {output} is a directory with other files in it and no trilat model; choose another --output")


def check_every_label_trained(records, labels, path) -> None:
    """A topic or stance with no training paragraph cannot be learned; say so instead of training a blind head."""
    missing = [f"topic {t!r}" for t in labels.topics if not any(t in r.topics for r in records)]
    missing += [f"stance {s!r}" for s in labels.stances if not any(r.stance == s for r in records)]
    if missing:
        raise ConfigError(f"{path} has no training paragraph for {', '.join(missing)}; label some, or drop it from labels in the config")


def train(config: RunConfig, resume: bool = False, on_epoch_end=None) -> TrainResult:
    output = Path(config.output)
    check_output(output, config.kind)  # before reading data or training; it creates nothing
    if resume and config.kind != "transformer":
        raise ConfigError(f"--resume applies to transformer runs; a {config.kind} run trains in seconds, start it afresh")
    labels = config.labels.schema()
    train_records = read_records(config.data.train, labels)
    dev_records = read_records(config.data.dev, labels)
    check_every_label_trained(train_records, labels, config.data.train)
    # Hash the data now: the model must record the files it was trained on, even if they change mid-run.
    record = provenance(config.seed, {"train": config.data.train, "dev": config.data.dev})
    seed_everything(config.seed)
    if config.kind == "tfidf":
        from training.tfidf import fit_tfidf

        classifier = fit_tfidf(config, train_records)
        is_main = True
    else:
        from training.transformer import fit_transformer

        classifier, is_main = fit_transformer(config, train_records, dev_records, resume=resume, on_epoch_end=on_epoch_end)
    metrics = tune_on_dev(classifier, dev_records, stance_bias=config.calibration.stance_bias)
    if is_main:  # under torchrun only rank 0 writes the model
        counts = {"train": len(train_records), "dev": len(dev_records)}
        write_trained_model(classifier, output, config_to_dict(config), record, metrics, counts)
    return TrainResult(directory=output, dev_metrics=metrics, classifier=classifier, is_main=is_main)
