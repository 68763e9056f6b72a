"""`trilat evaluate --report/--bootstrap`: report files, plots, intervals, p-values, error listing, bad inputs."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED_LABELS, STARTER_DEV, write_jsonl
from test_cli import assert_one_line_error, invoke

RESAMPLES = "200"  # enough to exercise the code, small enough to keep the suite fast


def run_report(models: list[Path], directory: Path, *extra) -> Path:
    model_args = [x for m in models for x in ("--model", m)]
    result = invoke("evaluate", *model_args, "--data", SEED_LABELS, "--report", directory, "--bootstrap", RESAMPLES, *extra)
    assert result.exit_code == 0, result.output
    return directory


@pytest.fixture(scope="module")
def two_kind_report(tmp_path_factory, tfidf_model_dir: Path, tiny_model_dir: Path) -> Path:
    """One report comparing the TF-IDF baseline with a tiny transformer: two model kinds, one interface."""
    return run_report([tfidf_model_dir, tiny_model_dir], tmp_path_factory.mktemp("report"))


def read_payload(directory: Path) -> dict:
    return json.loads((directory / "metrics.json").read_text(encoding="utf-8"))


def test_report_files_exist_and_every_png_opens(two_kind_report: Path):
    from PIL import Image

    names = {p.name for p in two_kind_report.iterdir()}
    assert {"report.md", "metrics.json", "errors.jsonl"} <= names
    payload = read_payload(two_kind_report)
    assert [m["kind"] for m in payload["models"]] == ["tfidf", "transformer"]
    pngs = [m["plots"][kind] for m in payload["models"] for kind in ("confusion", "topics", "reliability")]
    assert len(set(pngs)) == 6 and set(pngs) <= names
    report = (two_kind_report / "report.md").read_text(encoding="utf-8")
    for png in pngs:
        assert f"]({png})" in report
        with Image.open(two_kind_report / png) as image:
            image.verify()
        with Image.open(two_kind_report / png) as image:
            assert image.format == "PNG" and image.width >= 400 and image.height >= 300
            # A plot, not a blank canvas: many distinct colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 20


def _numbers_in_json(value) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [n for item in value for n in _numbers_in_json(item)]
    return []


def _numbers_in_markdown(text: str) -> list[str]:
    # Paths, metric keys and file names sit in code spans and image links: they are names, not numbers.
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    return re.findall(r"(?<![\w.\-])-?\d+(?:\.\d+)?(?![\w.])", text)


def test_every_number_in_report_md_is_in_metrics_json(two_kind_report: Path):
    from training.report import flatten_metrics

    payload = read_payload(two_kind_report)
    report = (two_kind_report / "report.md").read_text(encoding="utf-8")
    known = _numbers_in_json(payload)
    numbers = _numbers_in_markdown(report)
    assert len(numbers) > 100
    for number in numbers:
        assert any(abs(float(number) - k) < 1e-9 for k in known), f"{number} in report.md is not in metrics.json"
    # And each metrics-table cell is the value of its own model and metric, with three decimals.
    rows = dict(re.findall(r"^\| `([\w.]+)` \| (.+) \|$", report, flags=re.M))
    for column, model in enumerate(payload["models"]):
        for key, value in flatten_metrics(model["metrics"]).items():
            cell = rows[key].split(" | ")[column].strip("*")
            assert cell == (str(value) if isinstance(value, int) else f"{value:.3f}")


def test_each_interval_contains_its_estimate(two_kind_report: Path):
    payload = read_payload(two_kind_report)
    for model in payload["models"]:
        assert set(model["intervals"]) == {"topics.macro_f1", "stance.macro_f1", "stance.f_avg"}
        for metric, ci in model["intervals"].items():
            assert ci["low"] <= ci["estimate"] <= ci["high"], (model["key"], metric, ci)
            assert ci["low"] < ci["high"]  # 46 paragraphs: the noise is real and must show
        headline = {"topics.macro_f1": model["metrics"]["topics"]["macro_f1"], "stance.macro_f1": model["metrics"]["stance"]["macro_f1"],
                    "stance.f_avg": model["metrics"]["stance"]["f_avg"]}
        assert {k: ci["estimate"] for k, ci in model["intervals"].items()} == headline
    assert payload["bootstrap"]["resamples"] == int(RESAMPLES) and payload["bootstrap"]["seed"] == 0


def test_same_seed_gives_identical_intervals(tmp_path: Path, tfidf_model_dir: Path):
    def bootstrap_part(directory):
        payload = read_payload(directory)
        return [m["intervals"] for m in payload["models"]], payload["bootstrap"]["comparisons"]

    models = [tfidf_model_dir, tfidf_model_dir]
    first = bootstrap_part(run_report(models, tmp_path / "a", "--seed", "7"))
    again = bootstrap_part(run_report(models, tmp_path / "b", "--seed", "7"))
    other = bootstrap_part(run_report(models, tmp_path / "c", "--seed", "8"))
    assert first == again
    assert first[0] != other[0]


def test_model_compared_with_itself_gets_p_value_one(tmp_path: Path, tfidf_model_dir: Path):
    payload = read_payload(run_report([tfidf_model_dir, tfidf_model_dir], tmp_path / "r"))
    [comparison] = payload["bootstrap"]["comparisons"]
    assert (comparison["a"], comparison["b"]) == ("M1", "M2")
    assert set(comparison["metrics"]) == {"topics.macro_f1", "stance.macro_f1"}
    for result in comparison["metrics"].values():
        assert result == {"difference": 0.0, "p_value": 1.0}
    assert {m["plots"]["confusion"] for m in payload["models"]} == {"m1_model_confusion.png", "m2_model_confusion.png"}


def test_errors_jsonl_lists_every_wrong_paragraph_surest_first(two_kind_report: Path, tfidf_model_dir: Path):
    from model.io import load_model
    from training.data import read_records

    rows = [json.loads(line) for line in (two_kind_report / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    fields = {"model", "id", "text", "gold_topics", "gold_stance", "predicted_topics", "predicted_stance",
              "topic_scores", "stance_scores", "confidence"}
    assert rows and all(fields <= set(row) for row in rows)
    confidences = [row["confidence"] for row in rows]
    assert confidences == sorted(confidences, reverse=True)

    model = load_model(tfidf_model_dir)
    records = read_records(SEED_LABELS, model.labels)
    wrong = {r.id for r, p in zip(records, model.predict([r.text for r in records])) if set(p.topics) != set(r.topics) or p.stance != r.stance}
    listed = [row for row in rows if row["model"] == str(tfidf_model_dir)]
    assert {row["id"] for row in listed} == wrong and len(listed) == len(wrong)
    assert read_payload(two_kind_report)["models"][0]["paragraphs_with_errors"] == len(wrong)
    for row in listed:
        wrong_probabilities = [m["probability"] for m in row["mistakes"]]
        assert row["confidence"] == max(wrong_probabilities)
        if row["predicted_stance"] != row["gold_stance"]:
            assert row["confidence"] >= row["stance_scores"][row["predicted_stance"]]


def test_bootstrap_point_estimates_match_the_metrics(tfidf_model_dir: Path):
    from model.io import load_model
    from training.bootstrap import Outcomes, point_estimates
    from training.data import read_records
    from training.evaluate import metrics_from_scores, score_records

    model = load_model(tfidf_model_dir)
    records = read_records(STARTER_DEV, model.labels)
    scores = score_records(model, records)
    metrics = metrics_from_scores(scores, records, model.labels, model.thresholds)
    estimates = point_estimates(Outcomes.from_scores(scores, records, model.labels, model.thresholds))
    assert estimates["topics.macro_f1"] == pytest.approx(metrics["topics"]["macro_f1"])
    assert estimates["stance.macro_f1"] == pytest.approx(metrics["stance"]["macro_f1"])
    assert estimates["stance.f_avg"] == pytest.approx(metrics["stance"]["f_avg"])


def test_paired_p_value_definition():
    from training.bootstrap import paired_p_value

    same = np.array([0.5, 0.6, 0.7])
    assert paired_p_value(same, same, 0.0) == 1.0
    # A better in every resample: no flips, p = 0. Flipped (or tied) in 1 of 4: p = 2 * 1/4.
    assert paired_p_value(np.array([0.8, 0.9]), np.array([0.1, 0.2]), 0.7) == 0.0
    assert paired_p_value(np.array([0.8, 0.9, 0.5, 0.7]), np.array([0.1, 0.2, 0.5, 0.3]), 0.4) == 0.5
    assert paired_p_value(np.array([0.1, 0.2, 0.5, 0.3]), np.array([0.8, 0.9, 0.5, 0.7]), -0.4) == 0.5
    assert paired_p_value(np.array([0.1, 0.2]), np.array([0.8, 0.9]), 0.1) == 1.0  # capped at 1


def test_reliability_bins_and_ece():
    from training.calibration import reliability_bins

    stance_probs = np.array([[0.95, 0.03, 0.02], [0.9, 0.05, 0.05], [0.55, 0.45, 0.0], [0.2, 0.2, 0.6], [0.0, 0.0, 1.0]])
    gold = np.array([0, 1, 0, 1, 2])
    calibration = reliability_bins(stance_probs, gold)
    bins = calibration["bins"]
    assert len(bins) == 10 and [b["count"] for b in bins] == [0, 0, 0, 0, 0, 1, 1, 0, 0, 3]
    top = bins[9]  # 0.95 right, 0.9 wrong, 1.0 right (confidence 1.0 lands in the top bin)
    assert top["confidence"] == pytest.approx(2.85 / 3) and top["accuracy"] == pytest.approx(2 / 3)
    expected = (3 * abs(2 / 3 - 2.85 / 3) + abs(1 - 0.55) + abs(0 - 0.6)) / 5
    assert calibration["ece"] == pytest.approx(expected)
    assert bins[0]["confidence"] is None and bins[0]["accuracy"] is None


def test_json_output_is_unchanged_by_report_options(tmp_path: Path, tfidf_model_dir: Path):
    from model.io import load_model
    from training.data import read_records
    from training.evaluate import evaluate_model

    plain = invoke("evaluate", "--model", tfidf_model_dir, "--data", SEED_LABELS, "--json")
    with_report = invoke("evaluate", "--model", tfidf_model_dir, "--data", SEED_LABELS, "--json",
                         "--report", tmp_path / "r", "--bootstrap", "50")
    assert plain.exit_code == 0 and with_report.exit_code == 0, with_report.output
    assert plain.stdout == with_report.stdout
    model = load_model(tfidf_model_dir)
    expected = evaluate_model(model, read_records(SEED_LABELS, model.labels))
    assert json.loads(plain.stdout) == json.loads(json.dumps(expected))


def test_terminal_shows_models_side_by_side_with_intervals(tfidf_model_dir: Path):
    result = invoke("evaluate", "--model", tfidf_model_dir, "--model", tfidf_model_dir, "--data", SEED_LABELS, "--bootstrap", "50")
    assert result.exit_code == 0, result.output
    assert "(* best)" in result.stdout and "stance.macro_f1" in result.stdout
    assert "50 bootstrap resamples" in result.stdout and "M1 vs M2" in result.stdout and "p-value" in result.stdout


def _relabelled_copy(src: Path, dst: Path, old: str, new: str) -> Path:
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    meta = json.loads((dst / "trilat.json").read_text())
    meta["labels"]["topics"] = [new if t == old else t for t in meta["labels"]["topics"]]
    meta["thresholds"] = {new if t == old else t: v for t, v in meta["thresholds"].items()}
    (dst / "trilat.json").write_text(json.dumps(meta))
    return dst


def test_bad_inputs_end_in_one_line_and_exit_2(tmp_path: Path, tfidf_model_dir: Path):
    m = ["--model", tfidf_model_dir]
    unknown = write_jsonl(tmp_path / "unknown.jsonl", [
        {"id": "1", "text": "x", "topics": ["weather"], "stance": "neutral"},
        {"id": "2", "text": "y", "topics": ["trade"], "stance": "pro"},
    ])
    result = invoke("evaluate", *m, "--data", unknown, "--report", tmp_path / "r1")
    assert_one_line_error(result, f"data labels not known to model {tfidf_model_dir}: unknown topic 'weather'; unknown stance 'pro'")
    assert result.stderr.startswith(f"error: {unknown}:1: data labels")
    assert not (tmp_path / "r1").exists()

    renamed = _relabelled_copy(tfidf_model_dir, tmp_path / "renamed", "trade", "economy")
    result = invoke("evaluate", *m, "--model", renamed, "--data", SEED_LABELS)
    assert_one_line_error(result, "must share one label schema")
    assert "economy" in result.stderr
    assert_one_line_error(invoke("evaluate", "--model", renamed, "--data", SEED_LABELS), "unknown topic 'trade'")

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert_one_line_error(invoke("evaluate", *m, "--data", empty, "--report", tmp_path / "r2"), "empty")
    for bad in ("0", "-3", "100001"):
        assert_one_line_error(invoke("evaluate", *m, "--data", SEED_LABELS, "--bootstrap", bad), "Invalid value for '--bootstrap'")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert_one_line_error(invoke("evaluate", *m, "--data", SEED_LABELS, "--report", a_file), "is not a directory")


def test_a_report_rewritten_with_fewer_models_leaves_no_stale_plots(tmp_path: Path, tfidf_model_dir: Path):
    directory = tmp_path / "r"
    run_report([tfidf_model_dir, tfidf_model_dir], directory, "--bootstrap", "5")
    assert len(list(directory.glob("m2_*.png"))) == 3
    (directory / "notes.png").write_bytes(b"mine")  # a file no report listed stays
    run_report([tfidf_model_dir], directory, "--bootstrap", "5")
    listed = {name for model in read_payload(directory)["models"] for name in model["plots"].values()}
    assert {p.name for p in directory.glob("*.png")} == listed | {"notes.png"} and not list(directory.glob("m2_*"))
