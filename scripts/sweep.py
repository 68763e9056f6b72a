"""Run a grid of training variants × seeds and rank them by dev score (never test).

    python scripts/sweep.py configs/sweep.yaml --jobs 4 --out runs/sweep [--set KEY=VALUE ...]

The sweep file names a base config, the seeds, and variants as lists of
`--set` overrides. Every run trains in its own process (several at once with
--jobs) and writes a model directory under --out; the table ranks variants
by their mean dev score over the seeds (the mean of topic and stance macro
F1 in each saved model's `trilat.json`, after its topic thresholds were
tuned on dev; early stopping uses the same mean at thresholds of 0.5), and
`summary.json` keeps every run's dev figures. `--set` overrides apply to
every run (e.g. model.backbone=DIR on a machine without the backbone package).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_one(config: str, overrides: list[str], output: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from training.pipeline import train_from_file

    train_from_file(Path(config), overrides, output=output)


def launch(config: str, overrides: list[str], output: Path) -> tuple[Path, int, float]:
    output.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with open(output.parent / f"{output.name}.log", "w", encoding="utf-8") as log:
        code = subprocess.run([sys.executable, __file__, "--one", config, str(output), *overrides],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT).returncode
    return output, code, time.time() - started


def dev_figures(output: Path) -> dict | None:
    meta = output / "trilat.json"
    if not meta.is_file():
        return None
    dev = json.loads(meta.read_text(encoding="utf-8"))["dev_metrics"]
    log = [json.loads(line) for line in (output / "train_log.jsonl").read_text(encoding="utf-8").splitlines()]
    best = max(log, key=lambda e: e["dev_score"])
    return {"topic": dev["topics"]["macro_f1"], "stance": dev["stance"]["macro_f1"],
            "score": (dev["topics"]["macro_f1"] + dev["stance"]["macro_f1"]) / 2, "best_epoch": best["epoch"], "epochs": len(log)}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        run_one(sys.argv[2], sys.argv[4:], Path(sys.argv[3]))
        return 0
    import yaml

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", type=Path)
    parser.add_argument("--out", type=Path, default=Path("runs/sweep"))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--only", nargs="*", default=None, help="run only these variants")
    args = parser.parse_args()
    spec = yaml.safe_load(args.sweep.read_text(encoding="utf-8"))
    unknown = sorted(set(args.only or []) - set(spec["variants"]))
    if unknown:
        parser.error(f"unknown variants {', '.join(unknown)}; {args.sweep} has {', '.join(spec['variants'])}")
    variants = {name: list(sets or []) for name, sets in spec["variants"].items() if args.only is None or name in args.only}
    runs = [(name, seed) for seed in spec["seeds"] for name in variants]  # seed-major: a cut-short sweep stays balanced
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            pool.submit(launch, spec["base"], [*args.overrides, *variants[name], f"seed={seed}"], args.out / f"{name}-s{seed}"): (name, seed)
            for name, seed in runs
        }
        for future in as_completed(futures):
            if future.cancelled():
                continue
            name, seed = futures[future]
            output, code, seconds = future.result()
            figures = dev_figures(output)
            results[f"{name}-s{seed}"] = {"variant": name, "seed": seed, "exit": code, "seconds": round(seconds, 1), **(figures or {})}
            print(f"{name}-s{seed}: exit {code}, {seconds:.0f} s, {figures}", flush=True)
            (args.out / "summary.json").write_text(json.dumps({"spec": spec, "overrides": args.overrides, "runs": results}, indent=2) + "\n")
            if code != 0:  # a broken setup fails every run: stop early and show why
                print((output.parent / f"{output.name}.log").read_text(encoding="utf-8")[-3000:], flush=True)
                for pending in futures:
                    pending.cancel()
    print(f"\n{'variant':<16} {'dev topic':>9} {'dev stance':>10} {'dev score':>9} {'sd':>6}  epochs")
    rows = []
    for name in variants:
        done = [r for r in results.values() if r["variant"] == name and "score" in r]
        if not done:
            rows.append((-1.0, f"{name:<16} failed"))
            continue
        mean = lambda key: statistics.mean(r[key] for r in done)  # noqa: E731
        sd = statistics.stdev([r["score"] for r in done]) if len(done) > 1 else 0.0
        epochs = ",".join(str(r["best_epoch"]) for r in done)
        rows.append((mean("score"), f"{name:<16} {mean('topic'):9.4f} {mean('stance'):10.4f} {mean('score'):9.4f} {sd:6.4f}  {epochs}"))
    for _, line in sorted(rows, reverse=True):
        print(line)
    return 0 if all(r["exit"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
