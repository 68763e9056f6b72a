"""The model card (`README.md`) written into every saved model directory."""
from __future__ import annotations

from pathlib import Path


def _metrics_table(metrics: dict) -> str:
    rows = [
        ("topic macro F1", metrics["topics"]["macro_f1"]),
        ("topic micro F1", metrics["topics"]["micro_f1"]),
        ("topic exact match", metrics["topics"]["exact_match"]),
        ("stance macro F1", metrics["stance"]["macro_f1"]),
        ("stance F_avg", metrics["stance"]["f_avg"]),
        ("stance accuracy", metrics["stance"]["accuracy"]),
    ]
    rows += [(f"F1 topic `{t}`", m["f1"]) for t, m in metrics["topics"]["per_label"].items()]
    rows += [(f"F1 stance `{s}`", m["f1"]) for s, m in metrics["stance"]["per_label"].items()]
    return "\n".join(["| metric | dev |", "| --- | --- |"] + [f"| {name} | {value:.3f} |" for name, value in rows])


def write_model_card(directory: Path, config: dict, metrics: dict, provenance: dict, counts: dict) -> None:
    labels = config["labels"]
    data_lines = "\n".join(
        f"- {role}: `{info['path']}` ({counts.get(role, '?')} paragraphs, sha256 `{info['sha256'][:12]}…`)"
        for role, info in provenance["data"].items()
    )
    soup = config.get("train", {}).get("soup_size", 1)
    seed = provenance["seed"]
    notes = (f"\nThe weights are the mean of {soup} models fine-tuned from the same backbone with seeds "
                 f"{', '.join(str(seed + i) for i in range(soup))} (a uniform model soup).\n") if soup > 1 else ""
    alpha = config.get("train", {}).get("interpolate", 1.0)
    if alpha < 1.0:
        notes += (f"\nThe encoder's trained weights were moved back toward the pretrained backbone's after training: "
                      f"pretrained + {alpha:g} × (fine-tuned − pretrained) (WiSE-FT); the heads are kept as trained.\n")
    if config.get("calibration", {}).get("stance_bias", False):
        notes += ("\nWith the temperature, one bias per stance (`stance_bias` in `trilat.json`, added to the tempered "
                  "logits) was fitted on dev; unlike the temperature it can change which stance wins.\n")
    text = f"""# trilat model ({config['kind']})

Tags a paragraph about US–Japan–South Korea relations with topics
({', '.join(labels['topics'])}; zero or more) and one stance toward trilateral
cooperation ({', '.join(labels['stances'])}).

## Data
{data_lines}

Labels follow `data/LABELING.md`. The training paragraphs are synthetic,
written for the trilat project in many genres; see `data/README.md`.

## Dev metrics
{_metrics_table(metrics)}

Per-topic decision thresholds and a stance temperature (stance logits are
divided by it before the softmax) were tuned on the dev split and are stored
in `trilat.json`.
{notes}
## Intended use
Sorting and counting news and analysis paragraphs about the trilateral
relationship for analysts and newsrooms, with a person reading the
paragraphs that matter. Stance scores are temperature-scaled on dev, which
calibrates them for text like dev; on real coverage the model is still more
confident than it is right, so read scores as a ranking.

## Limitations
- Trained on synthetic paragraphs; real coverage differs in style and
  topic mix, so expect lower scores on real text than on the dev split.
- English only. Other languages get an answer, but it means little.
- Stance is judged toward trilateral cooperation only, as the guide defines
  it; it is not sentiment and not a judgement of any country.

## Reproduce
`trilat train <config> --set seed={provenance['seed']}` with the resolved config
stored in `trilat.json`; package versions are recorded there too.
"""
    (Path(directory) / "README.md").write_text(text, encoding="utf-8")
