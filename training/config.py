"""Typed run configs loaded from YAML, with strict validation and dotted overrides.

A config file names its `kind` (`tfidf` or `transformer`); the kind picks the
dataclass that validates it. Unknown keys and wrong value types are errors
that name the key and the valid choices, so a typo never trains a model
with a silently ignored setting.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from model.errors import ConfigError
from model.labels import LabelSchema


@dataclass
class LabelsConfig:
    # No defaults: the label sets come from the config file and travel with the model.
    topics: list[str]
    stances: list[str]
    neutral: str  # the stance that takes no position

    def schema(self) -> LabelSchema:
        try:
            return LabelSchema(tuple(self.topics), tuple(self.stances), self.neutral)
        except ValueError as exc:
            raise ConfigError(f"labels: {exc}") from None


@dataclass
class DataConfig:
    train: str = "data/train.jsonl"
    dev: str = "data/dev.jsonl"


@dataclass
class TfidfConfig:
    word_ngram_max: int = 2
    char_ngram_min: int = 2
    char_ngram_max: int = 5
    min_df: int = 1
    max_features: int = 50000  # per vectorizer; bounds the saved model's size
    sublinear_tf: bool = True
    topic_c: float = 10.0
    stance_c: float = 10.0

    def check(self) -> None:
        _require(self.word_ngram_max >= 1, "tfidf.word_ngram_max must be >= 1")
        _require(1 <= self.char_ngram_min <= self.char_ngram_max, "tfidf.char_ngram_min must be between 1 and char_ngram_max")
        _require(self.min_df >= 1 and self.max_features >= 1, "tfidf.min_df and tfidf.max_features must be >= 1")
        _require(self.topic_c > 0 and self.stance_c > 0, "tfidf.topic_c and tfidf.stance_c must be > 0")


@dataclass
class ModelConfig:
    backbone: str = "default"  # "default" (packaged all-MiniLM-L6-v2), a local directory, or a cached hub id
    pooling: str = "mean"
    max_length: int = 256  # tokens per window; longer paragraphs are split into overlapping windows
    window_stride: int = 64  # tokens shared by neighbouring windows
    trainable_layers: int = -1  # top encoder layers to fine-tune; -1 trains every layer
    freeze_embeddings: bool = True
    dropout: float = 0.1
    save_dtype: str = "int8"  # storage of the trained tensors: float32, float16, or int8 (per-row scaled matrices)

    def check(self) -> None:
        _require(self.pooling in ("mean", "cls"), "model.pooling must be 'mean' or 'cls'")
        _require(self.max_length >= 16, "model.max_length must be >= 16")
        _require(0 <= self.window_stride < self.max_length // 2, "model.window_stride must be in [0, max_length/2)")
        _require(self.trainable_layers >= -1, "model.trainable_layers must be -1 (all) or >= 0")
        _require(0.0 <= self.dropout < 1.0, "model.dropout must be in [0, 1)")
        _require(self.save_dtype in ("float32", "float16", "int8"), "model.save_dtype must be 'float32', 'float16' or 'int8'")


@dataclass
class TrainConfig:
    epochs: int = 8
    batch_size: int = 16
    grad_accum: int = 1
    lr: float = 1e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    topic_loss_weight: float = 1.0
    stance_loss_weight: float = 1.0
    class_weights: bool = False  # weight stance cross-entropy by inverse class frequency
    label_smoothing: float = 0.0  # stance cross-entropy target smoothing
    layer_lr_decay: float = 1.0  # each encoder layer below the top learns at this factor of the one above (1: same lr)
    average_epochs: int = 1  # each epoch's candidate model is the mean of the last N epochs' weights (1: no averaging)
    soup_size: int = 1  # train this many models (seeds seed, seed+1, ...) and keep the mean of their weights (1: one model)
    interpolate: float = 1.0  # keep pretrained + interpolate * (fine-tuned - pretrained) for the encoder (WiSE-FT; 1: fine-tuned)
    patience: int = 3  # epochs without dev improvement before stopping
    max_steps: int = -1  # stop after this many optimizer steps (-1: no limit); for smoke tests
    eval_batch_size: int = 64
    precision: str = "fp32"  # training arithmetic: fp32, bf16 (CPU/GPU autocast; weights and optimizer stay fp32), or auto

    def check(self) -> None:
        _require(self.precision in ("fp32", "bf16", "auto"), "train.precision must be 'fp32', 'bf16' or 'auto'")
        _require(self.epochs >= 1 and self.batch_size >= 1 and self.grad_accum >= 1, "train.epochs, batch_size and grad_accum must be >= 1")
        _require(self.lr > 0 and self.head_lr > 0, "train.lr and train.head_lr must be > 0")
        _require(0.0 <= self.warmup_ratio < 1.0, "train.warmup_ratio must be in [0, 1)")
        _require(self.patience >= 1, "train.patience must be >= 1")
        _require(0.0 <= self.label_smoothing < 1.0, "train.label_smoothing must be in [0, 1)")
        _require(0.0 < self.layer_lr_decay <= 1.0, "train.layer_lr_decay must be in (0, 1]")
        _require(self.average_epochs >= 1, "train.average_epochs must be >= 1")
        _require(self.soup_size >= 1, "train.soup_size must be >= 1")
        _require(0.0 <= self.interpolate <= 1.0, "train.interpolate must be in [0, 1]")


@dataclass
class CalibrationConfig:
    """How stance scores are calibrated on dev after training (reports/bias/PLAN.md)."""

    stance_bias: bool = False  # fit one bias per stance with the temperature (it can change decisions); off: the temperature alone


@dataclass
class _RunConfig:
    """What every run names: its labels, kind, seed, output directory and data."""

    labels: LabelsConfig
    kind: str = ""
    seed: int = 13
    output: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)


@dataclass
class TfidfRunConfig(_RunConfig):
    kind: str = "tfidf"
    output: str = "runs/tfidf"
    tfidf: TfidfConfig = field(default_factory=TfidfConfig)


@dataclass
class TransformerRunConfig(_RunConfig):
    kind: str = "transformer"
    output: str = "runs/minilm"
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


_SCIENTIFIC = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")
RUN_CONFIGS = {"tfidf": TfidfRunConfig, "transformer": TransformerRunConfig}
RunConfig = TfidfRunConfig | TransformerRunConfig


def flat_settings(config: RunConfig) -> dict[str, Any]:
    """Every setting as `section.key: value`, except where the model is written."""
    return _flatten({k: v for k, v in asdict(config).items() if k != "output"})


def default_settings() -> dict[str, Any]:
    """The default of every setting that has one, flattened as by `flat_settings`."""
    sections = {"data": DataConfig, "calibration": CalibrationConfig, "tfidf": TfidfConfig, "model": ModelConfig, "train": TrainConfig}
    return _flatten({name: asdict(cls()) for name, cls in sections.items()})


def _flatten(node: dict, prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in node.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def load_config(path: Path | str, overrides: Sequence[str] = ()) -> RunConfig:
    """Read a YAML config, apply `key.path=value` overrides, validate."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}" if not path.exists() else f"config path is not a file: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)  # where the parser gave up
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}{where}: not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of config keys")
    for item in overrides:
        apply_override(raw, item)
    return config_from_dict(raw)


