"""Evaluating models side by side and writing a report people can read.

`evaluate_models` scores every model once on one labeled file and, if asked,
adds bootstrap intervals and paired p-values from those same scores.
`write_report` turns the result into a directory:

- `report.md`: data summary, side-by-side metrics, intervals, p-values, ECE, plots;
- `metrics.json`: every number in `report.md`, rounded the same way;
- `errors.jsonl`: each paragraph a model got any label wrong on, surest mistakes first;
- three PNGs per model: stance confusion matrix, per-topic P/R/F1, stance reliability.

Models are only used through the shared classifier interface, so every kind works.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


from model.errors import DataError, ModelError, TrilatError
from model.interface import Classifier, Prediction, Scores, predictions_from_scores
from model.labels import LabelSchema
from training.bootstrap import Outcomes, confidence_intervals, paired_comparison, resample_weights
from training.calibration import N_BINS, reliability_bins
from training.data import Record, iter_rows, read_records
from training.evaluate import gold_arrays, metrics_from_scores, score_records
from training.plots import write_plots

DEFAULT_RESAMPLES = 1000
LEVEL = 0.95
DECIMALS = 3  # every number in report.md and metrics.json is rounded to this
UNRANKED = ("n", "support")  # counts, not scores: never marked best


@dataclass
class ModelRun:
    """One model scored once on the evaluation data, and everything derived from those scores."""

    index: int  # 1-based position on the command line; "M1", "M2", ... in the report
    path: str
    kind: str
    labels: LabelSchema
    thresholds: dict[str, float]
    scores: Scores
    metrics: dict
    outcomes: Outcomes
    calibration: dict
    precision: str = "fp32"  # the arithmetic the scores were computed in
    intervals: dict | None = None

    @property
    def key(self) -> str:
        return f"M{self.index}"


@dataclass
class Evaluation:
    data_path: str
    records: list[Record]
    runs: list[ModelRun]
    resamples: int | None = None
    seed: int = 0
    comparisons: list[dict] = field(default_factory=list)  # {"a": "M1", "b": "M2", "metrics": {metric: {...}}}

    def results(self) -> list[tuple[str, dict]]:
        """`(model path, metrics)` pairs: the shape `--json` and the terminal table use."""
        return [(run.path, run.metrics) for run in self.runs]

    def json_payload(self) -> dict:
        """One model: its metrics. Several: metrics keyed by path (`path (M1)`, `path (M2)` when a path is given twice)."""
        if len(self.runs) == 1:
            return self.runs[0].metrics
        paths = [run.path for run in self.runs]
        return {(run.path if paths.count(run.path) == 1 else f"{run.path} ({run.key})"): run.metrics for run in self.runs}


# --- evaluating ------------------------------------------------------------


def evaluate_models(model_dirs, data_path, n_resamples: int | None = None, seed: int = 0, precision: str = "fp32") -> Evaluation:
    """Score each model once on `data_path`; with `n_resamples`, add bootstrap intervals and p-values."""
    from model.io import load_model

    if n_resamples is not None and n_resamples < 1:
        raise TrilatError(f"--bootstrap must be at least 1 (got {n_resamples})")
    model_dirs = [str(d) for d in model_dirs]
    models = [load_model(d, precision) for d in model_dirs]
    labels = shared_labels(models, model_dirs)
    records = read_data(data_path, labels, model_dirs)
    runs = [score_model(i, d, m, records) for i, (d, m) in enumerate(zip(model_dirs, models), 1)]
    evaluation = Evaluation(str(data_path), records, runs, seed=seed)
    if n_resamples is not None:
        add_bootstrap(evaluation, n_resamples, seed)
    return evaluation


def _describe_labels(labels: LabelSchema) -> str:
    return f"topics {{{', '.join(labels.topics)}}}; stances {{{', '.join(labels.stances)}}}"


def shared_labels(models: list[Classifier], model_dirs: list[str]) -> LabelSchema:
    """The one label schema all models share (label order may differ); else a one-line error."""
    first = models[0].labels
    for directory, model in zip(model_dirs[1:], models[1:]):
        other = model.labels
        if set(other.topics) != set(first.topics) or set(other.stances) != set(first.stances) or other.neutral != first.neutral:
            raise ModelError(
                f"models compared side by side must share one label schema: {model_dirs[0]} has {_describe_labels(first)}"
                f" (neutral {first.neutral}), {directory} has {_describe_labels(other)} (neutral {other.neutral})"
            )
    return first


def read_data(data_path, labels: LabelSchema, model_dirs: list[str]) -> list[Record]:
    """The labeled records; labels the models do not know are all named in one line."""
    try:
        return read_records(data_path, labels)
    except DataError as exc:
        if "unknown topic" not in str(exc) and "unknown stance" not in str(exc):
            raise
        where = str(exc).split(": ", 1)[0]  # "file:line" of the first one
        raise DataError(unknown_labels_message(Path(data_path), labels, model_dirs, where) or str(exc)) from None


def data_label_sets(path: Path) -> tuple[set[str], set[str]]:
    """Every topic and stance name used in a data file, read without validating against a schema."""
    topics, stances = set(), set()
    for _, row in iter_rows(path):
        if isinstance(row.get("topics"), list):
            topics.update(t for t in row["topics"] if isinstance(t, str))
        if isinstance(row.get("stance"), str):
            stances.add(row["stance"])
    return topics, stances


def unknown_labels_message(path: Path, labels: LabelSchema, model_dirs: list[str], where: str | None = None) -> str | None:
    """Every label in `path` that the models do not know, in one line that starts with `where` (the first one's file:line)."""
    topics, stances = data_label_sets(path)
    parts = []
    for kind, used, known in (("topic", topics, labels.topics), ("stance", stances, labels.stances)):
        unknown = sorted(used - set(known))
        if unknown:
            parts.append(f"unknown {kind}{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")
    if not parts:
        return None
    names = list(dict.fromkeys(model_dirs))
    models = f"model{'s' if len(names) > 1 else ''} {', '.join(names)}"
    return f"{where or path}: data labels not known to {models}: {'; '.join(parts)} (the model knows {_describe_labels(labels)})"


def score_model(index: int, path: str, model: Classifier, records: list[Record]) -> ModelRun:
    scores = score_records(model, records)
    _, gold_stance = gold_arrays(records, model.labels)
    return ModelRun(
        index=index,
        path=path,
        kind=model.kind,
        labels=model.labels,
        thresholds=dict(model.thresholds),
        scores=scores,
        metrics=metrics_from_scores(scores, records, model.labels, model.thresholds),
        outcomes=Outcomes.from_scores(scores, records, model.labels, model.thresholds),
        calibration=reliability_bins(scores.stance_probs, gold_stance),
        precision=model.scoring_precision(),
    )


def add_bootstrap(evaluation: Evaluation, n_resamples: int, seed: int) -> None:
    """Intervals per model and p-values per pair, all from one set of resamples (so pairs are paired)."""
    weights = resample_weights(len(evaluation.records), n_resamples, seed)
    evaluation.resamples, evaluation.seed = n_resamples, seed
    for run in evaluation.runs:
        run.intervals = confidence_intervals(run.outcomes, weights, LEVEL)
    runs = evaluation.runs
    evaluation.comparisons = [
        {"a": a.key, "b": b.key, "metrics": paired_comparison(a.outcomes, b.outcomes, weights)}
        for i, a in enumerate(runs) for b in runs[i + 1 :]
    ]


# --- the side-by-side table --------------------------------------------------


def flatten_metrics(metrics: dict) -> dict[str, float]:
    """`{"topics.macro_f1": 0.8, "topics.security.f1": 0.9, ...}` in a stable order."""
    flat = {"n": metrics["n"]}
    for section in ("topics", "stance"):
        block = metrics[section]
        for key, value in block.items():
            if isinstance(value, (int, float)):
                flat[f"{section}.{key}"] = value
        for label, scores in block["per_label"].items():
            for key, value in scores.items():
                flat[f"{section}.{label}.{key}"] = value
    return flat


def best_marks(rows: list[dict[str, float]]) -> dict[str, set[int]]:
    """For each ranked metric, the indices of the models holding the best (highest) value."""
    marks = {}
    for key in rows[0]:
        if key.split(".")[-1] in UNRANKED or len(rows) < 2:
            continue
        best = max(row[key] for row in rows)
        marks[key] = {i for i, row in enumerate(rows) if abs(row[key] - best) < 1e-12}
    return marks


# --- errors.jsonl ----------------------------------------------------------


def mistakes(record: Record, prediction: Prediction, labels: LabelSchema) -> list[dict]:
    """Each wrong decision with the probability the model put on its wrong answer."""
    found = []
    for topic in labels.topics:
        gold, predicted = topic in record.topics, topic in prediction.topics
        if gold != predicted:
            probability = prediction.topic_scores[topic]
            found.append({"label": f"topic:{topic}", "gold": gold, "predicted": predicted,
                          "probability": round(probability if predicted else 1 - probability, 4)})
    if prediction.stance != record.stance:
        found.append({"label": "stance", "gold": record.stance, "predicted": prediction.stance,
                      "probability": prediction.stance_scores[prediction.stance]})
    return found


def error_rows(evaluation: Evaluation) -> list[dict]:
    """Every (model, paragraph) with any wrong label, surest mistake first."""
    rows = []
    for run in evaluation.runs:
        predictions = predictions_from_scores(run.scores, run.labels, run.thresholds)
        for record, prediction in zip(evaluation.records, predictions):
            wrong = mistakes(record, prediction, run.labels)
            if wrong:
                rows.append({
                    "model": run.path, "model_key": run.key, "id": record.id, "text": record.text,
                    "gold_topics": list(record.topics), "gold_stance": record.stance,
                    "predicted_topics": prediction.topics, "predicted_stance": prediction.stance,
                    "topic_scores": prediction.topic_scores, "stance_scores": prediction.stance_scores,
                    "confidence": max(m["probability"] for m in wrong), "mistakes": wrong,
                })
    # sorted() is stable: equal confidences keep model order, then data order.
    return sorted(rows, key=lambda row: -row["confidence"])


# --- metrics.json and report.md ------------------------------------------------


def rounded(value):
    """`value` with every float rounded to DECIMALS, so report.md and metrics.json agree digit for digit."""
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return value


def data_summary(evaluation: Evaluation) -> dict:
    records, labels = evaluation.records, evaluation.runs[0].labels
    n = len(records)

    def share(count: int) -> dict:
        return {"count": count, "share": count / n}

    return {
        "path": evaluation.data_path,
        "n": n,
        "topics": {t: share(sum(t in r.topics for r in records)) for t in labels.topics},
        "no_topic": share(sum(not r.topics for r in records)),
        "stances": {s: share(sum(r.stance == s for r in records)) for s in labels.stances},
    }


def model_entry(run: ModelRun, plots: dict[str, str], error_count: int) -> dict:
    return {
        "key": run.key, "index": run.index, "path": run.path, "kind": run.kind, "precision": run.precision,
        "metrics": run.metrics,
        "calibration": {"n_bins": N_BINS, **run.calibration},
        "intervals": run.intervals,
        "plots": plots,
        "paragraphs_with_errors": error_count,
    }


def report_payload(evaluation: Evaluation, plots: dict[int, dict], errors: list[dict]) -> dict:
    """Everything report.md shows, as one rounded, JSON-ready object."""
    counts = {run.key: sum(row["model_key"] == run.key for row in errors) for run in evaluation.runs}
    bootstrap = None
    if evaluation.resamples is not None:
        bootstrap = {"resamples": evaluation.resamples, "seed": evaluation.seed, "level": LEVEL, "comparisons": evaluation.comparisons}
    return rounded({
        "data": data_summary(evaluation),
        "models": [model_entry(run, plots[run.index], counts[run.key]) for run in evaluation.runs],
        "bootstrap": bootstrap,
        "errors_file": "errors.jsonl",
    })


def _number(value) -> str:
    return f"{value:d}" if isinstance(value, int) else f"{value:.{DECIMALS}f}"


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_number(c) if isinstance(c, (int, float)) else str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def data_section(data: dict) -> list[str]:
    rows = [[f"topic `{t}`", c["count"], c["share"]] for t, c in data["topics"].items()]
    rows.append(["no topic", data["no_topic"]["count"], data["no_topic"]["share"]])
    rows += [[f"stance `{s}`", c["count"], c["share"]] for s, c in data["stances"].items()]
    return [f"## Data\n\n`{data['path']}`: {data['n']} paragraphs.\n"] + _table(["label", "paragraphs", "share"], rows)


def models_section(models: list[dict]) -> list[str]:
    rows = [[m["key"], f"`{m['path']}`", m["kind"], m["precision"]] for m in models]
    return ["## Models\n"] + _table(["model", "directory", "kind", "arithmetic"], rows)


def metrics_section(models: list[dict]) -> list[str]:
    flat = [flatten_metrics(m["metrics"]) for m in models]
    marks = best_marks(flat)
    rows = []
    for key in flat[0]:
        cells = [_number(row[key]) for row in flat]
        rows.append([f"`{key}`"] + [f"**{c}**" if i in marks.get(key, ()) else c for i, c in enumerate(cells)])
    note = " Bold: the best value among the models." if len(models) > 1 else ""
    return [f"## Metrics\n\nEvery metric of `trilat evaluate --json`.{note}\n"] + _table(["metric"] + [m["key"] for m in models], rows)


def intervals_section(payload: dict) -> list[str]:
    bootstrap = payload["bootstrap"]
    if bootstrap is None:
        return []
    rows = [[m["key"], f"`{metric}`", ci["estimate"], ci["low"], ci["high"]] for m in payload["models"] for metric, ci in m["intervals"].items()]
    lines = [
        "## Confidence intervals\n",
        f"Percentile bootstrap over paragraphs: {bootstrap['resamples']} resamples, seed {bootstrap['seed']},"
        f" level {_number(bootstrap['level'])}.\n",
    ] + _table(["model", "metric", "estimate", "low", "high"], rows)
    if bootstrap["comparisons"]:
        rows = [[f"{c['a']} vs {c['b']}", f"`{metric}`", result["difference"], result["p_value"]]
                for c in bootstrap["comparisons"] for metric, result in c["metrics"].items()]
        lines += [
            "## Paired comparisons\n",
            "Paired bootstrap on the same resamples: difference is first minus second model; the two-sided"
            " p-value is twice the share of resamples in which the difference has the opposite sign or is zero"
            " (capped at one; a zero observed difference gets one).\n",
        ] + _table(["models", "metric", "difference", "p-value"], rows)
    return lines


def model_sections(models: list[dict]) -> list[str]:
    lines = ["## Per model\n"]
    for m in models:
        calibration, plots = m["calibration"], m["plots"]
        lines += [
            f"### {m['key']}: `{m['path']}`\n",
            f"Stance expected calibration error (ECE): {_number(calibration['ece'])}"
            f" over {calibration['n_bins']} equal-width confidence bins."
            f" Paragraphs with any wrong label: {m['paragraphs_with_errors']} (in `errors.jsonl`).\n",
            f"![{m['key']} stance confusion matrix]({plots['confusion']})",
            f"![{m['key']} per-topic precision, recall and F1]({plots['topics']})",
            f"![{m['key']} stance reliability diagram]({plots['reliability']})\n",
        ]
    return lines


def markdown_report(payload: dict) -> str:
    lines = ["# Evaluation report\n"]
    lines += data_section(payload["data"]) + models_section(payload["models"]) + metrics_section(payload["models"])
    lines += intervals_section(payload) + model_sections(payload["models"])
    return "\n".join(lines)


def _listed_plots(path: Path) -> set[str]:
    """The plot files an earlier report's metrics.json lists (plain names only); none if there is no readable one."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        names = {name for model in payload["models"] for name in model["plots"].values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {n for n in names if isinstance(n, str) and n.endswith(".png") and Path(n).name == n}


def write_report(evaluation: Evaluation, directory: Path) -> Path:
    """Write report.md, metrics.json, errors.jsonl and the PNGs into `directory`."""
    directory = Path(directory)  # `trilat evaluate` checked it could be made before scoring
    try:
        directory.mkdir(parents=True, exist_ok=True)
        earlier = _listed_plots(directory / "metrics.json")
        plots = {run.index: write_plots(run, directory) for run in evaluation.runs}
        for name in earlier - {name for files in plots.values() for name in files.values()}:
            (directory / name).unlink(missing_ok=True)  # an earlier report's plot of a model this one lacks
        errors = error_rows(evaluation)
        payload = report_payload(evaluation, plots, errors)
        with open(directory / "errors.jsonl", "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in errors)
        (directory / "metrics.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (directory / "report.md").write_text(markdown_report(payload), encoding="utf-8")
    except OSError as exc:
        raise TrilatError(f"cannot write the report to {directory}: {exc.strerror or exc}") from None
    return directory
