import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from training.metrics import compute_metrics, tune_thresholds


def test_metrics_agree_with_scikit_learn(labels):
    rng = np.random.default_rng(0)
    gold_topics = rng.random((200, 3)) < 0.4
    pred_topics = np.where(rng.random((200, 3)) < 0.8, gold_topics, ~gold_topics)
    gold_stance = rng.integers(0, 3, 200)
    pred_stance = np.where(rng.random(200) < 0.7, gold_stance, rng.integers(0, 3, 200))
    m = compute_metrics(gold_topics, pred_topics, gold_stance, pred_stance, labels)
    assert np.isclose(m["topics"]["macro_f1"], f1_score(gold_topics, pred_topics, average="macro"))
    assert np.isclose(m["topics"]["micro_f1"], f1_score(gold_topics, pred_topics, average="micro"))
    assert np.isclose(m["stance"]["macro_f1"], f1_score(gold_stance, pred_stance, average="macro"))
    p, r, f, s = precision_recall_fscore_support(gold_stance, pred_stance, labels=[0, 1, 2])
    assert np.isclose(m["stance"]["f_avg"], (f[0] + f[1]) / 2)
    assert np.isclose(m["stance"]["per_label"]["against"]["recall"], r[1])
    assert np.array(m["stance"]["confusion"]["matrix"]).sum() == 200
    assert m["stance"]["confusion"]["matrix"][0][0] == int(np.sum((gold_stance == 0) & (pred_stance == 0)))


def test_threshold_tuning_finds_a_separating_cut():
    probs = np.array([[0.1], [0.2], [0.3], [0.35], [0.9]])
    gold = np.array([[0], [0], [1], [1], [1]])
    cut = tune_thresholds(probs, gold, ("security",))["security"]
    assert 0.2 < cut <= 0.3
    assert tune_thresholds(probs, np.zeros((5, 1)), ("security",)) == {"security": 0.5}
