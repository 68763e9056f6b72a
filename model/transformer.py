"""Multi-task transformer classifier: one encoder, a topic head and a stance head.

Topics are independent sigmoid outputs (multi-label); stance is a softmax.
A paragraph longer than the model's window is split into overlapping
windows whose logits are averaged, so nothing is truncated.

Saved weights hold only what training changed (the fine-tuned encoder layers
and the heads, fp32, fp16 or per-row int8 as configured) when the backbone's
own weights are on disk; the rest is read from the backbone, whose weight
file's sha256 is recorded and checked on load.

Inference runs BERT-family encoders through `model.encoder` (no
`transformers` import: a faster cold start) and, where the CPU multiplies
bfloat16 natively, can compute in bfloat16 (`set_precision`).
"""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network

import numpy as np
import torch
from torch import nn

from model.backbone import DEFAULT_BACKBONE, PINNED_FILES, resolve_backbone, weights_file
from model.encoder import LeanBert, WindowTokenizer, is_lean_supported
from model.errors import ModelError
from model.interface import Classifier, Scores
from model.labels import LabelSchema


def _quiet_transformers() -> None:
    """Loading a backbone without its unused pooler is expected; keep stderr for real problems."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX); emulated bf16 is slower than fp32."""
    check = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(f is not None and f() for f in check)


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
    """The `transformers` encoder for training: pretrained weights when the backbone has them, else randomly initialised."""
    from transformers import AutoConfig, AutoModel

    _quiet_transformers()
    if weights_file(backbone_dir) is not None:
        return AutoModel.from_pretrained(backbone_dir, add_pooling_layer=False)
    config = AutoConfig.from_pretrained(config_dir or backbone_dir)
    return AutoModel.from_config(config, add_pooling_layer=False)


