"""Where one training step of the default MiniLM spends its time.

    python benchmarks/train_step.py [--config configs/minilm.yaml] [--batches 40] [--warmup 5]

Builds the trainer `trilat train` would build from the config, runs the
first `--batches` batches of epoch 1 (the first `--warmup` untimed) and
prints the mean milliseconds per step for the forward pass with the loss,
the backward pass, gradient clipping and the optimizer and schedule step,
then the seconds one dev scoring takes (what each epoch adds). Nothing is
saved. Figures depend on the machine and on what else runs on it.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(ROOT / "configs" / "minilm.yaml"))
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    if not 0 <= args.warmup < args.batches:
        parser.error("--warmup must be at least 0 and below --batches")

    import torch

    from training.config import load_config
    from training.data import read_records
    from training.transformer import GRAD_CLIP_NORM, Trainer, init_distributed

    config = load_config(args.config, [])
    labels = config.labels.schema()
    trainer = Trainer(config, read_records(config.data.train, labels), read_records(config.data.dev, labels), init_distributed())
    trainer.model.train()
    parts = dict.fromkeys(("forward and loss", "backward", "gradient clipping", "optimizer and schedule"), 0.0)
    for index, batch in enumerate(trainer._epoch_batches(0)[: args.batches]):
        marks = [time.perf_counter()]
        loss = trainer._loss(batch)
        marks.append(time.perf_counter())
        loss.backward()
        marks.append(time.perf_counter())
        torch.nn.utils.clip_grad_norm_(trainer.network.parameters(), GRAD_CLIP_NORM)
        marks.append(time.perf_counter())
        trainer.optimizer.step()
        trainer.scheduler.step()
        trainer.optimizer.zero_grad(set_to_none=True)
        marks.append(time.perf_counter())
        if index >= args.warmup:
            for name, start, end in zip(parts, marks, marks[1:]):
                parts[name] += end - start
    timed = args.batches - args.warmup
    print(f"{args.config}: {timed} timed steps of batch {config.train.batch_size}, precision {trainer.precision}")
    for name, seconds in parts.items():
        print(f"  {name:<24} {1000 * seconds / timed:7.1f} ms/step")
    started = time.perf_counter()
    trainer.evaluate_dev()
    print(f"  {f'dev scoring, {len(trainer.dev)} paragraphs':<24} {time.perf_counter() - started:7.1f} s per epoch")


if __name__ == "__main__":
    main()
