import json
from pathlib import Path

import pytest
from conftest import STARTER_TRAIN, write_jsonl

from model.errors import DataError
from training.data import read_records, to_dataset

GOOD = {"id": "a1", "text": "Seoul and Tokyo resumed talks.", "topics": ["security"], "stance": "favor"}


def test_reads_starter_set_into_a_dataset(labels):
    records = read_records(STARTER_TRAIN, labels)
    assert len(records) >= 48
    dataset = to_dataset(records, labels)
    assert dataset.num_rows == len(records)
    row = dataset[0]
    assert len(row["topic_targets"]) == 3 and row["stance_target"] in (0, 1, 2)
    assert {s for r in records for s in [r.stance]} == set(labels.stances)
    assert {t for r in records for t in r.topics} == set(labels.topics)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"text": ""}, "missing or empty text"),
        ({"text": None}, "missing or empty text"),
        ({"topics": "security"}, "topics must be a list"),
        ({"topics": ["economy"]}, "unknown topic 'economy'"),
        ({"stance": "pro"}, "unknown stance 'pro'"),
        ({"id": ""}, "missing or empty id"),
        ({"id": True}, "id must be a string or an integer"),
        ({"id": None}, "missing or empty id"),
        ({"topics": None}, "missing topics"),
    ],
)
def test_bad_record_names_file_line_and_value(tmp_path: Path, labels, change, message):
    path = write_jsonl(tmp_path / "d.jsonl", [GOOD, {**GOOD, "id": "a2", **change}])
    with pytest.raises(DataError, match=rf"d\.jsonl:2: {message}"):
        read_records(path, labels)


def test_integer_ids_are_read_as_strings(tmp_path: Path, labels):
    path = write_jsonl(tmp_path / "d.jsonl", [{**GOOD, "id": 7}, {**GOOD, "id": "7"}])
    with pytest.raises(DataError, match=r"d\.jsonl:2: duplicate id '7' \(first on line 1\)"):
        read_records(path, labels)
    assert read_records(write_jsonl(tmp_path / "e.jsonl", [{**GOOD, "id": 7}]), labels)[0].id == "7"


def test_malformed_json_and_duplicate_ids(tmp_path: Path, labels):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(GOOD) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:2: malformed JSON"):
        read_records(bad, labels)
    dup = write_jsonl(tmp_path / "dup.jsonl", [GOOD, GOOD])
    with pytest.raises(DataError, match=r"dup\.jsonl:2: duplicate id 'a1' \(first on line 1\)"):
        read_records(dup, labels)


def test_empty_missing_directory_and_non_utf8(tmp_path: Path, labels):
    (tmp_path / "empty.jsonl").write_text("\n  \n")
    with pytest.raises(DataError, match="no records"):
        read_records(tmp_path / "empty.jsonl", labels)
    with pytest.raises(DataError, match="not found"):
        read_records(tmp_path / "nope.jsonl", labels)
    with pytest.raises(DataError, match="directory"):
        read_records(tmp_path, labels)
    (tmp_path / "latin.jsonl").write_bytes(b'{"id": "x", "text": "caf\xe9"}\n')
    with pytest.raises(DataError, match=r"latin\.jsonl:1: not UTF-8"):
        read_records(tmp_path / "latin.jsonl", labels)


def test_csv_with_semicolon_topics(tmp_path: Path, labels):
    path = tmp_path / "d.csv"
    path.write_text('id,text,topics,stance\nc1,"Chips, tariffs and drills",security;trade,against\nc2,Just a call,,neutral\n', encoding="utf-8")
    records = read_records(path, labels)
    assert records[0].topics == ("security", "trade") and records[1].topics == ()
    path.write_text("id,text,stance\nc1,x,favor\n", encoding="utf-8")
    with pytest.raises(DataError, match="lacks column"):
        read_records(path, labels)
