"""Inference without `transformers`: a lean BERT encoder and a window tokenizer.

Importing `transformers` costs about two seconds, most of a cold start, so
inference runs BERT-family encoders (the default MiniLM among them) with this
module instead: the same weights, parameter names and arithmetic as
`transformers.BertModel` in eval mode, checked against it by the tests.
Training keeps `transformers`; other architectures load through it too.

Tokenization uses the `tokenizers` library directly, which is what the
`transformers` fast tokenizers call underneath, windows and all.
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

TOKENIZER_FILE = "tokenizer.json"


class WindowTokenizer:
    """Token ids for overlapping windows of at most `max_length` tokens, special tokens included."""

    def __init__(self, tokenizer, pad_id: int):
        self._tokenizer = tokenizer
        self.pad_token_id = pad_id

    @classmethod
    def from_dir(cls, directory: Path, pad_id: int) -> "WindowTokenizer":
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(Path(directory) / TOKENIZER_FILE)), pad_id)

    def windows(self, texts: Sequence[str], max_length: int, stride: int) -> tuple[list[list[int]], list[int]]:
        """Every window's ids and, for each window, the index of its text."""
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length, stride=stride, strategy="longest_first", direction="right")
        windows, owner = [], []
        for index, encoding in enumerate(self._tokenizer.encode_batch(list(texts))):
            for part in (encoding, *encoding.overflowing):
                windows.append(part.ids)
                owner.append(index)
        return windows, owner

    def save(self, directory: Path) -> list[str]:
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._tokenizer.save(str(Path(directory) / TOKENIZER_FILE))
        return [TOKENIZER_FILE]


def is_lean_supported(config: dict) -> bool:
    """Plain BERT with absolute positions and exact GELU: what `LeanBert` computes."""
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act", "gelu") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and not config.get("is_decoder", False)
    )


class _Embeddings(nn.Module):
    def __init__(self, c: SimpleNamespace):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        width = input_ids.shape[1]
        if width > self.position_embeddings.num_embeddings:
            raise ValueError(f"{width} tokens exceed the encoder's {self.position_embeddings.num_embeddings} positions")
        x = self.word_embeddings(input_ids) + self.position_embeddings.weight[:width] + self.token_type_embeddings.weight[0]
        return self.LayerNorm(x)


class _Layer(nn.Module):
    def __init__(self, c: SimpleNamespace):
        super().__init__()
        self.heads = c.num_attention_heads
        hidden = c.hidden_size
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query = nn.Linear(hidden, hidden)
        self.attention.self.key = nn.Linear(hidden, hidden)
        self.attention.self.value = nn.Linear(hidden, hidden)
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(hidden, hidden)
        self.attention.output.LayerNorm = nn.LayerNorm(hidden, eps=c.layer_norm_eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(hidden, c.intermediate_size)
        self.output = nn.Module()
        self.output.dense = nn.Linear(c.intermediate_size, hidden)
        self.output.LayerNorm = nn.LayerNorm(hidden, eps=c.layer_norm_eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, width, hidden = x.shape
        attn = self.attention.self

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, width, self.heads, hidden // self.heads).transpose(1, 2)

        context = F.scaled_dot_product_attention(split(attn.query(x)), split(attn.key(x)), split(attn.value(x)), attn_mask=mask)
        context = context.transpose(1, 2).reshape(batch, width, hidden)
        x = self.attention.output.LayerNorm(x + self.attention.output.dense(context))
        inner = F.gelu(self.intermediate.dense(x))
        return self.output.LayerNorm(x + self.output.dense(inner))


class LeanBert(nn.Module):
    """BERT encoder forward pass for inference; parameter names match `transformers.BertModel`."""

    def __init__(self, config: dict):
        super().__init__()
        c = SimpleNamespace(**{"pad_token_id": 0, "type_vocab_size": 2, "layer_norm_eps": 1e-12, **config})
        self.config = c
        self.embeddings = _Embeddings(c)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(_Layer(c) for _ in range(c.num_hidden_layers))

    @classmethod
    def from_config_file(cls, path: Path) -> "LeanBert":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        x = self.embeddings(input_ids)
        keep = attention_mask.bool()[:, None, None, :]  # (batch, 1, 1, width): padding is never attended to
        for layer in self.encoder.layer:
            x = layer(x, keep)
        return SimpleNamespace(last_hidden_state=x)