def apply_override(raw: dict, item: str) -> None:
    """Set `a.b.c=value` in a nested dict; the value is parsed as YAML (numbers, booleans, lists)."""
    import yaml

    key, sep, text = item.partition("=")
    if not sep or not key:
        raise ConfigError(f"override {item!r} is not of the form key.path=value")
    *parents, leaf = key.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {item!r}: {part!r} is not a section")
    try:
        node[leaf] = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"override {item!r}: cannot parse value {text!r}") from None


def config_from_dict(raw: dict) -> RunConfig:
    kind = raw.get("kind")
    if kind not in RUN_CONFIGS:
        raise ConfigError(f"config key 'kind' must be one of {', '.join(RUN_CONFIGS)} (got {kind!r})")
    config = _build(RUN_CONFIGS[kind], raw, prefix="")
    config.labels.schema()
    for section in (getattr(config, name, None) for name in ("tfidf", "model", "train")):
        if section is not None:
            section.check()
    return config


def _build(cls: type, raw: Any, prefix: str) -> Any:
    where = prefix.rstrip(".") or "config"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in names:
            raise ConfigError(f"unknown config key '{prefix}{key}'; valid keys: {', '.join(names)}")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in raw:
            values[f.name] = _convert(hints[f.name], raw[f.name], f"{prefix}{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"missing config key '{prefix}{f.name}'")
    return cls(**values)


def _convert(hint: Any, value: Any, key: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, key + ".")
    if typing.get_origin(hint) is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"config key '{key}' must be a list of strings, got {value!r}")
        return list(value)
    if hint is float and isinstance(value, str) and _SCIENTIFIC.fullmatch(value.strip()):
        value = float(value)  # YAML 1.1 reads 5e-5 (no dot) as a string
    expected = {int: (int,), float: (int, float), bool: (bool,), str: (str,)}[hint]
    if isinstance(value, bool) and hint is not bool or not isinstance(value, expected):
        raise ConfigError(f"config key '{key}' must be of type {hint.__name__}, got {value!r}")
    return hint(value)


def config_to_dict(config: RunConfig) -> dict:
    return asdict(config)
