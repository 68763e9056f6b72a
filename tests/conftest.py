"""Shared fixtures: the starter data, a tiny random transformer backbone, trained models."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
STARTER_TRAIN = ROOT / "data" / "starter" / "train.jsonl"
STARTER_DEV = ROOT / "data" / "starter" / "dev.jsonl"
SEED_TEXT = ROOT / "seeds" / "000_f2df8ba819672c2e.txt"
SEED_LABELS = ROOT / "seeds" / "labeled.jsonl"


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def labels():
    from model.labels import LabelSchema

    return LabelSchema(("security", "history", "trade"), ("favor", "against", "neutral"), "neutral")


@pytest.fixture(scope="session")
def tiny_backbone(tmp_path_factory) -> Path:
    """A 2-layer BERT with hidden size 32, built from a config with the real MiniLM tokenizer; no weights."""
    from transformers import AutoTokenizer, BertConfig

    from model.backbone import default_backbone_dir

    directory = tmp_path_factory.mktemp("tiny-backbone")
    tokenizer = AutoTokenizer.from_pretrained(default_backbone_dir())
    tokenizer.save_pretrained(directory)
    BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512,
    ).save_pretrained(directory)
    return directory


def tfidf_overrides(train: Path = STARTER_TRAIN, dev: Path = STARTER_DEV) -> list[str]:
    return [f"data.train={train}", f"data.dev={dev}", "tfidf.min_df=1"]


def tiny_overrides(backbone: Path, train: Path = STARTER_TRAIN, dev: Path = STARTER_DEV, **extra) -> list[str]:
    settings = {
        "model.backbone": str(backbone), "data.train": str(train), "data.dev": str(dev),
        "model.max_length": 64, "model.window_stride": 16, "train.epochs": 2, "train.batch_size": 8,
        "train.lr": 1e-3, "train.head_lr": 1e-2, "train.warmup_ratio": 0.0,
        # A randomly initialised backbone has nothing to interpolate back toward; tests that need it use pretrained weights.
        "train.interpolate": 1.0,
    }
    settings.update(extra)
    return [f"{k}={v}" for k, v in settings.items()]


@pytest.fixture(scope="session")
def tfidf_model_dir(tmp_path_factory) -> Path:
    from training.pipeline import train_from_file

    out = tmp_path_factory.mktemp("tfidf") / "model"
    train_from_file(ROOT / "configs" / "tfidf.yaml", tfidf_overrides(), out)
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_backbone) -> Path:
    from training.pipeline import train_from_file

    out = tmp_path_factory.mktemp("tiny") / "model"
    train_from_file(ROOT / "configs" / "minilm.yaml", tiny_overrides(tiny_backbone), out)
    return out
