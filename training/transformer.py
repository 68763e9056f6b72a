"""Fine-tuning the multi-task transformer.

The loop is plain PyTorch so it can be read in one sitting: length-grouped
batches with dynamic padding, AdamW with linear warm-up and decay, gradient
accumulation, early stopping on dev, a checkpoint per epoch for `--resume`,
and a JSONL log of dev metrics. Under `torchrun` each process takes its
shard of every epoch's batches and PyTorch DDP averages the gradients
(gloo on CPU, NCCL on GPUs).
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from model.backbone import resolve_backbone, weights_file
from model.encoder import TOKENIZER_FILE, WindowTokenizer
from model.errors import ConfigError, ModelError
from model.io import sha256_file
from model.transformer import (
    MultiTaskNetwork,
    TransformerClassifier,
    as_stored,
    build_encoder,
    check_window,
    native_bf16,
    pad_batch,
)
from training.checkpoint import check_resumable, complete_checkpoint, load_checkpoint, save_checkpoint
from training.config import TransformerRunConfig, flat_settings
from training.data import Record, to_dataset
from training.evaluate import metrics_from_scores
from training.metrics import selection_score

LOG_FILE = "train_log.jsonl"
CHECKPOINT_DIR = "checkpoints"
GRAD_CLIP_NORM = 1.0  # gradients are clipped to this global L2 norm before each optimizer step


@dataclass
class Distributed:
    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def init_distributed() -> Distributed:
    """Join the process group torchrun set up, if any."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local_rank}") if torch.cuda.is_available() else torch.device("cpu")
    if world == 1:
        return Distributed(device=device)
    import torch.distributed as dist

    if device.type == "cuda":
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    return Distributed(rank=dist.get_rank(), world=world, device=device)


