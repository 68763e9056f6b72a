"""What averaging the last N epochs' weights (`train.average_epochs`) does on dev.

    python scripts/averaging.py [--seeds 13 21] [--config configs/minilm.yaml] [--set KEY=VALUE ...] [--out runs/averaging]

Trains the config once per seed as one model (no soup) without averaging, keeping every epoch's
weights (with early stopping off, so that every epoch exists), then builds
for N = 1..4 the model that `train.average_epochs: N` would keep: after each
epoch the mean of the last N epochs' weights, the best epoch by the training
selection score under the config's own patience, rounded to the storage
dtype, then topic thresholds and stance temperature tuned on dev, as
`trilat train` does. Prints dev topic and stance
macro F1 per seed and N. Dev only: test and seeds are never read. About 15
minutes per seed on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.config import load_config  # noqa: E402
from training.evaluate import metrics_from_scores  # noqa: E402
from training.metrics import selection_score  # noqa: E402
from training.pipeline import train, tune_on_dev  # noqa: E402

SPANS = (1, 2, 3, 4)


def train_keeping_epochs(config_path: Path, overrides: list[str], seed: int, out: Path):
    """Train without averaging or early stopping; return the result and every epoch's trained weights."""
    from safetensors.torch import load_file

    config = load_config(config_path, [*overrides, f"seed={seed}", "train.average_epochs=1", "train.soup_size=1"])
    config.output = str(out)
    config.train.patience = config.train.epochs
    epochs = []
    result = train(config, on_epoch_end=lambda epoch: epochs.append(load_file(out / "checkpoints" / "weights.safetensors")))
    return result, epochs


def averaged_models(classifier, epochs: list[dict], dev, patience: int, stance_bias: bool = False) -> dict[int, dict]:
    """Dev metrics of the model `average_epochs: N` keeps, for each N in SPANS."""
    from model.transformer import as_stored
    from training.transformer import mean_weights

    texts = [r.text for r in dev]
    results = {}
    for span in SPANS:
        best_score, best_weights, best_epoch, bad_epochs = -1.0, None, 0, 0
        for end in range(len(epochs)):
            if bad_epochs >= patience:  # where training with this N would have stopped
                break
            weights = mean_weights(epochs[max(0, end - span + 1) : end + 1])
            classifier.network.load_state_dict(weights, strict=False)
            classifier.thresholds = {t: 0.5 for t in classifier.labels.topics}  # as during training
            classifier.stance_temperature, classifier.stance_bias = 1.0, None
            score = selection_score(metrics_from_scores(classifier.scores(texts), dev, classifier.labels, classifier.thresholds))
            if score > best_score:
                best_score, best_weights, best_epoch, bad_epochs = score, weights, end + 1, 0
            else:
                bad_epochs += 1
        classifier.network.load_state_dict(as_stored(best_weights, classifier.settings["save_dtype"]), strict=False)
        tuned = tune_on_dev(classifier, dev, stance_bias=stance_bias)
        results[span] = {"epoch": best_epoch, "topic": tuned["topics"]["macro_f1"], "stance": tuned["stance"]["macro_f1"]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "minilm.yaml")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 21])
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="config override, as for trilat train")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "averaging")
    args = parser.parse_args()
    from training.data import read_records

    table = {}
    for seed in args.seeds:
        out = args.out / f"seed{seed}"
        shutil.rmtree(out, ignore_errors=True)
        result, epochs = train_keeping_epochs(args.config, args.overrides, seed, out)
        config = load_config(args.config, args.overrides)
        dev = read_records(config.data.dev, result.classifier.labels)
        table[seed] = averaged_models(result.classifier, epochs, dev, config.train.patience, config.calibration.stance_bias)
        for span, row in table[seed].items():
            print(f"seed {seed} average_epochs {span}: epoch {row['epoch']}, dev topic {row['topic']:.4f}, stance {row['stance']:.4f}", flush=True)
    print("\nmean over seeds  " + "  ".join(
        f"N={span}: topic {sum(table[s][span]['topic'] for s in table) / len(table):.4f} "
        f"stance {sum(table[s][span]['stance'] for s in table) / len(table):.4f}" for span in SPANS))


if __name__ == "__main__":
    main()
