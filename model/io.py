"""Saving and loading model directories.

One trained model is one directory: `trilat.json` (kind, labels, thresholds,
resolved config, provenance, dev metrics and the sha256 of every weight
file), the weights in a format that runs no code on load, and a model card.
Loading dispatches on the recorded kind, so callers never branch on it.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import math
from pathlib import Path

from model.errors import ModelError
from model.interface import Classifier
from model.labels import LabelSchema

META_FILE = "trilat.json"
FORMAT_VERSION = 1
# kind -> (module, class); imported lazily so the TF-IDF path never pays for torch.
KINDS = {
    "tfidf": ("model.tfidf", "TfidfClassifier"),
    "transformer": ("model.transformer", "TransformerClassifier"),
}
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "default"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def save_model(classifier: Classifier, directory: Path, **extra_meta) -> Path:
    """Write weights and `trilat.json`; `extra_meta` holds config, provenance, metrics."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    weight_files = sorted(classifier.save(directory))
    meta = {
        "format_version": FORMAT_VERSION,
        "kind": classifier.kind,
        "labels": classifier.labels.to_dict(),
        "thresholds": classifier.thresholds,
        "stance_temperature": classifier.stance_temperature,
        **({"stance_bias": list(classifier.stance_bias)} if classifier.stance_bias is not None else {}),
        "files": {name: sha256_file(directory / name) for name in weight_files},
        **extra_meta,
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return directory


def read_meta(directory: Path) -> dict:
    path = Path(directory)
    if not path.exists():
        raise ModelError(f"model directory not found: {path}")
    if not path.is_dir():
        raise ModelError(f"expected a model directory, got a file: {path}")
    meta_path = path / META_FILE
    if not meta_path.is_file():
        raise ModelError(f"{path} is not a trilat model directory ({META_FILE} is missing)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path} is corrupted: {exc}") from None
    if not isinstance(meta, dict):
        raise ModelError(f"{meta_path} is corrupted: expected a JSON object")
    missing = [key for key in ("kind", "labels", "thresholds", "files") if key not in meta]
    if missing:
        raise ModelError(f"{meta_path} is incomplete: missing {', '.join(missing)}")
    expected = {"kind": str, "labels": dict, "thresholds": dict, "files": dict}
    wrong = [key for key, kind in expected.items() if not isinstance(meta[key], kind)]
    if wrong:
        raise ModelError(f"{meta_path} is corrupted: wrong type for {', '.join(wrong)}")
    unsafe = [name for name in meta["files"] if Path(name).name != name or name in (".", "..")]
    if unsafe:  # weight files live in the model directory itself, never elsewhere
        raise ModelError(f"{meta_path} is corrupted: file names outside the model directory: {', '.join(unsafe)}")
    if meta.get("format_version", FORMAT_VERSION) > FORMAT_VERSION:
        raise ModelError(f"{path} was saved by a newer trilat (format {meta['format_version']}); upgrade trilat to load it")
    return meta


def verify_files(directory: Path, meta: dict) -> None:
    """Every weight file recorded at save time must be present and unchanged."""
    for name, expected in meta["files"].items():
        path = Path(directory) / name
        if not path.is_file():
            raise ModelError(f"{directory} is incomplete: {name} is missing")
        if sha256_file(path) != expected:
            raise ModelError(f"{directory} is corrupted: {name} does not match its recorded sha256")


def _temperature(directory: Path, meta: dict) -> float:
    value = meta.get("stance_temperature", 1.0)  # models saved before calibration have none
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ModelError(f"{directory}: stance_temperature in {META_FILE} must be a positive number, not {value!r}")
    return float(value)


def _bias(directory: Path, meta: dict, n_stances: int) -> tuple[float, ...] | None:
    value = meta.get("stance_bias")  # absent: the model was calibrated by the temperature alone
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != n_stances
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)):
        raise ModelError(f"{directory}: stance_bias in {META_FILE} must be a list of {n_stances} finite numbers, not {value!r}")
    return tuple(float(v) for v in value)


def load_model(directory: Path | str | None = None, precision: str = "fp32") -> Classifier:
    """Load a saved model of any kind; `None` loads the committed default model.

    `precision` (fp32, bf16 or auto) is the scoring arithmetic; see `Classifier.set_precision`.
    """
    directory = Path(directory) if directory is not None else DEFAULT_MODEL_DIR
    meta = read_meta(directory)
    kind = meta["kind"]
    if kind not in KINDS:
        raise ModelError(f"{directory}: unknown model kind {kind!r} (known kinds: {', '.join(KINDS)})")
    verify_files(directory, meta)
    try:
        LabelSchema.from_dict(meta["labels"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{directory}: bad label schema in {META_FILE}: {exc}") from None
    module_name, class_name = KINDS[kind]
    cls = getattr(importlib.import_module(module_name), class_name)
    try:
        model = cls.load(directory, meta)
        model.stance_temperature = _temperature(directory, meta)
        model.stance_bias = _bias(directory, meta, len(model.labels.stances))
        model.set_precision(precision)
        return model
    except ModelError:
        raise
    except Exception as exc:  # any library error while reading weights means a broken directory
        raise ModelError(f"{directory}: cannot load {kind} model: {type(exc).__name__}: {exc}") from None
