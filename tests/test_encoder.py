"""The inference path without `transformers` computes what `transformers` computes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from model.encoder import LeanBert, WindowTokenizer, is_lean_supported
from model.io import load_model

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> list[str]:
    lines = (ROOT / "data" / "starter" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines]
    return texts + [" ".join(texts[:8]), "Seoul.", "¿Qué? 日本と韓国 — “quotes” & émigrés"]


def test_window_tokenizer_matches_transformers_overflow(tiny_backbone):
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(tiny_backbone)
    lean = WindowTokenizer.from_dir(tiny_backbone, pad_id=0)
    texts = _texts()
    for max_length, stride in ((256, 64), (32, 8), (16, 0)):
        expected = hf(texts, truncation=True, max_length=max_length, stride=stride, return_overflowing_tokens=True)
        windows, owner = lean.windows(texts, max_length, stride)
        assert windows == expected["input_ids"]
        assert owner == list(expected["overflow_to_sample_mapping"])
    assert max(owner) == len(texts) - 1 and len(windows) > len(texts)  # the long text really was split


def test_lean_bert_matches_transformers_bert(tiny_backbone):
    from transformers import AutoConfig, AutoModel

    torch.manual_seed(3)
    reference = AutoModel.from_config(AutoConfig.from_pretrained(tiny_backbone), add_pooling_layer=False).eval()
    config = json.loads((tiny_backbone / "config.json").read_text(encoding="utf-8"))
    assert is_lean_supported(config)
    lean = LeanBert(config)
    lean.load_state_dict(reference.state_dict(), strict=True)  # same parameter names, nothing missing or extra
    ids = torch.randint(1, config["vocab_size"], (4, 40))
    mask = torch.ones_like(ids)
    mask[1, 25:] = 0
    mask[3, 3:] = 0
    with torch.inference_mode():
        expected = reference(input_ids=ids, attention_mask=mask).last_hidden_state
        actual = lean(ids, mask).last_hidden_state
    keep = mask.bool()
    assert torch.allclose(actual[keep], expected[keep], atol=1e-5)
    assert not torch.allclose(actual[keep], torch.zeros_like(actual[keep]))


def test_unsupported_architectures_fall_back():
    assert not is_lean_supported({"model_type": "roberta"})
    assert not is_lean_supported({"model_type": "bert", "hidden_act": "relu"})
    assert not is_lean_supported({"model_type": "bert", "position_embedding_type": "relative_key"})


def test_saved_model_loads_without_transformers(tiny_model_dir):
    import subprocess
    import sys

    code = (
        "import sys; from model.io import load_model; m = load_model(sys.argv[1]); m.predict(['Joint drills resumed.']);"
        "print(any(name == 'transformers' or name.startswith('transformers.') for name in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tiny_model_dir)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bf16_precision_changes_numbers_little(tiny_model_dir):
    model = load_model(tiny_model_dir)
    texts = _texts()
    exact = model.scores(texts)
    model.set_precision("bf16")
    fast = model.scores(texts)
    assert (fast.stance_probs != exact.stance_probs).any()  # bf16 really ran
    assert abs(fast.stance_probs - exact.stance_probs).max() < 0.05
    assert abs(fast.topic_probs - exact.topic_probs).max() < 0.05
    from model.errors import ModelError

    with pytest.raises(ModelError, match="precision must be one of"):
        model.set_precision("fp8")


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_scores_do_not_depend_on_the_other_paragraphs_in_the_call(tiny_model_dir, precision):
    import numpy as np

    model = load_model(tiny_model_dir, precision)
    texts = _texts()
    together = model.scores(texts)
    alone = [model.scores([text]) for text in texts]
    assert np.allclose(np.concatenate([a.stance_probs for a in alone]), together.stance_probs, rtol=0, atol=1e-6)
    assert np.allclose(np.concatenate([a.topic_probs for a in alone]), together.topic_probs, rtol=0, atol=1e-6)


def test_windows_pad_to_a_width_of_their_own():
    from model.transformer import padded_width, width_batches

    windows = [[1] * n for n in (3, 17, 16, 40, 5, 33, 32)]
    batches = width_batches(windows, batch_size=2)
    assert all(padded_width(len(windows[i])) == width for width, chosen in batches for i in chosen)
    assert all(len(chosen) <= 2 for _, chosen in batches)
    assert sorted(i for _, chosen in batches for i in chosen) == list(range(len(windows)))
    assert [padded_width(n) for n in (1, 16, 17, 255, 256)] == [16, 16, 32, 256, 256]


def test_default_model_runs_without_transformers():
    import subprocess
    import sys

    code = (
        "import sys; from model.io import load_model; m = load_model(None); m.predict(['Joint drills resumed.']);"
        "print(type(m.network.encoder).__name__, any(n.split('.')[0] == 'transformers' for n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["LeanBert", "False"]


@pytest.mark.slow
def test_lean_bert_with_the_real_backbone_weights_matches_transformers():
    from transformers import AutoModel

    from model.backbone import default_backbone_dir
    from model.transformer import pad_batch

    model = load_model(None, "fp32")
    reference = AutoModel.from_pretrained(default_backbone_dir(), add_pooling_layer=False).eval()
    reference.load_state_dict(model.network.encoder.state_dict(), strict=True)  # the fine-tuned layers too
    windows, _ = model.tokenizer.windows(_texts(), 256, 64)
    ids, mask = pad_batch(windows, model.tokenizer.pad_token_id)
    with torch.inference_mode():
        expected = reference(input_ids=ids, attention_mask=mask).last_hidden_state
        actual = model.network.encoder(ids, mask).last_hidden_state
    assert torch.allclose(actual[mask.bool()], expected[mask.bool()], atol=1e-4)