def pad_batch(windows: list[list[int]], pad_id: int, width: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    width = width or max(len(w) for w in windows)
    ids = torch.full((len(windows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), width), dtype=torch.long)
    for row, window in enumerate(windows):
        ids[row, : len(window)] = torch.tensor(window, dtype=torch.long)
        mask[row, : len(window)] = 1
    return ids, mask


PAD_MULTIPLE = 16


def position_limit(config) -> int:
    """How many tokens the encoder's position table holds (RoBERTa-style tables reserve two rows)."""
    get = config.get if isinstance(config, dict) else lambda key, default=None: getattr(config, key, default)
    limit = int(get("max_position_embeddings", 512) or 512)
    return limit - 2 if "roberta" in str(get("model_type", "")) else limit


def check_window(max_length: int, config, where) -> None:
    limit = position_limit(config)
    if max_length > limit:
        raise ModelError(f"{where}: max_length {max_length} exceeds the encoder's {limit} positions; use model.max_length <= {limit}")


def padded_width(length: int) -> int:
    """The width a window is padded to at inference: a function of its own length alone.

    Kernels round differently at different widths (in bfloat16 by up to a
    hundredth of a probability), so a width chosen by the longest neighbour
    in a batch would make a paragraph's scores depend on its neighbours.
    """
    return -(-length // PAD_MULTIPLE) * PAD_MULTIPLE


def width_batches(windows: list[list[int]], batch_size: int) -> list[tuple[int, list[int]]]:
    """Window indices grouped by padded width, at most `batch_size` to a batch: (width, indices)."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
    batches: list[tuple[int, list[int]]] = []
    for index in order:
        width = padded_width(len(windows[index]))
        if batches and batches[-1][0] == width and len(batches[-1][1]) < batch_size:
            batches[-1][1].append(index)
        else:
            batches.append((width, [index]))
    return batches


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


def as_stored(tensors: dict[str, torch.Tensor], dtype: str) -> dict[str, torch.Tensor]:
    """The tensors exactly as saving them in `dtype` and loading them back gives them."""
    return unpack_tensors(pack_tensors(tensors, dtype))


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

    def __init__(self, labels: LabelSchema, thresholds: dict[str, float], network: MultiTaskNetwork, tokenizer: WindowTokenizer,
                 settings: dict):
        """`settings`: max_length, window_stride, pooling, backbone, save_dtype, stored_keys, ..."""
        self.labels = labels
        self.thresholds = thresholds
        self.network = network  # float weights: what is trained and saved
        self.tokenizer = tokenizer
        self.settings = settings
        self.batch_size = 16  # small batches of similar length pad least and stay in cache on CPU
        self.precision = "fp32"

    def scoring_precision(self) -> str:
        device = next(self.network.parameters()).device
        bf16 = self.precision == "bf16" or (self.precision == "auto" and native_bf16())
        return "bf16" if bf16 and device.type == "cpu" else "fp32"

    def _autocast(self, device: torch.device):
        """CPU autocast to bfloat16: matrix products, attention and GELU in bf16; LayerNorm and the residual sums in fp32."""
        if self.scoring_precision() != "bf16":
            return contextlib.nullcontext()
        return torch.autocast("cpu", dtype=torch.bfloat16)

    @torch.inference_mode()
    def logits(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-text logits, averaged over each text's windows."""
        windows, owner = self.tokenizer.windows(texts, self.settings["max_length"], self.settings["window_stride"])
        self.network.eval()
        n_topics, n_stances = len(self.labels.topics), len(self.labels.stances)
        topic_sum, stance_sum = torch.zeros(len(texts), n_topics), torch.zeros(len(texts), n_stances)
        owner_t = torch.tensor(owner, dtype=torch.long)
        device = next(self.network.parameters()).device  # the GPU when training placed the network there
        limit = position_limit(self.network.encoder.config)
        with self._autocast(device):
            for width, chosen in width_batches(windows, self.batch_size):
                width = min(width, limit)  # never below the window itself: max_length <= limit is checked on load
                ids, mask = pad_batch([windows[i] for i in chosen], self.tokenizer.pad_token_id, width)
                topic_logits, stance_logits = self.network(ids.to(device), mask.to(device))
                topic_sum.index_add_(0, owner_t[chosen], topic_logits.float().cpu())
                stance_sum.index_add_(0, owner_t[chosen], stance_logits.float().cpu())
        counts = torch.bincount(owner_t, minlength=len(texts)).clamp(min=1).unsqueeze(1).float()
        return topic_sum / counts, stance_sum / counts

    def scores(self, texts: Sequence[str]) -> Scores:
        topic_logits, stance_logits = self.logits(texts)
        return Scores(
            topic_probs=torch.sigmoid(topic_logits).numpy().astype(np.float64),
            stance_probs=torch.softmax(self._tempered(stance_logits), dim=1).numpy(),
        )

    def _tempered(self, stance_logits: torch.Tensor) -> torch.Tensor:
        z = stance_logits.double() / self.stance_temperature
        return z if self.stance_bias is None else z + torch.tensor(self.stance_bias, dtype=torch.float64)

    def save(self, directory: Path) -> list[str]:
        from safetensors.torch import save_file

        directory = Path(directory)
        state = self.network.state_dict()
        trained = {key: state[key] for key in self.settings["stored_keys"]}
        save_file(pack_tensors(trained, self.settings["save_dtype"]), directory / WEIGHTS_FILE)
        (directory / SETTINGS_FILE).write_text(json.dumps(self.settings, indent=2) + "\n", encoding="utf-8")
        config = self.network.encoder.config
        config = config.to_dict() if hasattr(config, "to_dict") else dict(vars(config))
        config.pop("_name_or_path", None)  # where the backbone happened to be installed, not part of the model
        (directory / ENCODER_CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return sorted({WEIGHTS_FILE, SETTINGS_FILE, ENCODER_CONFIG_FILE, *self.tokenizer.save(directory)})

    @classmethod
    def load(cls, directory: Path, meta: dict) -> "TransformerClassifier":
        from safetensors.torch import load_file

        directory = Path(directory)
        settings = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
        labels = LabelSchema.from_dict(meta["labels"])
        config = json.loads((directory / ENCODER_CONFIG_FILE).read_text(encoding="utf-8"))
        check_window(settings["max_length"], config, directory)
        encoder = _encoder_for(directory, settings, config)
        network = MultiTaskNetwork(encoder, len(labels.topics), len(labels.stances), settings["pooling"], dropout=0.0)
        stored = unpack_tensors(load_file(directory / WEIGHTS_FILE))
        missing = set(settings["stored_keys"]) - set(stored)
        if missing:
            raise ModelError(f"{directory}: {WEIGHTS_FILE} lacks {len(missing)} tensors, e.g. {sorted(missing)[0]}")
        network.load_state_dict(stored, strict=False)
        network.eval()
        tokenizer = WindowTokenizer.from_dir(directory, pad_id=int(config.get("pad_token_id") or 0))
        thresholds = {k: float(v) for k, v in meta["thresholds"].items()}
        return cls(labels, thresholds, network, tokenizer, settings)


def _encoder_for(directory: Path, settings: dict, config: dict) -> nn.Module:
    """Rebuild the encoder: from the recorded backbone's weights, or from config when all weights were stored.

    BERT-family encoders run as `LeanBert`; anything else goes through `transformers`.
    """
    lean = is_lean_supported(config)
    if settings["base"] == "config":
        if lean:
            return LeanBert(config)
        from transformers import AutoConfig, AutoModel

        _quiet_transformers()
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
    if not lean:
        return build_encoder(backbone_dir)
    from safetensors.torch import load_file

    encoder = LeanBert(config)
    wanted = encoder.state_dict().keys()
    pretrained = {key.removeprefix("bert."): tensor for key, tensor in load_file(weights).items()}
    missing = [key for key in wanted if key not in pretrained]
    if missing:
        raise ModelError(f"backbone weights {weights} lack {len(missing)} encoder tensors, e.g. {missing[0]}")
    encoder.load_state_dict({key: pretrained[key] for key in wanted})
    return encoder
