"""The report's figures: stance confusion matrix, per-topic bars, stance reliability diagram.

matplotlib is imported inside `write_plots` on the Agg backend, so plots need
no display and `trilat --help` never pays for matplotlib.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from training.report import ModelRun

PLOT_KINDS = ("confusion", "topics", "reliability")


def slug(path: str) -> str:
    name = Path(path).resolve().name
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "model"


def plot_names(run: ModelRun) -> dict[str, str]:
    stem = f"m{run.index}_{slug(run.path)}"
    return {kind: f"{stem}_{kind}.png" for kind in PLOT_KINDS}


def plot_confusion(run: ModelRun, ax) -> None:
    confusion = run.metrics["stance"]["confusion"]
    matrix, stances = np.array(confusion["matrix"]), confusion["labels"]
    image = ax.imshow(matrix, cmap="Blues", vmin=0)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="paragraphs")
    ax.set_xticks(range(len(stances)), stances)
    ax.set_yticks(range(len(stances)), stances)
    ax.set_xlabel("predicted stance")
    ax.set_ylabel("gold stance")
    # White text on dark cells, black on light ones, so every count stays readable.
    threshold = matrix.max() / 2 if matrix.max() else 1
    for (row, col), count in np.ndenumerate(matrix):
        ax.text(col, row, str(count), ha="center", va="center", fontsize=12, color="white" if count > threshold else "black")
    ax.set_title(f"{run.key} stance confusion (n={int(matrix.sum())})")


def plot_topics(run: ModelRun, ax) -> None:
    per_label = run.metrics["topics"]["per_label"]
    topics = list(per_label)
    width = 0.27
    for offset, (measure, colour) in enumerate(zip(("precision", "recall", "f1"), ("#4c72b0", "#dd8452", "#55a868"))):
        values = [per_label[t][measure] for t in topics]
        bars = ax.bar(np.arange(len(topics)) + (offset - 1) * width, values, width, label=measure, color=colour)
        ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    ax.set_xticks(range(len(topics)), [f"{t}\n(support {per_label[t]['support']})" for t in topics])
    ax.set_ylim(0, 1.2)  # room for the legend above bars that reach 1.0
    ax.set_ylabel("score")
    ax.legend(loc="upper right", ncols=3, fontsize=8)
    ax.set_title(f"{run.key} per-topic precision / recall / F1")


def plot_reliability(run: ModelRun, axes) -> None:
    top, bottom = axes
    bins = run.calibration["bins"]
    centres = [(b["lower"] + b["upper"]) / 2 for b in bins]
    width = 1 / len(bins)
    filled = [(c, b) for c, b in zip(centres, bins) if b["count"]]
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    x = [c for c, _ in filled]
    accuracy = np.array([b["accuracy"] for _, b in filled])
    confidence = np.array([b["confidence"] for _, b in filled])
    top.bar(x, accuracy, width * 0.9, color="#4c72b0", edgecolor="black", label="accuracy")
    # The gap from accuracy up (or down) to the bin's mean confidence is what ECE averages.
    top.bar(x, confidence - accuracy, width * 0.9, bottom=accuracy, color="#c44e52", alpha=0.35,
            edgecolor="#c44e52", hatch="//", label="gap to mean confidence")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1.02)
    top.set_ylabel("accuracy")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"{run.key} stance reliability (ECE {run.calibration['ece']:.3f})")
    bottom.bar(centres, [b["count"] for b in bins], width * 0.9, color="grey")
    bottom.set_xlim(0, 1)
    bottom.set_xlabel("confidence (max stance probability)")
    bottom.set_ylabel("paragraphs")


def write_plots(run: ModelRun, directory: Path) -> dict[str, str]:
    """The three PNGs of one model; returns their file names."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display, no network
    from matplotlib.figure import Figure

    names = plot_names(run)
    figure = Figure(figsize=(5.5, 4.8), dpi=120, layout="constrained")
    plot_confusion(run, figure.add_subplot())
    figure.savefig(directory / names["confusion"])
    figure = Figure(figsize=(6.5, 4.5), dpi=120, layout="constrained")
    plot_topics(run, figure.add_subplot())
    figure.savefig(directory / names["topics"])
    figure = Figure(figsize=(5.5, 5.5), dpi=120, layout="constrained")
    plot_reliability(run, figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]}))
    figure.savefig(directory / names["reliability"])
    return names
