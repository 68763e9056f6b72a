"""The CLI end to end through typer's CliRunner, and every bad input a user can give."""
import json
from pathlib import Path

import pytest
from conftest import ROOT, SEED_LABELS, SEED_TEXT, STARTER_DEV, tfidf_overrides, write_jsonl
from typer.testing import CliRunner

from trilat.cli import app

runner = CliRunner()


def invoke(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def assert_one_line_error(result, fragment: str):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_config_train_evaluate_classify_end_to_end(tmp_path: Path):
    out = tmp_path / "model"
    sets = [x for o in tfidf_overrides() for x in ("--set", o)]
    result = invoke("train", ROOT / "configs" / "tfidf.yaml", *sets, "--output", out)
    assert result.exit_code == 0, result.output
    assert {"trilat.json", "tfidf.json", "tfidf.npz", "README.md"} <= {p.name for p in out.iterdir()}

    result = invoke("evaluate", "--model", out, "--data", SEED_LABELS, "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["n"] == 46
    assert set(metrics["topics"]) == {"micro_f1", "macro_f1", "exact_match", "per_label"}
    assert set(metrics["topics"]["per_label"]["trade"]) == {"precision", "recall", "f1", "support"}
    assert set(metrics["stance"]) == {"macro_f1", "f_avg", "accuracy", "per_label", "confusion"}
    assert metrics["stance"]["confusion"]["labels"] == ["favor", "against", "neutral"]
    assert sum(map(sum, metrics["stance"]["confusion"]["matrix"])) == 46

    result = invoke("classify", "--model", out, "--file", SEED_TEXT, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 46 and rows[7]["text"].startswith("How US-led alliance")
    assert set(rows[0]) >= {"id", "index", "start", "end", "topics", "topic_scores", "stance", "stance_scores"}
    assert rows[0]["stance"] in ("favor", "against", "neutral")


def test_classify_formats_stdin_and_jsonl_input(tfidf_model_dir: Path, tmp_path: Path):
    result = invoke("classify", "--model", tfidf_model_dir, "--file", "-", "--format", "csv", input="Drills resumed.\n\nChip curbs eased.\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("id,index,start,end,topics,score_security") and len(lines) == 3

    result = invoke("classify", "--model", tfidf_model_dir, "--file", STARTER_DEV, "--format", "jsonl", "--output", tmp_path / "o.jsonl")
    assert result.exit_code == 0, result.output
    first_id = json.loads(STARTER_DEV.read_text().splitlines()[0])["id"]
    assert json.loads((tmp_path / "o.jsonl").read_text().splitlines()[0])["id"] == first_id

    result = invoke("classify", "--model", tfidf_model_dir, "-", "--format", "jsonl", input="From standard input.\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["text"] == "From standard input."

    result = invoke("classify", "--model", tfidf_model_dir, "One paragraph.", "Another one.")
    assert result.exit_code == 0 and "One paragraph." in result.stdout and "stance" in result.stdout


def test_odd_inputs_still_get_an_answer(tfidf_model_dir: Path):
    long_text = " ".join(["The allies discussed missile defence and chip supply chains."] * 850)
    assert len(long_text) > 50_000
    for text in (long_text, "韓日関係の改善は三カ国協力に不可欠だ。", "🇺🇸🇯🇵🇰🇷 🤝 🚀"):
        result = invoke("classify", "--model", tfidf_model_dir, "--format", "jsonl", text)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["stance"] in ("favor", "against", "neutral")


def test_help_explains_every_command():
    for args in ([], ["train"], ["classify"], ["evaluate"]):
        result = invoke(*args, "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_bad_inputs_end_in_one_line_and_exit_2(tmp_path: Path, tfidf_model_dir: Path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9 au lait\n")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\n\t\n")
    malformed = tmp_path / "bad.jsonl"
    malformed.write_text('{"id": "1", "text": "ok"}\n{"id": 2,\n')
    unknown = write_jsonl(tmp_path / "unknown.jsonl", [{"id": "1", "text": "x", "topics": ["weather"], "stance": "neutral"}])
    m = ["--model", tfidf_model_dir]
    assert_one_line_error(invoke("classify", *m, "--file", tmp_path / "missing.txt"), "not found")
    assert_one_line_error(invoke("classify", *m, "--file", tmp_path), "directory")
    assert_one_line_error(invoke("classify", *m, "--file", latin), "not UTF-8")
    assert_one_line_error(invoke("classify", *m, "--file", blank), "empty")
    assert_one_line_error(invoke("classify", *m, "--file", "-", input="   \n"), "empty")
    assert_one_line_error(invoke("classify", *m, "--file", malformed), "bad.jsonl:2: malformed JSON")
    assert_one_line_error(invoke("classify", *m, "--format", "xml", "x"), "--format")
    assert_one_line_error(invoke("classify", *m), "either TEXT")
    assert_one_line_error(invoke("classify", *m, latin), f"{latin} is a file, not a paragraph; to classify a file use --file FILE")
    assert_one_line_error(invoke("classify", *m, tmp_path), "is a directory, not a paragraph")
    assert_one_line_error(invoke("classify", *m, "artcle.txt"), "artcle.txt: no such file, and one word is not a paragraph")
    assert_one_line_error(invoke("classify", *m, "-", "Talks resumed."), "'-' (standard input) cannot be combined")
    assert_one_line_error(invoke("classify", *m, "--file", latin, "b.txt"), "not both (--file takes one file; got 'b.txt'")
    assert_one_line_error(invoke("classify", *m, "--file", latin, "--file", blank), "--file given 2 times")
    assert_one_line_error(invoke("classify", *m, "--input-format", "xml", "Talks resumed."), "unknown --input-format 'xml'")
    assert invoke("classify", *m, "--format", "jsonl", "Drills.").exit_code == 0  # one word that names no file is text
    for text in ("日米韓の安全保障協力は" * 30, "日米韓/安全保障"):  # no spaces in Japanese: never taken for a path
        assert invoke("classify", *m, "--format", "jsonl", text).exit_code == 0
    assert_one_line_error(invoke("classify", *m, ""), "empty")
    bad_late = tmp_path / "late.txt"
    bad_late.write_bytes(b"".join(b"Paragraph %d.\r\n" % i for i in range(3000)) + b"caf\xe9\r\n")
    assert_one_line_error(invoke("classify", *m, "--file", bad_late, "-o", tmp_path / "late.out"), f"{bad_late}:3001: not UTF-8")
    assert_one_line_error(invoke("classify", *m, "--file", "-", input=bad_late.read_bytes()), "standard input (at or after line")
    records = '{"id": "r1", "text": "Talks resumed."}\n'
    for name in ("r.ndjson", "r.json"):
        (tmp_path / name).write_text(records)
        result = invoke("classify", *m, "--file", tmp_path / name, "-o", tmp_path / "out.json")
        assert result.exit_code == 0 and json.loads((tmp_path / "out.json").read_text())["id"] == "r1"
    (tmp_path / "array.json").write_text('[{"id": "r1", "text": "Talks resumed."}]\n')
    assert_one_line_error(invoke("classify", *m, "--file", tmp_path / "array.json"), "expected JSON Lines")
    (tmp_path / "blank.json").write_text("\n")
    assert_one_line_error(invoke("classify", *m, "--file", tmp_path / "blank.json"), "the input is empty")
    assert_one_line_error(invoke("evaluate", *m, "--data", unknown), "unknown topic 'weather'")
    assert_one_line_error(invoke("evaluate", *m, "--data", tmp_path / "nope.jsonl"), "not found")
    assert_one_line_error(invoke("evaluate", *m, "--data", unknown, "--data", unknown), "--data given 2 times")
    assert_one_line_error(invoke("classify", "--bogus"), "No such option")


def test_bad_configs_end_in_one_line_and_exit_2(tmp_path: Path):
    config = ROOT / "configs" / "tfidf.yaml"
    assert_one_line_error(invoke("train", config, "--set", "tfidf.topic_cc=1"), "unknown config key 'tfidf.topic_cc'; valid keys:")
    assert_one_line_error(invoke("train", config, "--set", "seed=abc"), "'seed' must be of type int")
    assert_one_line_error(invoke("train", tmp_path / "none.yaml"), "not found")
    assert_one_line_error(invoke("train", config, "--set", "data.train=/nonexistent.jsonl"), "not found")
    assert_one_line_error(invoke("train", config, "--set", "data.train=nonexistent.jsonl"), "nonexistent.jsonl (relative to the current directory")
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: tfidf\nseed: [1, 2\nfoo: 3\n")
    assert_one_line_error(invoke("train", broken), f"{broken}:3:4: not valid YAML")
    topics = "labels.topics=[security,history,trade,economy]"
    assert_one_line_error(invoke("train", config, "--set", topics, "--output", tmp_path / "m"), "no training paragraph for topic 'economy'")


def _copy_model(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


@pytest.mark.parametrize(
    "damage, fragment",
    [
        (lambda d: (d / "trilat.json").unlink(), "trilat.json is missing"),
        (lambda d: (d / "tfidf.npz").unlink(), "tfidf.npz is missing"),
        (lambda d: (d / "tfidf.npz").write_bytes(b"garbage"), "does not match its recorded sha256"),
        (lambda d: (d / "trilat.json").write_text("{broken"), "corrupted"),
        (lambda d: (d / "trilat.json").write_text('{"kind": "tfidf"}'), "incomplete"),
        (lambda d: (d / "trilat.json").write_text((d / "trilat.json").read_text().replace('"tfidf"', '"svm"', 1)), "unknown model kind 'svm'"),
    ],
)
def test_broken_model_directories(tmp_path: Path, tfidf_model_dir: Path, damage, fragment):
    model = _copy_model(tfidf_model_dir, tmp_path / "m")
    damage(model)
    assert_one_line_error(invoke("classify", "--model", model, "text"), fragment)


def test_missing_model_directory(tmp_path: Path):
    assert_one_line_error(invoke("classify", "--model", tmp_path / "none", "text"), "model directory not found")
    assert_one_line_error(invoke("classify", "--model", SEED_TEXT, "text"), "expected a model directory")


def test_failed_input_check_leaves_the_output_file_alone(tmp_path: Path, tfidf_model_dir: Path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n")
    assert_one_line_error(invoke("classify", "--model", tfidf_model_dir, "--file", tmp_path / "missing.txt", "-o", out), "not found")
    assert out.read_text() == "previous results\n"


def test_train_refuses_a_file_as_output_before_training(tmp_path: Path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    sets = [x for o in tfidf_overrides() for x in ("--set", o)]
    assert_one_line_error(invoke("train", ROOT / "configs" / "tfidf.yaml", *sets, "--output", target), "not a directory")
    assert_one_line_error(invoke("train", ROOT / "configs" / "tfidf.yaml", *sets, "--output", tmp_path / "m", "--resume"), "--resume")
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("field, value, fragment", [("files", [], "wrong type for files"), ("kind", ["tfidf"], "wrong type for kind"),
                                                     ("files", {"../trilat.json": "x"}, "outside the model directory")])
def test_wrong_types_in_model_metadata(tmp_path: Path, tfidf_model_dir: Path, field, value, fragment):
    model = _copy_model(tfidf_model_dir, tmp_path / "m")
    meta = json.loads((model / "trilat.json").read_text())
    meta[field] = value
    (model / "trilat.json").write_text(json.dumps(meta))
    assert_one_line_error(invoke("classify", "--model", model, "text"), fragment)


def test_unwritable_output_is_one_line(tfidf_model_dir: Path, tmp_path: Path):
    assert_one_line_error(invoke("classify", "--model", tfidf_model_dir, "text", "-o", tmp_path), "cannot write")
    if Path("/proc/version").is_file():  # refused before the model loads: a missing model would fail differently
        assert_one_line_error(invoke("classify", "--model", tmp_path / "no-model", "text", "-o", "/proc/version"),
                              "cannot write /proc/version")
    fresh = tmp_path / "fresh.jsonl"
    assert_one_line_error(invoke("classify", "--model", tmp_path / "no-model", "text", "-o", fresh), "model directory not found")
    assert not fresh.exists()  # trying the path left nothing behind
    if Path("/dev/full").exists():
        assert_one_line_error(invoke("classify", "--model", tfidf_model_dir, "text", "-o", "/dev/full"), "No space left")


def test_csv_input_and_byte_order_mark(tfidf_model_dir: Path, tmp_path: Path):
    table = tmp_path / "in.csv"
    table.write_text('id,text\nx1,"Drills, tariffs and apologies."\nx2,Chip curbs eased.\n', encoding="utf-8")
    result = invoke("classify", "--model", tfidf_model_dir, "--file", table, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["x1", "x2"]
    marked = tmp_path / "bom.txt"
    marked.write_text("First paragraph.\n", encoding="utf-8-sig")
    result = invoke("classify", "--model", tfidf_model_dir, "--file", marked, "--format", "jsonl")
    assert json.loads(result.stdout)["text"] == "First paragraph."


def test_unknown_precision_is_refused_before_any_model_loads(tmp_path: Path):
    missing = tmp_path / "no-model"  # a load would fail differently: the option is checked first
    assert_one_line_error(invoke("classify", "--model", missing, "--precision", "fp8", "Seoul."), "unknown --precision 'fp8'")
    assert_one_line_error(invoke("evaluate", "--model", missing, "--data", SEED_LABELS, "--precision", "half"), "unknown --precision")


def test_reports_record_the_arithmetic(tfidf_model_dir: Path, tmp_path: Path):
    result = invoke("evaluate", "--model", tfidf_model_dir, "--data", STARTER_DEV, "--report", tmp_path / "r", "--bootstrap", 5)
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["models"][0]["precision"] == "float64"
    assert "| arithmetic |" in (tmp_path / "r" / "report.md").read_text()
    # tables in a pipe or file are plain columns: no box-drawing characters
    assert "stance.macro_f1" in result.stdout and "p-value" not in result.stdout and "interval" in result.stdout
    assert not any("\u2500" <= c <= "\u257f" for c in result.stdout)
    assert_one_line_error(invoke("evaluate", "--model", tfidf_model_dir, "--data", STARTER_DEV, "--json", "--bootstrap", 5), "add --report DIR")
    assert_one_line_error(invoke("evaluate", "--model", tfidf_model_dir, "--data", STARTER_DEV, "--bootstrap", 5, "--seed", -1), "--seed")


def test_benchmark_with_a_missing_model_is_a_one_line_error(tmp_path: Path):
    import subprocess
    import sys

    missing = tmp_path / "none"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "transformer", "--model", str(missing)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: model directory not found: {missing}"]


def test_output_file_opens_with_the_first_results_and_never_is_the_input(tmp_path: Path, tfidf_model_dir: Path):
    m = ["--model", tfidf_model_dir]
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Drills resumed."}\n{"text": "Chip curbs eased."}\n')
    assert_one_line_error(invoke("classify", *m, "--file", source, "-o", source), "is the input file")
    assert source.read_text().count("\n") == 2  # the input was not truncated
    assert_one_line_error(invoke("classify", *m, "--file", source, "-o", tmp_path / "none" / "o.csv"), "is not a directory")

    out = tmp_path / "out.csv"
    out.write_text("previous results\n")
    early = tmp_path / "early.jsonl"  # the error is in the first batch: nothing was written
    early.write_text('{"text": "Drills resumed."}\n{"text": \n')
    assert_one_line_error(invoke("classify", *m, "--file", early, "-o", out), "early.jsonl:2: malformed JSON")
    assert out.read_text() == "previous results\n"
    late = tmp_path / "late.jsonl"  # the error comes after a batch was written: those results stay
    late.write_text('{"text": "Drills resumed."}\n{"text": "Talks."}\n{"text": \n')
    assert_one_line_error(invoke("classify", *m, "--file", late, "--batch-size", 1, "--format", "jsonl", "-o", out),
                          "late.jsonl:3: malformed JSON")
    assert [json.loads(line)["text"] for line in out.read_text().splitlines()] == ["Drills resumed.", "Talks."]

    result = invoke("classify", *m, "--file", source, "--format", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0].startswith("id,index,start,end,topics") and len(out.read_text().splitlines()) == 3
    for name, first in (("o.csv", "id,index,start,end,topics"), ("o.JSONL", '{"id": "0"'), ("o.ndjson", '{"id": "0"'), ("o.txt", "    id  topics")):
        assert invoke("classify", *m, "--file", source, "-o", tmp_path / name).exit_code == 0  # no --format: -o's extension decides
        assert (tmp_path / name).read_text().startswith(first), name
    result = invoke("classify", *m, "--file", source, "--format", "jsonl", "-o", "-")  # '-' is standard output
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2 and not (Path.cwd() / "-").exists()


def test_input_that_breaks_parsers_is_one_line(tmp_path: Path, tfidf_model_dir: Path):
    m = ["--model", tfidf_model_dir]
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 200_000 + "\n")
    huge = tmp_path / "huge.jsonl"
    huge.write_text('{"id": ' + "9" * 5000 + ', "text": "x", "topics": [], "stance": "neutral"}\n')
    for path in (deep, huge):
        assert_one_line_error(invoke("classify", *m, "--file", path), "unreadable JSON")
        assert_one_line_error(invoke("evaluate", *m, "--data", path), "unreadable JSON")
    no_stance = write_jsonl(tmp_path / "no-stance.jsonl", [{"id": "1", "text": "x", "topics": []}])
    assert_one_line_error(invoke("evaluate", *m, "--data", no_stance), "no-stance.jsonl:1: missing stance")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text('id,text\n1,"unclosed\n')
    result = invoke("classify", *m, "--file", ragged, "--format", "jsonl")  # csv reads an unclosed quote to the end
    assert result.exit_code == 0 and json.loads(result.stdout)["text"] == "unclosed\n"


def test_a_paragraph_longer_than_the_csv_module_default_is_read_whole(tmp_path: Path, tfidf_model_dir: Path):
    text = "The allies discussed missile defence and chip supply chains. " * 2500
    assert len(text) > 131_072  # csv's default field size limit
    table = tmp_path / "long.csv"
    table.write_text(f'id,text,topics,stance\nlong,"{text}",security;trade,neutral\n')
    result = invoke("classify", "--model", tfidf_model_dir, "--file", table, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"] == text
    result = invoke("evaluate", "--model", tfidf_model_dir, "--data", table, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["n"] == 1


def test_standard_input_jsonl_is_recognised_and_null_ids_fall_back_to_the_index(tfidf_model_dir: Path):
    result = invoke("classify", "--model", tfidf_model_dir, "-", "--format", "jsonl",
                    input='\n{"id": null, "text": "Drills resumed."}\n{"id": "b", "text": "Chip curbs eased."}\n')
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [("0", "Drills resumed."), ("b", "Chip curbs eased.")]
    result = invoke("classify", "--model", tfidf_model_dir, "-", "--format", "jsonl", input="{Not JSON} but prose.\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["text"] == "{Not JSON} but prose."
    assert_one_line_error(invoke("classify", "--model", tfidf_model_dir, "-", input='{"text": "ok"}\n{bad\n'),
                          "standard input:2: malformed JSON")


def test_table_rows_stay_one_line_each(tfidf_model_dir: Path, tmp_path: Path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a\tb", "text": "Line one.\nLine\ttwo."}])
    result = invoke("classify", "--model", tfidf_model_dir, "--file", source)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and "Line one. Line two." in lines[1] and "a b" in lines[1]


def _run_cli(*args, stdin=None, stdout=None):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "trilat", *map(str, args)], cwd=ROOT, stdin=stdin, stdout=stdout,
                            stderr=subprocess.PIPE, text=True)


def test_a_reader_that_leaves_early_ends_trilat_quietly(tfidf_model_dir: Path, tmp_path: Path):
    import signal
    import subprocess

    many = tmp_path / "many.txt"
    many.write_text("".join(f"Japan and South Korea held drill {i} with the US navy.\n" for i in range(20_000)))
    for source in (["--file", many], ["-"]):
        with open(many) as stdin:
            process = _run_cli("classify", "--model", tfidf_model_dir, *source, "--format", "jsonl", stdin=stdin, stdout=subprocess.PIPE)
            first = process.stdout.readline()
            process.stdout.close()  # `| head -1`
            stderr = process.stderr.read()
            process.wait(timeout=120)
        assert json.loads(first)["text"] == "Japan and South Korea held drill 0 with the US navy."
        assert stderr == ""  # no traceback, no "Exception ignored"
        assert process.returncode in (0, -signal.SIGPIPE)  # like other filters: killed by SIGPIPE, or done in time

    process = _run_cli("classify", "--model", tfidf_model_dir, "-", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    stdout, stderr = process.communicate('{"text": "ok"}\n{bad\n', timeout=120)
    assert process.returncode == 2 and stderr.splitlines() == [
        "error: standard input:2: malformed JSON (Expecting property name enclosed in double quotes at column 2)"]


def test_train_checks_its_output_before_training(tmp_path: Path, tfidf_model_dir: Path, tiny_model_dir: Path):
    sets = [x for o in tfidf_overrides() for x in ("--set", o)]
    config = ROOT / "configs" / "tfidf.yaml"
    import shutil

    transformer = Path(shutil.copytree(tiny_model_dir, tmp_path / "transformer"))
    assert_one_line_error(invoke("train", config, *sets, "--output", transformer), "holds a transformer model")
    assert sorted(p.name for p in transformer.iterdir()) == sorted(p.name for p in tiny_model_dir.iterdir())
    other = tmp_path / "papers"
    other.mkdir()
    (other / "draft.txt").write_text("mine")
    assert_one_line_error(invoke("train", config, *sets, "--output", other), "no trilat model")
    under_a_file = tmp_path / "notes.txt"
    under_a_file.write_text("keep me")
    assert_one_line_error(invoke("train", config, *sets, "--output", under_a_file / "model"), "cannot write output")
    again = _copy_model(tfidf_model_dir, tmp_path / "again")  # retraining a model of the same kind in place is fine
    assert invoke("train", config, *sets, "--output", again).exit_code == 0


def test_a_report_that_cannot_be_written_fails_before_scoring(tmp_path: Path):
    a_file = tmp_path / "report.md"
    a_file.write_text("x")
    missing = tmp_path / "no-model"  # loading it would fail differently: the report path is checked first
    assert_one_line_error(invoke("evaluate", "--model", missing, "--data", SEED_LABELS, "--report", a_file), "is not a directory")
    assert_one_line_error(invoke("evaluate", "--model", missing, "--data", SEED_LABELS, "--report", a_file / "r"), "cannot write --report")


def test_output_through_a_symlink_and_never_onto_standard_input(tmp_path: Path, tfidf_model_dir: Path):
    import subprocess

    source = tmp_path / "in.txt"
    source.write_text("Drills resumed.\n\nChip curbs eased.\n")
    target = tmp_path / "results.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    result = invoke("classify", "--model", tfidf_model_dir, "--file", source, "--format", "jsonl", "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and len(target.read_text().splitlines()) == 2  # written through the link
    assert target.stat().st_mode & 0o777 == 0o640  # the file's own permissions stay
    assert_one_line_error(invoke("classify", "--model", tfidf_model_dir, "--file", source, "-o", f"{tmp_path}/new/"), "not a directory name")
    dangling = tmp_path / "dangling.jsonl"  # a link to a file not made yet is written through, as `>` does
    dangling.symlink_to(tmp_path / "made.jsonl")
    assert invoke("classify", "--model", tfidf_model_dir, "--file", source, "-o", dangling).exit_code == 0
    assert dangling.is_symlink() and len((tmp_path / "made.jsonl").read_text().splitlines()) == 2
    nowhere = tmp_path / "nowhere.jsonl"
    nowhere.symlink_to(tmp_path / "missing" / "x.jsonl")
    assert_one_line_error(invoke("classify", "--model", tfidf_model_dir, "--file", source, "-o", nowhere), "in a directory that does not exist")

    with open(target) as stdin:  # `trilat classify - -o results.jsonl < results.jsonl` would eat its own input
        process = _run_cli("classify", "--model", tfidf_model_dir, "-", "-o", target, stdin=stdin, stdout=subprocess.PIPE)
        stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 2 and "is the input file" in stderr
    assert len(target.read_text().splitlines()) == 2


def test_output_to_dev_stdout_on_the_terminal_it_reads_from(tfidf_model_dir: Path):
    """`trilat classify - -o /dev/stdout` typed at a terminal: stdin and the output are one tty, not one file."""
    import os
    import pty
    import termios

    try:
        master, slave = pty.openpty()
    except OSError as exc:  # a container without /dev/ptmx
        pytest.skip(f"no pseudo-terminal here: {exc}")
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO  # read back only what trilat writes, not the typed input
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    process = None
    try:
        process = _run_cli("classify", "--model", tfidf_model_dir, "--format", "jsonl", "-", "-o", "/dev/stdout",
                           stdin=slave, stdout=slave)
        os.write(master, b"Tokyo and Seoul resumed joint drills with the US navy.\n\x04")  # a line, then Ctrl-D
        _, stderr = process.communicate(timeout=120)
        output = b""
        while True:  # everything trilat wrote is buffered on the master side by now
            try:
                chunk = os.read(master, 65536) if _readable(master) else b""
            except OSError:  # the slave side has closed
                chunk = b""
            if not chunk:
                break
            output += chunk
    finally:
        if process is not None and process.poll() is None:  # timed out: leave nothing running
            process.kill()
        os.close(slave)
        os.close(master)
    assert process.returncode == 0, stderr
    rows = [json.loads(line) for line in output.decode().splitlines() if line.startswith("{")]
    assert [row["text"] for row in rows] == ["Tokyo and Seoul resumed joint drills with the US navy."]


def _readable(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0.5)[0])


def test_table_aligns_long_ids_hides_control_characters_and_cuts_wide_text_by_screen_width(monkeypatch):
    import io
    import unicodedata

    from trilat.formats import TableWriter

    monkeypatch.setenv("COLUMNS", "120")
    stream = io.StringIO()
    row = {"topics": ["security"], "topic_scores": {"security": 0.91}, "stance": "favor", "stance_scores": {"favor": 0.8}}
    writer = TableWriter(stream, labels=None)
    writer.write([dict(row, id="article-2024-06-22-0001", text="Seoul \x1b[2J agreed\x07."), dict(row, id="7", text="日米韓" * 40)])
    header, first, second = stream.getvalue().splitlines()
    assert header.index("topics") == first.index("security") == second.index("security")  # one column for every row
    assert "\x1b" not in first and "\x07" not in first and "Seoul ?[2J agreed?." in first
    width = sum(2 if unicodedata.east_asian_width(c) == "W" else 1 for c in second)
    assert second.endswith("…") and 118 <= width <= 120


def test_bare_trilat_prints_help_and_short_flags_work():
    from importlib.metadata import version

    bare = invoke()
    assert bare.exit_code == 0 and bare.stdout.startswith("Usage: ") and "classify" in bare.stdout and not bare.stderr
    assert invoke("-h").stdout == bare.stdout and invoke("classify", "-h").stdout.startswith("Usage: ")
    assert invoke("--version").stdout == f"trilat {version('trilat')}\n"
