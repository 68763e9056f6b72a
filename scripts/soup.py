"""What a uniform weight soup of several seeds does on dev, next to each member.

    python scripts/soup.py [--seeds 13 14] [--config configs/minilm.yaml] [--set KEY=VALUE ...] [--out runs/soup]

Trains the config once per seed (as one model each), then averages the
members' saved weights, tunes the topic thresholds and the stance
temperature on dev as `trilat train` does, and prints dev topic and stance
macro F1 for every member and for the soup of the first k members. Dev
only: test and seeds are never read. `train.soup_size` in a config trains
the same members and saves the soup (rounded once more to the storage
dtype) as the model.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.config import load_config  # noqa: E402
from training.data import read_records  # noqa: E402
from training.pipeline import train, tune_on_dev  # noqa: E402
from training.transformer import mean_weights  # noqa: E402


def study(config_path: Path, overrides: list[str], seeds: list[int], out: Path) -> list[tuple[str, dict]]:
    """Train one model per seed; return (name, dev metrics) for each member and for the soup of the first k members."""
    from safetensors.torch import load_file

    from model.transformer import unpack_tensors

    rows, members = [], []
    for seed in seeds:
        config = load_config(config_path, [*overrides, f"seed={seed}", "train.soup_size=1"])
        config.output = str(out / f"seed{seed}")
        result = train(config)
        members.append(unpack_tensors(load_file(result.directory / "weights.safetensors")))
        new = [(f"member seed {seed}", result.dev_metrics)]
        if len(members) > 1:
            classifier = result.classifier
            classifier.network.load_state_dict(mean_weights(members), strict=False)
            new.append((f"soup of {len(members)}", tune_on_dev(classifier, read_records(config.data.dev, classifier.labels),
                                                                 stance_bias=config.calibration.stance_bias)))
        for name, metrics in new:
            print(f"{name}: dev topic {metrics['topics']['macro_f1']:.4f} stance {metrics['stance']['macro_f1']:.4f}", flush=True)
        rows += new
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "minilm.yaml")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14])
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="config override, as for trilat train")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "soup")
    args = parser.parse_args()
    study(args.config, args.overrides, args.seeds, args.out)


if __name__ == "__main__":
    main()
