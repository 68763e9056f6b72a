import json

import numpy as np
import pytest
from conftest import ROOT, STARTER_DEV, tfidf_overrides
from scipy.sparse import hstack

from model.io import load_model
from training.data import read_records
from training.pipeline import train_from_file


def test_save_load_gives_identical_predictions(tmp_path, labels):
    texts = [r.text for r in read_records(STARTER_DEV, labels)]
    trained = train_from_file(ROOT / "configs" / "tfidf.yaml", tfidf_overrides(), tmp_path / "m").classifier
    loaded = load_model(tmp_path / "m")
    a, b = trained.scores(texts), loaded.scores(texts)
    assert np.array_equal(a.topic_probs, b.topic_probs) and np.array_equal(a.stance_probs, b.stance_probs)
    assert trained.predict(texts) == loaded.predict(texts) and trained.thresholds == loaded.thresholds


def test_same_seed_same_predictions(tmp_path, labels):
    texts = [r.text for r in read_records(STARTER_DEV, labels)]
    runs = []
    for name in ("a", "b"):
        train_from_file(ROOT / "configs" / "tfidf.yaml", tfidf_overrides(), tmp_path / name)
        runs.append(load_model(tmp_path / name).scores(texts))
    assert np.allclose(runs[0].topic_probs, runs[1].topic_probs, atol=0, rtol=0)
    assert np.array_equal(runs[0].stance_probs, runs[1].stance_probs)


def test_model_directory_records_provenance(tfidf_model_dir):
    meta = json.loads((tfidf_model_dir / "trilat.json").read_text())
    assert meta["kind"] == "tfidf" and meta["labels"]["topics"] == ["security", "history", "trade"]
    assert set(meta["thresholds"]) == {"security", "history", "trade"}
    assert meta["provenance"]["seed"] == 13 and len(meta["provenance"]["data"]["train"]["sha256"]) == 64
    assert "scikit-learn" in meta["provenance"]["packages"]
    assert meta["config"]["tfidf"]["min_df"] == 1
    assert "dev_metrics" in meta and (tfidf_model_dir / "README.md").is_file()


def test_overfits_its_training_paragraphs(tmp_path, labels):
    starter = ROOT / "data" / "starter" / "train.jsonl"
    out = tmp_path / "m"
    train_from_file(ROOT / "configs" / "tfidf.yaml", tfidf_overrides(starter, starter) + ["tfidf.topic_c=1000", "tfidf.stance_c=1000"], out)
    from training.evaluate import evaluate_model

    metrics = evaluate_model(load_model(out), read_records(starter, labels))
    assert metrics["topics"]["exact_match"] == 1.0 and metrics["stance"]["accuracy"] == 1.0


