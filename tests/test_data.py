"""Guards on the committed corpus: schema, coverage minimums, duplicates, seeds, and the data card."""
import collections
import re

import pytest
from conftest import ROOT, SEED_LABELS

from training.config import load_config
from training.corpus import SPLITS, data_card_tables, near_duplicates, read_jsonl
from training.data import read_records

DATA = ROOT / "data"
CONFIG = load_config(ROOT / "configs" / "tfidf.yaml")
TOPICS, STANCES = tuple(CONFIG.labels.topics), tuple(CONFIG.labels.stances)
MIN_TOPIC = {"security": 650, "history": 550, "trade": 550}


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict]]:
    return {s: read_jsonl(DATA / f"{s}.jsonl") for s in SPLITS}


@pytest.fixture(scope="module")
def corpus(splits) -> list[dict]:
    return [r for records in splits.values() for r in records]


def test_every_split_passes_the_validating_reader(labels):
    for split in SPLITS:
        assert read_records(DATA / f"{split}.jsonl", labels)
    for record in read_jsonl(DATA / "train.jsonl"):
        assert record["genre"] and record["source"].startswith("synthetic/")


def test_size_and_split_proportions(splits, corpus):
    assert len(corpus) >= 2000
    shares = {s: len(r) / len(corpus) for s, r in splits.items()}
    assert 0.75 <= shares["train"] <= 0.85 and 0.08 <= shares["dev"] <= 0.12 and 0.08 <= shares["test"] <= 0.12
    assert len({r["id"] for r in corpus}) == len(corpus)


def test_topic_and_stance_minimums(corpus):
    for topic, minimum in MIN_TOPIC.items():
        assert sum(topic in r["topics"] for r in corpus) >= minimum, topic
    for a, b in [("security", "history"), ("security", "trade"), ("history", "trade")]:
        assert sum(a in r["topics"] and b in r["topics"] for r in corpus) >= 90, (a, b)
    assert sum(set(TOPICS) <= set(r["topics"]) for r in corpus) >= 30
    no_topic = [r for r in corpus if not r["topics"]]
    assert len(no_topic) >= 300 and sum(r["genre"] == "page-furniture" for r in no_topic) >= 80
    for stance in STANCES:
        assert sum(r["stance"] == stance for r in corpus) >= 550, stance


def test_stance_is_not_guessable_from_topic(corpus):
    for topic in TOPICS:
        counts = collections.Counter(r["stance"] for r in corpus if topic in r["topics"])
        assert all(counts[s] >= 120 for s in STANCES), (topic, counts)


def test_splits_keep_the_same_proportions(splits, corpus):
    def share(records, test):
        return sum(map(test, records)) / len(records)

    checks = [lambda r, t=t: t in r["topics"] for t in TOPICS] + [lambda r, s=s: r["stance"] == s for s in STANCES]
    for check in checks:
        overall = share(corpus, check)
        for records in splits.values():
            assert abs(share(records, check) - overall) < 0.05


def test_genres_lengths_and_hard_cases(corpus):
    genres = collections.Counter(r["genre"] for r in corpus)
    assert sum(n >= 60 for n in genres.values()) >= 12
    lengths = [len(r["text"].split()) for r in corpus]
    assert min(lengths) >= 3 and max(lengths) <= 200
    assert sum(n <= 12 for n in lengths) >= 100 and sum(n >= 100 for n in lengths) >= 100
    hard = collections.Counter(r["hard"] for r in corpus if r.get("hard"))
    assert sum(hard.values()) >= 150 and len(hard) >= 8


def test_no_near_duplicates_within_or_across_splits(corpus):
    assert near_duplicates(corpus) == []


def test_nothing_overlaps_the_seeds(corpus):
    seeds = read_jsonl(SEED_LABELS)
    seed_ids = {r["id"] for r in seeds}
    crossing = [(a, b) for a, b, _ in near_duplicates(seeds + corpus) if (a in seed_ids) != (b in seed_ids)]
    assert crossing == []
    assert not {r["id"] for r in corpus} & {r["id"] for r in seeds}


def test_near_duplicate_detector_detects():
    records = [{"id": "a", "text": "the allies held drills near the coast on monday"},
               {"id": "b", "text": "the allies held drills near the coast on tuesday"},
               {"id": "c", "text": "tariffs on chips rose sharply"}]
    assert [p[:2] for p in near_duplicates(records)] == [("a", "b")]


def test_data_card_tables_match_the_files():
    card = (DATA / "README.md").read_text(encoding="utf-8")
    generated = data_card_tables(DATA, TOPICS, STANCES)
    match = re.search(r"<!-- tables:start -->\n(.*?)\n<!-- tables:end -->", card, re.S)
    assert match and match.group(1).strip() == generated.strip()


def test_seed_labels_follow_the_article():
    seeds = read_jsonl(SEED_LABELS)
    text = (ROOT / "seeds" / "000_f2df8ba819672c2e.txt").read_text(encoding="utf-8")
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert [r["text"] for r in seeds] == lines
    assert [r["id"] for r in seeds] == [f"seed-000-p{i:02d}" for i in range(len(lines))]


def test_shared_runs_finds_one_shared_phrase_of_eight_words_and_not_of_seven():
    from training.corpus import shared_runs

    train = [
        {"id": "t1", "text": "Tokyo will extend three hundred million dollars in grants over ten years, officials said."},
        {"id": "t2", "text": "A wholly different paragraph about chips and export controls in Seoul."},
    ]
    others = [
        {"id": "eight", "text": "Under the deal Tokyo will extend three hundred million dollars in grants to Seoul."},
        {"id": "seven", "text": "Reports say Tokyo will extend three hundred million dollars soon."},
        {"id": "short", "text": "Tokyo will extend"},
    ]
    assert shared_runs(train, others) == {"eight": {"t1"}}
    assert shared_runs(train, others, n=7) == {"eight": {"t1"}, "seven": {"t1"}}


def test_learning_curve_subsets_are_nested_and_keep_file_order():
    import importlib.util

    spec = importlib.util.spec_from_file_location("learning_curve", ROOT / "scripts" / "learning_curve.py")
    curve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(curve)
    lines = [f"line {i}" for i in range(101)]
    drawn = curve.subsets(lines, [0.25, 0.5], seed=0)
    assert [len(drawn[0.25]), len(drawn[0.5])] == [25, 50]
    assert set(drawn[0.25]) < set(drawn[0.5]) < set(lines)
    assert drawn[0.5] == sorted(drawn[0.5], key=lines.index)  # the file's order, so article runs stay in sequence
    assert curve.subsets(lines, [0.5], seed=0)[0.5] == drawn[0.5]  # same seed, same draw, whatever else is drawn
    assert curve.subsets(lines, [0.5], seed=1)[0.5] != drawn[0.5]
