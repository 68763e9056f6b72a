"""Speed and memory figures for trilat, printed against their goals.

    python benchmarks/bench.py tfidf                 # baseline: training time, throughput, --help time
    python benchmarks/bench.py transformer           # default model: throughput, peak memory, cold start
    python benchmarks/bench.py transformer --train   # also time the full default training run (minutes)

Figures depend on the machine; the goals are for 2 CPU cores.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRILAT = [sys.executable, "-m", "trilat"]


def corpus_texts(min_words: int = 0, max_words: int = 10_000) -> list[str]:
    texts = []
    for split in ("train", "dev", "test"):
        for line in (ROOT / "data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            if min_words <= len(text.split()) <= max_words:
                texts.append(text)
    return texts


def repeat_to(texts: list[str], n: int) -> list[str]:
    return (texts * (n // len(texts) + 1))[:n]


def report(name: str, value: float, unit: str, goal: str) -> None:
    print(f"{name:<48} {value:>10.2f} {unit:<12} goal {goal}")


def wall_time(command: list[str], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def bench_tfidf() -> None:
    from training.config import load_config
    from training.data import read_records
    from training.pipeline import tune_on_dev
    from training.tfidf import fit_tfidf

    config = load_config(ROOT / "configs" / "tfidf.yaml")
    labels = config.labels.schema()
    dev = read_records(ROOT / "data" / "dev.jsonl", labels)
    records = (read_records(ROOT / "data" / "train.jsonl", labels) + dev)[:2000]  # timing only; test stays unseen
    start = time.perf_counter()
    model = fit_tfidf(config, records)
    tune_on_dev(model, dev)  # part of training: the thresholds
    report(f"tfidf training on {len(records)} paragraphs", time.perf_counter() - start, "s", "<= 20 s")
    texts = repeat_to(corpus_texts(), 10_000)
    model.predict(texts[:100])
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        model.predict(texts[i : i + 64])
    report("tfidf classify throughput (batches of 64)", len(texts) / (time.perf_counter() - start), "para/s", ">= 2000 para/s")
    report("trilat --help wall time (best of 3)", wall_time([*TRILAT, "--help"]), "s", "<= 0.5 s")


def bench_transformer(model_dir: str | None, train: bool) -> None:
    from model.io import load_model
    from model.transformer import native_bf16

    typical = corpus_texts(40, 80)
    texts = repeat_to(typical, 2000)
    print(f"CPU threads: {torch_threads()}; native bfloat16: {'yes' if native_bf16() else 'no'} (auto uses bf16 only then)")
    for precision in ("auto", "fp32"):
        model = load_model(model_dir, precision)
        model.predict(texts[:32])
        start = time.perf_counter()
        for i in range(0, len(texts), 64):
            model.predict(texts[i : i + 64])
        goal = ">= 100 para/s" if precision == "auto" else "(reference)"
        report(f"{model.kind} classify throughput, 40-80 words, {precision}", len(texts) / (time.perf_counter() - start), "para/s", goal)
    peak_memory(model_dir)
    model_args = ["--model", model_dir] if model_dir else []
    cold = wall_time([*TRILAT, "classify", *model_args, "--format", "jsonl", typical[0]], repeats=3)
    report("single paragraph from a cold start (best of 3)", cold, "s", "<= 5 s")
    if train:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([*TRILAT, "train", "configs/minilm.yaml", "--output", out], cwd=ROOT, check=True, capture_output=True)
            report("full default training (configs/minilm.yaml)", (time.perf_counter() - start) / 60, "min", "<= 20 min")


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def peak_memory(model_dir: str | None) -> None:
    """Peak RSS of a `trilat classify` process streaming 10,000 paragraphs from a text file."""
    texts = repeat_to(corpus_texts(), 10_000)
    model_args = ["--model", model_dir] if model_dir else []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "big.txt"
        source.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run([*TRILAT, "classify", *model_args, "--file", str(source), "--format", "jsonl", "--output", str(Path(tmp) / "out.jsonl")],
                       cwd=ROOT, check=True, capture_output=True)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        lines = sum(1 for _ in open(Path(tmp) / "out.jsonl", encoding="utf-8"))
    note = "" if peak_kib > before else " (an earlier child was larger)"
    report(f"peak memory classifying {lines} paragraphs{note}", peak_kib / 1024, "MiB", "<= 1536 MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["tfidf", "transformer"])
    parser.add_argument("--model", default=None, help="model directory for the transformer figures (default: the shipped model)")
    parser.add_argument("--train", action="store_true", help="also time a full training run of configs/minilm.yaml")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from model.errors import TrilatError

    try:
        if args.kind == "tfidf":
            bench_tfidf()
        else:
            bench_transformer(args.model, args.train)
    except TrilatError as exc:  # a bad --model, say: one line, as the CLI does
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