def test_stance_temperature_is_fitted_saved_and_changes_no_decision(tmp_path, labels):
    import shutil

    from model.errors import ModelError

    texts = [r.text for r in read_records(STARTER_DEV, labels)]
    trained = train_from_file(ROOT / "configs" / "tfidf.yaml", tfidf_overrides(), tmp_path / "m").classifier
    meta = json.loads((tmp_path / "m" / "trilat.json").read_text())
    assert meta["stance_temperature"] == trained.stance_temperature != 1.0
    loaded = load_model(tmp_path / "m")
    assert loaded.stance_temperature == trained.stance_temperature
    fitted = loaded.scores(texts).stance_probs
    loaded.stance_temperature = 1.0
    raw = loaded.scores(texts).stance_probs
    assert not np.allclose(fitted, raw) and (fitted.argmax(axis=1) == raw.argmax(axis=1)).all()
    shutil.copytree(tmp_path / "m", tmp_path / "bad")
    meta["stance_temperature"] = -1
    (tmp_path / "bad" / "trilat.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="stance_temperature"):
        load_model(tmp_path / "bad")


def test_stance_bias_is_fitted_saved_loaded_and_matches_the_calibration_of_dev_scores(tmp_path, labels):
    import shutil

    from model.errors import ModelError
    from model.interface import calibrated_stance
    from training.evaluate import evaluate_model

    dev = read_records(STARTER_DEV, labels)
    texts = [r.text for r in dev]
    plain = train_from_file(ROOT / "configs" / "tfidf.yaml", tfidf_overrides(), tmp_path / "plain")
    assert plain.classifier.stance_bias is None
    assert "stance_bias" not in json.loads((tmp_path / "plain" / "trilat.json").read_text())
    assert load_model(tmp_path / "plain").stance_bias is None  # models saved before the bias load as before
    result = train_from_file(ROOT / "configs" / "tfidf.yaml", tfidf_overrides() + ["calibration.stance_bias=true"], tmp_path / "m")
    trained = result.classifier
    meta = json.loads((tmp_path / "m" / "trilat.json").read_text())
    assert meta["stance_bias"] == list(trained.stance_bias) and len(trained.stance_bias) == 3 and trained.stance_bias[0] == 0.0
    assert meta["config"]["calibration"] == {"stance_bias": True}
    assert "one bias per stance" in (tmp_path / "m" / "README.md").read_text()
    assert "one bias per stance" not in (tmp_path / "plain" / "README.md").read_text()
    loaded = load_model(tmp_path / "m")
    assert loaded.stance_bias == trained.stance_bias and loaded.stance_temperature == trained.stance_temperature
    # The classifier's own scores are the dev-time calibration of its uncalibrated scores.
    calibrated = loaded.scores(texts).stance_probs
    loaded.stance_temperature, loaded.stance_bias = 1.0, None
    raw = loaded.scores(texts).stance_probs
    assert np.allclose(calibrated, calibrated_stance(raw, trained.stance_temperature, trained.stance_bias), atol=1e-12)
    # The recorded dev metrics are those of the decisions the saved model makes.
    assert evaluate_model(load_model(tmp_path / "m"), dev)["stance"] == result.dev_metrics["stance"]
    shutil.copytree(tmp_path / "m", tmp_path / "bad")
    for bad in ([0.0, 1.0], [0.0, float("nan"), 1.0], [0.0, True, 1.0], "0 1 2"):
        meta["stance_bias"] = bad
        (tmp_path / "bad" / "trilat.json").write_text(json.dumps(meta))
        with pytest.raises(ModelError, match="stance_bias"):
            load_model(tmp_path / "bad")


_ODD_TEXTS = ["", "   ", "x", "US-Japan \t talks\u00a0resume\u2028now", "\u0130stanbul na\u00efve \uff35\uff33 Stra\u00dfe \ufb01le",
              "\u039f\u0394\u039f\u03a3 \u039a\u0391\u0399 \u0391\u03a3.\u0391", "\u65e5\u672c\u3068\u97d3\u56fd",
              "Seoul Seoul Seoul seoul SEOUL", "e\u0301 \U0001f1ef\U0001f1f5 " + "x" * 60, "a " * 300]


def _dev_texts() -> list[str]:
    return [json.loads(line)["text"] for line in (ROOT / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]


def _same_matrix(got, want) -> bool:
    return (got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got.indptr, want.indptr)
            and np.array_equal(got.indices, want.indices) and np.array_equal(got.data, want.data))  # bit for bit


def test_the_shipped_baseline_counts_word_by_word_with_its_own_features():
    from model.tfidf import WordCachedCharNgrams

    model = load_model(ROOT / "model" / "baseline")
    texts = _dev_texts() + _ODD_TEXTS
    (char_wb,) = [v for v in model.vectorizers if v.analyzer == "char_wb"]
    cached = WordCachedCharNgrams(char_wb)
    assert isinstance(model._transforms[1], WordCachedCharNgrams) and WordCachedCharNgrams.applies_to(char_wb)
    for batch in (texts, texts[:7], texts[-10:], texts):  # the last pass runs on a warm cache
        assert _same_matrix(cached(batch), char_wb.transform(batch))
    assert not any(len(word) > cached.MAX_WORD_LENGTH for word in cached.cache)  # the long token was not kept
    small = WordCachedCharNgrams(char_wb)
    small.MAX_WORDS = 5  # the cache starts afresh when full, and the features stay the same
    assert _same_matrix(small(texts), char_wb.transform(texts)) and 0 < len(small.cache) <= 5
    plain = hstack([v.transform(texts) for v in model.vectorizers]).tocsr()
    assert _same_matrix(model.features(texts), plain)


@pytest.mark.parametrize("settings", [
    {"sublinear_tf": True},
    {"sublinear_tf": False, "lowercase": False},
    {"norm": None, "smooth_idf": False},
    {"norm": "l1", "ngram_range": (2, 5), "dtype": np.float32},
    {"use_idf": False},  # left to the vectorizer
    {"binary": True},  # left to the vectorizer
    {"strip_accents": "ascii"},  # left to the vectorizer: it can delete whitespace and merge words
])
def test_word_by_word_counting_matches_the_vectorizer_or_is_not_used(settings):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from model.labels import LabelSchema
    from model.tfidf import TfidfClassifier, WordCachedCharNgrams

    texts = _dev_texts()
    vectorizer = TfidfVectorizer(**{"analyzer": "char_wb", "ngram_range": (3, 4), "min_df": 2, **settings}).fit(texts[:200])
    odd = texts[200:] + _ODD_TEXTS + ["ab\u2028cd abab ab ab"]
    labels = LabelSchema(("security",), ("favor", "against"), "against")
    weights = np.zeros((1, len(vectorizer.vocabulary_))), np.zeros(1)
    classifier = TfidfClassifier(labels, {"security": 0.5}, [vectorizer], weights, (np.zeros((2, weights[0].shape[1])), np.zeros(2)))
    applies = WordCachedCharNgrams.applies_to(vectorizer)
    assert applies == (set(settings) <= {"sublinear_tf", "lowercase", "norm", "smooth_idf", "ngram_range", "dtype"})
    assert isinstance(classifier._transforms[0], WordCachedCharNgrams) == applies
    assert _same_matrix(classifier.features(odd), vectorizer.transform(odd).tocsr())
