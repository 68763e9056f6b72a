from pathlib import Path

import pytest
from conftest import ROOT

from model.errors import ConfigError
from training.config import apply_override, config_from_dict, load_config


def test_shipped_configs_load():
    assert load_config(ROOT / "configs" / "tfidf.yaml").kind == "tfidf"
    minilm = load_config(ROOT / "configs" / "minilm.yaml")
    assert minilm.model.backbone == "default" and minilm.labels.topics == ["security", "history", "trade"]


def test_overrides_are_parsed_as_yaml():
    config = load_config(ROOT / "configs" / "minilm.yaml", ["train.lr=5e-5", "train.class_weights=true", "labels.topics=[a, b]"])
    assert config.train.lr == 5e-5 and config.train.class_weights is True and config.labels.topics == ["a", "b"]


def test_unknown_key_names_it_and_the_valid_keys():
    with pytest.raises(ConfigError, match=r"unknown config key 'train\.lrate'; valid keys: epochs, .*lr"):
        load_config(ROOT / "configs" / "minilm.yaml", ["train.lrate=0.1"])


def test_wrong_type_is_an_error():
    with pytest.raises(ConfigError, match=r"'train\.epochs' must be of type int"):
        load_config(ROOT / "configs" / "minilm.yaml", ["train.epochs=many"])


def test_bad_value_and_missing_labels(tmp_path: Path):
    with pytest.raises(ConfigError, match="pooling"):
        load_config(ROOT / "configs" / "minilm.yaml", ["model.pooling=max"])
    with pytest.raises(ConfigError, match="missing config key 'labels'"):
        config_from_dict({"kind": "tfidf"})
    with pytest.raises(ConfigError, match="not of the form"):
        apply_override({}, "train.lr")


def test_missing_and_non_mapping_files(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(tmp_path / "list.yaml")


def test_new_training_options_are_validated():
    config = load_config(ROOT / "configs" / "minilm.yaml", ["train.label_smoothing=0.1", "train.layer_lr_decay=0.5"])
    assert config.train.label_smoothing == 0.1 and config.train.layer_lr_decay == 0.5
    with pytest.raises(ConfigError, match="label_smoothing"):
        load_config(ROOT / "configs" / "minilm.yaml", ["train.label_smoothing=1.0"])
    with pytest.raises(ConfigError, match="layer_lr_decay"):
        load_config(ROOT / "configs" / "minilm.yaml", ["train.layer_lr_decay=0"])
    with pytest.raises(ConfigError, match="average_epochs"):
        load_config(ROOT / "configs" / "minilm.yaml", ["train.average_epochs=0"])
    with pytest.raises(ConfigError, match=r"train.interpolate must be in \[0, 1\]"):
        load_config(ROOT / "configs" / "minilm.yaml", ["train.interpolate=1.5"])
    assert load_config(ROOT / "configs" / "minilm.yaml", ["train.interpolate=0"]).train.interpolate == 0.0
    with pytest.raises(ConfigError, match="train.precision must be 'fp32', 'bf16' or 'auto'"):
        load_config(ROOT / "configs" / "minilm.yaml", ["train.precision=fp16"])
