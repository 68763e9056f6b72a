"""Multi-task transformer classifier: one encoder, a topic head and a stance head.

Topics are independent sigmoid outputs (multi-label); stance is a softmax.
A paragraph longer than the model's window is split into overlapping
windows whose logits are averaged, so nothing is truncated.

Saved weights hold only what training changed (the fine-tuned encoder layers
and the heads, fp32, fp16 or per-row int8 as configured) when the backbone's
own weights are on disk; the rest is read from the backbone, whose weight
file's sha256 is recorded and checked on load.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network

import numpy as np
import torch
from torch import nn

from model.backbone import DEFAULT_BACKBONE, PINNED_FILES, resolve_backbone, weights_file
from model.errors import ModelError
from model.interface import Classifier, Scores
from model.labels import LabelSchema

def _quiet_transformers() -> None:
    """Loading a backbone without its unused pooler is expected; keep stderr for real problems."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


_quiet_transformers()

WEIGHTS_FILE = "weights.safetensors"
SETTINGS_FILE = "transformer.json"
ENCODER_CONFIG_FILE = "config.json"


class MultiTaskNetwork(nn.Module):
    def __init__(self, encoder: nn.Module, n_topics: int, n_stances: int, pooling: str = "mean", dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.pooling = pooling
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.topic_head = nn.Linear(hidden, n_topics)
        self.stance_head = nn.Linear(hidden, n_stances)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        if self.pooling == "cls":
            pooled = states[:, 0]
        else:
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        pooled = self.dropout(pooled)
        return self.topic_head(pooled), self.stance_head(pooled)


def build_encoder(backbone_dir: Path, config_dir: Path | None = None) -> nn.Module:
    """The encoder with pretrained weights when the backbone has them, else randomly initialised."""
    from transformers import AutoConfig, AutoModel

    if weights_file(backbone_dir) is not None:
        return AutoModel.from_pretrained(backbone_dir, add_pooling_layer=False)
    config = AutoConfig.from_pretrained(config_dir or backbone_dir)
    return AutoModel.from_config(config, add_pooling_layer=False)


def encode_windows(tokenizer, texts: Sequence[str], max_length: int, stride: int) -> tuple[list[list[int]], list[int]]:
    """Token ids of every window and, for each window, the index of its text."""
    encoded = tokenizer(
        list(texts),
        truncation=True,
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_attention_mask=False,
        return_token_type_ids=False,
    )
    return encoded["input_ids"], list(encoded["overflow_to_sample_mapping"])


def pad_batch(windows: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(w) for w in windows)
    ids = torch.full((len(windows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), width), dtype=torch.long)
    for row, window in enumerate(windows):
        ids[row, : len(window)] = torch.tensor(window, dtype=torch.long)
        mask[row, : len(window)] = 1
    return ids, mask


SCALE_SUFFIX = ".int8_scale"


def pack_tensors(tensors: dict[str, torch.Tensor], dtype: str) -> dict[str, torch.Tensor]:
    """Tensors in their storage form: fp32, fp16, or int8 matrices with one fp32 scale per row.

    int8 halves the size of fp16, which lets every encoder layer be fine-tuned
    and still ship in a small file; vectors (biases, LayerNorm) stay fp16.
    """
    packed = {}
    for key, tensor in tensors.items():
        tensor = tensor.detach().float().cpu()
        if dtype == "int8" and tensor.ndim == 2:
            scale = (tensor.abs().amax(dim=1) / 127.0).clamp(min=1e-12)
            packed[key] = torch.round(tensor / scale[:, None]).clamp(-127, 127).to(torch.int8).contiguous()
            packed[key + SCALE_SUFFIX] = scale.contiguous()
        else:
            packed[key] = tensor.to(torch.float32 if dtype == "float32" else torch.float16).contiguous()
    return packed


def unpack_tensors(packed: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    tensors = {}
    for key, tensor in packed.items():
        if key.endswith(SCALE_SUFFIX):
            continue
        scale = packed.get(key + SCALE_SUFFIX)
        tensors[key] = tensor.float() * scale[:, None] if scale is not None else tensor.float()
    return tensors


class TransformerClassifier(Classifier):
    kind = "transformer"

    def __init__(self, labels: LabelSchema, thresholds: dict[str, float], network: MultiTaskNetwork, tokenizer, settings: dict):
        """`settings`: max_length, window_stride, pooling, backbone, save_dtype, stored_keys, ..."""
        self.labels = labels
        self.thresholds = thresholds
        self.network = network  # float weights: what is trained and saved
        self.tokenizer = tokenizer
        self.settings = settings
        self.batch_size = 16  # small batches of similar length pad least and stay in cache on CPU

    @torch.inference_mode()
    def logits(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-text logits, averaged over each text's windows."""
        windows, owner = encode_windows(self.tokenizer, texts, self.settings["max_length"], self.settings["window_stride"])
        self.network.eval()
        n_topics, n_stances = len(self.labels.topics), len(self.labels.stances)
        topic_sum, stance_sum = torch.zeros(len(texts), n_topics), torch.zeros(len(texts), n_stances)
        owner_t = torch.tensor(owner, dtype=torch.long)
        device = next(self.network.parameters()).device  # the GPU when training placed the network there
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))  # similar lengths pad little
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            ids, mask = pad_batch([windows[i] for i in chosen], self.tokenizer.pad_token_id)
            topic_logits, stance_logits = self.network(ids.to(device), mask.to(device))
            topic_sum.index_add_(0, owner_t[chosen], topic_logits.float().cpu())
            stance_sum.index_add_(0, owner_t[chosen], stance_logits.float().cpu())
        counts = torch.bincount(owner_t, minlength=len(texts)).clamp(min=1).unsqueeze(1).float()
        return topic_sum / counts, stance_sum / counts

    def scores(self, texts: Sequence[str]) -> Scores:
        topic_logits, stance_logits = self.logits(texts)
        return Scores(
            topic_probs=torch.sigmoid(topic_logits).numpy().astype(np.float64),
            stance_probs=torch.softmax(stance_logits, dim=1).numpy().astype(np.float64),
        )

    def save(self, directory: Path) -> list[str]:
        from safetensors.torch import save_file

        directory = Path(directory)
        state = self.network.state_dict()
        trained = {key: state[key] for key in self.settings["stored_keys"]}
        save_file(pack_tensors(trained, self.settings["save_dtype"]), directory / WEIGHTS_FILE)
        (directory / SETTINGS_FILE).write_text(json.dumps(self.settings, indent=2) + "\n", encoding="utf-8")
        self.network.encoder.config.save_pretrained(directory)
        tokenizer_files = self.tokenizer.save_pretrained(directory)
        names = {WEIGHTS_FILE, SETTINGS_FILE, ENCODER_CONFIG_FILE}
        names |= {Path(f).name for f in tokenizer_files if Path(f).is_file()}
        return sorted(names)

    @classmethod
    def load(cls, directory: Path, meta: dict) -> "TransformerClassifier":
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        directory = Path(directory)
        settings = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
        labels = LabelSchema.from_dict(meta["labels"])
        encoder = _encoder_for(directory, settings)
        network = MultiTaskNetwork(encoder, len(labels.topics), len(labels.stances), settings["pooling"], dropout=0.0)
        stored = unpack_tensors(load_file(directory / WEIGHTS_FILE))
        missing = set(settings["stored_keys"]) - set(stored)
        if missing:
            raise ModelError(f"{directory}: {WEIGHTS_FILE} lacks {len(missing)} tensors, e.g. {sorted(missing)[0]}")
        network.load_state_dict(stored, strict=False)
        network.eval()
        tokenizer = AutoTokenizer.from_pretrained(directory)
        thresholds = {k: float(v) for k, v in meta["thresholds"].items()}
        return cls(labels, thresholds, network, tokenizer, settings)


def _encoder_for(directory: Path, settings: dict) -> nn.Module:
    """Rebuild the encoder: from the recorded backbone's weights, or from config when all weights were stored."""
    from transformers import AutoConfig, AutoModel

    if settings["base"] == "config":
        return AutoModel.from_config(AutoConfig.from_pretrained(directory), add_pooling_layer=False)
    from model.io import sha256_file

    backbone_dir = resolve_backbone(settings["backbone"])
    weights = weights_file(backbone_dir)
    if settings["backbone"] == DEFAULT_BACKBONE:  # resolving it just checked its pinned sha256
        actual = PINNED_FILES[weights.name] if weights is not None else None
    else:
        actual = sha256_file(weights) if weights is not None else None
    if actual != settings["backbone_sha256"]:
        raise ModelError(f"backbone {settings['backbone']!r} at {backbone_dir} is not the one this model was trained on (sha256 differs)")
    return AutoModel.from_pretrained(backbone_dir, add_pooling_layer=False)
