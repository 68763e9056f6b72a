"""What moving a finished run's encoder back toward the pretrained one (WiSE-FT) does on dev.

    python scripts/interpolate.py [--run runs/contrast/minilm] [--alphas 0.5 0.6 0.7 0.8 0.9 1.0] [--out runs/wise]

For each alpha it takes the run's kept weights before rounding
(`checkpoints/best.safetensors`), moves every encoder tensor to
pretrained + alpha * (fine-tuned - pretrained) as `train.interpolate` does,
rounds to the storage dtype, tunes the topic thresholds and the stance
temperature on dev as `trilat train` does, prints the dev macro F1s and saves
the model to OUT/alpha-A. Each saved model is the one `trilat train` with
`--set train.interpolate=A` keeps (tested), without training again. Compare
them with `trilat evaluate --model ... --data data/dev.jsonl`. Dev only: test
and seeds are never read.
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.io import load_model, read_meta  # noqa: E402
from training.config import config_from_dict  # noqa: E402
from training.data import read_records  # noqa: E402
from training.pipeline import tune_on_dev, write_trained_model  # noqa: E402
from training.transformer import CHECKPOINT_DIR, interpolate_weights  # noqa: E402


def study(run: Path, alphas: list[float], out: Path) -> list[tuple[float, dict]]:
    """Save one interpolated model per alpha under `out`; return (alpha, dev metrics) for each."""
    from safetensors.torch import load_file

    from model.backbone import resolve_backbone
    from model.errors import ConfigError
    from model.transformer import as_stored, build_encoder

    meta = read_meta(run)
    config = config_from_dict(meta["config"])
    if config.train.interpolate != 1.0 or config.train.soup_size != 1:
        raise ConfigError(f"{run}: expected a plain run (train.interpolate 1, soup_size 1) to interpolate from")
    kept = load_file(run / CHECKPOINT_DIR / "best.safetensors")
    encoder = build_encoder(resolve_backbone(config.model.backbone)).state_dict()
    pretrained = {name: encoder[name.removeprefix("encoder.")] for name in kept if name.startswith("encoder.")}
    classifier = load_model(run)
    dev = read_records(config.data.dev, classifier.labels)
    counts = {"train": len(read_records(config.data.train, classifier.labels)), "dev": len(dev)}
    rows = []
    for alpha in alphas:
        weights = interpolate_weights(pretrained, kept, alpha)
        classifier.network.load_state_dict(as_stored(weights, config.model.save_dtype), strict=False)
        metrics = tune_on_dev(classifier, dev, stance_bias=config.calibration.stance_bias)
        resolved = copy.deepcopy(meta["config"])
        resolved["train"]["interpolate"] = alpha
        directory = out / f"alpha-{alpha:g}"
        write_trained_model(classifier, directory, resolved, meta["provenance"], metrics, counts)
        print(f"alpha {alpha:g}: dev topic {metrics['topics']['macro_f1']:.4f} stance {metrics['stance']['macro_f1']:.4f} -> {directory}", flush=True)
        rows.append((alpha, metrics))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "contrast" / "minilm", help="a finished trilat train run directory")
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "wise")
    args = parser.parse_args()
    study(args.run, args.alphas, args.out)


if __name__ == "__main__":
    main()