def mean_weights(weights: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The element-wise mean of several sets of the same tensors."""
    return {k: torch.stack([w[k] for w in weights]).mean(dim=0) for k in weights[0]}


def interpolate_weights(pretrained: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor], alpha: float) -> dict[str, torch.Tensor]:
    """WiSE-FT: each tensor that has a pretrained value becomes pretrained + alpha * (tuned - pretrained).

    Tensors without one (the heads, which start random) stay as tuned.
    alpha 1 keeps the fine-tuned weights, alpha 0 the pretrained encoder.
    """
    if alpha == 1.0:
        return dict(tuned)
    return {k: torch.lerp(pretrained[k], v, alpha) if k in pretrained else v for k, v in tuned.items()}


def freeze_layers(network: MultiTaskNetwork, trainable_layers: int, freeze_embeddings: bool) -> None:
    """Train only the top `trainable_layers` encoder layers (all when -1) and the heads."""
    encoder = network.encoder
    layers = encoder.encoder.layer
    n_frozen = 0 if trainable_layers < 0 else max(len(layers) - trainable_layers, 0)
    for param in encoder.embeddings.parameters():
        param.requires_grad = not freeze_embeddings
    for index, layer in enumerate(layers):
        for param in layer.parameters():
            param.requires_grad = index >= n_frozen


def length_grouped_batches(lengths: list[int], batch_size: int, seed: int) -> list[list[int]]:
    """Shuffle, sort within pools of 50 batches by length, then shuffle the batches.

    Batches hold windows of similar length, so dynamic padding wastes little,
    while every epoch still sees a different order.
    """
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def optimizer_for(network: MultiTaskNetwork, config: TransformerRunConfig) -> torch.optim.Optimizer:
    """AdamW; heads learn faster than the pretrained encoder; no decay on biases and LayerNorm.

    With `layer_lr_decay` < 1 each encoder layer learns at that factor of the
    layer above it (the embeddings one step below the bottom layer).
    """
    train = config.train
    n_layers = len(network.encoder.encoder.layer)
    groups = {}
    for name, param in network.named_parameters():
        if not param.requires_grad:
            continue
        if not name.startswith("encoder."):
            lr = train.head_lr
        else:
            match = re.match(r"encoder\.encoder\.layer\.(\d+)\.", name)
            depth = n_layers - int(match.group(1)) - 1 if match else n_layers  # 0 for the top layer
            lr = train.lr * train.layer_lr_decay**depth
        decay = param.ndim > 1
        groups.setdefault((lr, decay), []).append(param)
    return torch.optim.AdamW(
        [
            {"params": params, "lr": lr, "weight_decay": train.weight_decay if decay else 0.0}
            for (lr, decay), params in sorted(groups.items(), key=lambda item: item[0])
        ]
    )


def linear_schedule(optimizer, warmup_steps: int, total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / max(warmup_steps, 1)
        return max(0.0, (total_steps - step) / max(total_steps - warmup_steps, 1))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


@dataclass
class TrainingSet:
    windows: list[list[int]]
    topic_targets: torch.Tensor  # (n_windows, n_topics)
    stance_targets: torch.Tensor  # (n_windows,)


def build_training_set(tokenizer: WindowTokenizer, records: list[Record], config: TransformerRunConfig) -> TrainingSet:
    """Every window of every paragraph, each carrying its paragraph's labels."""
    dataset = to_dataset(records, config.labels.schema())
    windows, owner = tokenizer.windows(list(dataset["text"]), config.model.max_length, config.model.window_stride)
    topics = torch.tensor(dataset["topic_targets"], dtype=torch.float32)
    stances = torch.tensor(dataset["stance_target"], dtype=torch.long)
    owner_t = torch.tensor(owner, dtype=torch.long)
    return TrainingSet(windows, topics[owner_t].reshape(len(windows), -1), stances[owner_t])


def backbone_tokenizer(backbone_dir: Path, pad_id: int) -> WindowTokenizer:
    """The backbone's fast tokenizer; one that ships only slow-tokenizer files is converted by `transformers`."""
    if (backbone_dir / TOKENIZER_FILE).is_file():
        return WindowTokenizer.from_dir(backbone_dir, pad_id)
    from transformers import AutoTokenizer

    return WindowTokenizer(AutoTokenizer.from_pretrained(backbone_dir).backend_tokenizer, pad_id)


def stance_class_weights(targets: torch.Tensor, n_classes: int) -> torch.Tensor:
    counts = torch.bincount(targets, minlength=n_classes).float().clamp(min=1.0)
    return counts.sum() / (n_classes * counts)


class Trainer:
    """Trains one model. In a soup (`train.soup_size` > 1) it trains member `member` (0-based) of it."""

    def __init__(self, config: TransformerRunConfig, train: list[Record], dev: list[Record], dist: Distributed, member: int | None = None):
        self.config, self.dev, self.dist, self.member = config, dev, dist, member
        self.labels = config.labels.schema()
        self.run_dir = Path(config.output)
        self.checkpoint_dir = self.run_dir / CHECKPOINT_DIR
        if member is not None:
            self.checkpoint_dir = self.checkpoint_dir / f"member-{member + 1}"
        torch.manual_seed(config.seed)
        self.classifier = self._build_classifier()
        self.data = build_training_set(self.classifier.tokenizer, train, config)
        weights = stance_class_weights(self.data.stance_targets, len(self.labels.stances)) if config.train.class_weights else None
        self.topic_loss = nn.BCEWithLogitsLoss()
        self.stance_loss = nn.CrossEntropyLoss(weight=weights.to(dist.device) if weights is not None else None,
                                               label_smoothing=config.train.label_smoothing)
        self.network = self.classifier.network.to(dist.device)
        self.model = self._wrap(self.network)
        self.optimizer = optimizer_for(self.network, config)
        steps_per_epoch = math.ceil(self._batches_per_rank() / config.train.grad_accum)
        self.total_steps = steps_per_epoch * config.train.epochs
        if config.train.max_steps > 0:
            self.total_steps = min(self.total_steps, config.train.max_steps)
        self.scheduler = linear_schedule(self.optimizer, int(config.train.warmup_ratio * self.total_steps), self.total_steps)
        self.state = {"epoch": 0, "step": 0, "best_score": -1.0, "best_epoch": 0, "bad_epochs": 0}
        self.settings = flat_settings(config)  # what a checkpoint must match to be resumed
        self.precision = self.training_precision()
        self.settings["train.precision"] = self.precision  # `auto` as resolved here: resuming elsewhere must not switch silently
        self.pretrained = self._pretrained_encoder() if config.train.interpolate < 1.0 else {}
        self.best_weights: dict[str, torch.Tensor] = {}
        self.recent: list[dict[str, torch.Tensor]] = []  # the last `average_epochs` epochs' weights, oldest first

    def _build_classifier(self) -> TransformerClassifier:
        model_config = self.config.model
        backbone_dir = resolve_backbone(model_config.backbone)
        encoder = build_encoder(backbone_dir)
        try:
            check_window(model_config.max_length, encoder.config, f"backbone {model_config.backbone}")
        except ModelError as exc:
            raise ConfigError(str(exc)) from None
        layers = encoder.config.num_hidden_layers
        if model_config.trainable_layers > layers:
            raise ConfigError(f"model.trainable_layers is {model_config.trainable_layers}, but backbone {model_config.backbone} "
                              f"has {layers} layers (-1 trains all)")
        tokenizer = backbone_tokenizer(backbone_dir, pad_id=encoder.config.pad_token_id or 0)
        network = MultiTaskNetwork(encoder, len(self.labels.topics), len(self.labels.stances), model_config.pooling, model_config.dropout)
        pretrained = weights_file(backbone_dir)
        if pretrained is not None:
            freeze_layers(network, model_config.trainable_layers, model_config.freeze_embeddings)
        # With pretrained weights on disk only the trained tensors are stored; otherwise all of them.
        stored = [n for n, p in network.named_parameters() if p.requires_grad or pretrained is None]
        settings = {
            "backbone": model_config.backbone,
            "backbone_sha256": sha256_file(pretrained) if pretrained is not None else None,
            "base": "backbone" if pretrained is not None else "config",
            "pooling": model_config.pooling,
            "max_length": model_config.max_length,
            "window_stride": model_config.window_stride,
            "save_dtype": model_config.save_dtype,
            "stored_keys": stored,
        }
        thresholds = {t: 0.5 for t in self.labels.topics}
        return TransformerClassifier(self.labels, thresholds, network, tokenizer, settings)

    def _pretrained_encoder(self) -> dict[str, torch.Tensor]:
        """The stored encoder tensors as the backbone has them, before any training: what `train.interpolate` moves toward."""
        if self.classifier.settings["base"] != "backbone":
            raise ConfigError("train.interpolate < 1 needs a backbone with pretrained weights: "
                              "a randomly initialised encoder is nothing to move back toward")
        return {k: v for k, v in self.trained_weights().items() if k.startswith("encoder.")}

    def _wrap(self, network: nn.Module) -> nn.Module:
        if self.dist.world == 1:
            return network
        from torch.nn.parallel import DistributedDataParallel

        return DistributedDataParallel(network, device_ids=[self.dist.device] if self.dist.device.type == "cuda" else None)

    def _batches_per_rank(self) -> int:
        n_batches = math.ceil(len(self.data.windows) / self.config.train.batch_size)
        return n_batches // self.dist.world

    def _epoch_batches(self, epoch: int) -> list[list[int]]:
        lengths = [len(w) for w in self.data.windows]
        batches = length_grouped_batches(lengths, self.config.train.batch_size, self.config.seed + epoch)
        usable = len(batches) // self.dist.world * self.dist.world  # every rank must run the same number of steps
        return batches[:usable][self.dist.rank :: self.dist.world]

    def training_precision(self) -> str:
        """`train.precision` resolved: `auto` is bf16 on a GPU or a CPU that multiplies bfloat16 in hardware, else fp32."""
        precision = self.config.train.precision
        if precision != "auto":
            return precision
        if self.dist.device.type == "cuda":
            return "bf16" if torch.cuda.is_bf16_supported(including_emulation=False) else "fp32"
        return "bf16" if native_bf16() else "fp32"

    def _loss(self, batch: list[int]) -> torch.Tensor:
        device = self.dist.device
        ids, mask = pad_batch([self.data.windows[i] for i in batch], self.classifier.tokenizer.pad_token_id)
        # bf16: the forward pass runs under autocast (matrix products in bfloat16); the weights, their
        # gradients, the optimizer state and the losses stay float32.
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            topic_logits, stance_logits = self.model(ids.to(device), mask.to(device))
        topic_logits, stance_logits = topic_logits.float(), stance_logits.float()
        train = self.config.train
        topic = self.topic_loss(topic_logits, self.data.topic_targets[batch].to(device)) if self.labels.topics else 0.0
        stance = self.stance_loss(stance_logits, self.data.stance_targets[batch].to(device))
        return train.topic_loss_weight * topic + train.stance_loss_weight * stance

    def run_epoch(self, epoch: int, progress) -> float:
        self.model.train()
        torch.manual_seed(self.config.seed * 1000 + epoch)  # dropout masks reproducible across --resume
        batches = self._epoch_batches(epoch)
        accum, total_loss = self.config.train.grad_accum, 0.0
        for index, batch in enumerate(batches):
            if self._out_of_steps():
                break
            loss = self._loss(batch) / accum
            loss.backward()
            total_loss += loss.item() * accum
            if (index + 1) % accum == 0 or index + 1 == len(batches):
                torch.nn.utils.clip_grad_norm_(self.network.parameters(), GRAD_CLIP_NORM)
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer.zero_grad(set_to_none=True)
                self.state["step"] += 1
            progress.update(1)
            progress.set_postfix(epoch=epoch + 1, loss=f"{total_loss / (index + 1):.4f}", refresh=False)
        return total_loss / max(len(batches), 1)

    def _out_of_steps(self) -> bool:
        return 0 < self.config.train.max_steps <= self.state["step"]

    def _finished(self) -> bool:
        """Early stopping (patience spent) or the step limit reached."""
        return self.state["bad_epochs"] >= self.config.train.patience or self._out_of_steps()

    def evaluate_dev(self) -> dict:
        scores = self.classifier.scores([r.text for r in self.dev])
        return metrics_from_scores(scores, self.dev, self.labels, self.classifier.thresholds)

    def _candidate(self) -> dict[str, torch.Tensor]:
        """This epoch's model: its weights, or with `average_epochs` N the mean of the last N epochs' weights."""
        self.recent = (self.recent + [self.trained_weights()])[-self.config.train.average_epochs :]
        return self.recent[0] if len(self.recent) == 1 else mean_weights(self.recent)

    @torch.no_grad()
    def _evaluate_weights(self, weights: dict[str, torch.Tensor]) -> dict:
        """Dev metrics of `weights`; the network goes back to the training trajectory afterwards."""
        current = self.recent[-1]
        if weights is current:
            return self.evaluate_dev()
        self.network.load_state_dict(weights, strict=False)
        try:
            return self.evaluate_dev()
        finally:
            self.network.load_state_dict(current, strict=False)

    def trained_weights(self) -> dict[str, torch.Tensor]:
        state = self.network.state_dict()
        return {k: state[k].detach().cpu().clone() for k in self.classifier.settings["stored_keys"]}

    def fit(self, resume: bool = False, on_epoch_end: Callable[[int], None] | None = None) -> TransformerClassifier:
        from tqdm.auto import tqdm

        if resume:
            self._resume()
        elif self.dist.is_main and not self.member:
            (self.run_dir / LOG_FILE).unlink(missing_ok=True)  # a fresh run starts a fresh log
        train = self.config.train
        per_epoch = len(self._epoch_batches(0))
        desc = "training" if self.member is None else f"member {self.member + 1}/{train.soup_size}"
        progress = tqdm(total=per_epoch * train.epochs, initial=per_epoch * self.state["epoch"],
                        desc=desc, unit="batch", disable=not self.dist.is_main, dynamic_ncols=True,
                        mininterval=0.5 if sys.stderr.isatty() else 30.0)  # a redirected log gets a line every 30 s
        for epoch in range(self.state["epoch"], train.epochs):
            if self._finished():  # a resumed run may have stopped early already
                break
            started = time.time()
            loss = self.run_epoch(epoch, progress)
            candidate = self._candidate()
            metrics = self._evaluate_weights(candidate)
            self._after_epoch(epoch, loss, metrics, time.time() - started, candidate)
            if on_epoch_end is not None:
                on_epoch_end(epoch)
        progress.close()
        kept = self.best_weights or self.trained_weights()
        self.network.load_state_dict(interpolate_weights(self.pretrained, kept, self.config.train.interpolate), strict=False)
        self.round_to_save_dtype()
        return self.classifier

    @torch.no_grad()
    def round_to_save_dtype(self) -> None:
        """Make the in-memory model exactly the one that will be saved, so dev metrics and thresholds match it."""
        self.network.load_state_dict(as_stored(self.trained_weights(), self.classifier.settings["save_dtype"]), strict=False)

    def _after_epoch(self, epoch: int, loss: float, metrics: dict, seconds: float, candidate: dict[str, torch.Tensor]) -> None:
        score = selection_score(metrics)
        improved = score > self.state["best_score"]
        if improved:
            self.state.update(best_score=score, best_epoch=epoch + 1, bad_epochs=0)
            self.best_weights = candidate
        else:
            self.state["bad_epochs"] += 1
        self.state["epoch"] = epoch + 1
        if not self.dist.is_main:
            return
        self.run_dir.mkdir(parents=True, exist_ok=True)
        entry = {
            "epoch": epoch + 1, "step": self.state["step"], "train_loss": round(loss, 5), "seconds": round(seconds, 1),
            "dev_topic_macro_f1": round(metrics["topics"]["macro_f1"], 4), "dev_stance_macro_f1": round(metrics["stance"]["macro_f1"], 4),
            "dev_score": round(score, 4), "best": improved,
        }
        if self.config.train.average_epochs > 1:
            entry["averaged_epochs"] = len(self.recent)  # the dev figures are those of this many epochs' mean weights
        if self.member is not None:
            entry = {"member": self.member + 1, "seed": self.config.seed, **entry}
        with open(self.run_dir / LOG_FILE, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        save_checkpoint(self.checkpoint_dir, self.recent[-1], self.best_weights, self.optimizer, self.scheduler,
                        self.state, self.settings, earlier=self.recent[:-1])

    def _resume(self) -> None:
        weights, best, state, earlier = load_checkpoint(self.checkpoint_dir, self.optimizer, self.scheduler, self.settings)
        self.network.load_state_dict(weights, strict=False)
        self.best_weights, self.state = best, state
        self.recent = earlier + [weights]


KEPT_FILE = "kept.safetensors"


def fit_soup(config: TransformerRunConfig, train: list[Record], dev: list[Record], dist: Distributed, resume: bool = False,
             on_epoch_end: Callable[[int], None] | None = None) -> TransformerClassifier:
    """Train `train.soup_size` members with seeds seed, seed+1, ... and keep the mean of their kept weights.

    Members start from the same pretrained encoder, so their weights can be
    averaged into one model (a uniform "model soup") that costs no more to
    run than one member. Each member is exactly the model `trilat train`
    would keep with its seed. A finished member's weights are stored in its
    checkpoint directory, so `--resume` skips it; the member in progress
    resumes from its last epoch.
    """
    from safetensors.torch import load_file, save_file

    if weights_file(resolve_backbone(config.model.backbone)) is None:
        raise ConfigError("train.soup_size > 1 needs a backbone with pretrained weights: "
                          "models trained from different random starts cannot be averaged")
    root = Path(config.output) / CHECKPOINT_DIR
    if not resume and dist.is_main:  # a fresh run must never pick up members, or a checkpoint, of an earlier run
        shutil.rmtree(root, ignore_errors=True)
    kept, trainer = [], None
    for member in range(config.train.soup_size):
        trainer = Trainer(dataclasses.replace(config, seed=config.seed + member), train, dev, dist, member=member)
        done = trainer.checkpoint_dir / KEPT_FILE
        if resume and done.is_file():
            check_resumable(done, _kept_settings(done), trainer.settings)
            kept.append(load_file(done))
            continue
        # The first member must resume (or say there is nothing to resume); a later one may not have started yet.
        started = complete_checkpoint(trainer.checkpoint_dir) is not None
        trainer.fit(resume=resume and (member == 0 or started), on_epoch_end=on_epoch_end)
        kept.append(trainer.trained_weights())
        if dist.is_main:  # written whole, then renamed: a kill mid-write must not leave a member that looks finished
            partial = done.with_name(KEPT_FILE + ".tmp")
            save_file({k: v.contiguous() for k, v in kept[-1].items()}, partial, metadata={"settings": json.dumps(trainer.settings)})
            os.replace(partial, done)
    trainer.network.load_state_dict(mean_weights(kept), strict=False)
    trainer.round_to_save_dtype()
    return trainer.classifier


def _kept_settings(path: Path) -> dict | None:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        text = (handle.metadata() or {}).get("settings")
    return json.loads(text) if text else None


def fit_transformer(config: TransformerRunConfig, train: list[Record], dev: list[Record], resume: bool = False,
                    on_epoch_end: Callable[[int], None] | None = None) -> tuple[TransformerClassifier, bool]:
    """Train and return the classifier with the best dev epoch's weights, and whether this process saves it.

    With `train.soup_size` > 1 the classifier holds the mean of the members' weights.
    The caller tunes the topic thresholds on dev, as for every model kind.
    """
    dist = init_distributed()
    if config.train.soup_size > 1:
        classifier = fit_soup(config, train, dev, dist, resume=resume, on_epoch_end=on_epoch_end)
    else:
        classifier = Trainer(config, train, dev, dist).fit(resume=resume, on_epoch_end=on_epoch_end)
    if dist.world > 1:
        import torch.distributed

        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return classifier, dist.is_main
