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


def test_fit_temperature_softens_an_overconfident_model_and_sharpens_a_timid_one():
    import numpy as np

    from training.calibration import fit_temperature, reliability_bins

    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 400)
    # Right 70% of the time but always 99% sure: the fitted temperature must soften it.
    predicted = np.where(rng.random(400) < 0.7, gold, (gold + 1) % 3)
    sure = np.full((400, 3), 0.005)
    sure[np.arange(400), predicted] = 0.99
    t = fit_temperature(sure, gold)
    assert t > 2.0
    tempered = np.exp(np.log(sure) / t)
    tempered /= tempered.sum(axis=1, keepdims=True)
    assert (tempered.argmax(axis=1) == sure.argmax(axis=1)).all()
    assert reliability_bins(tempered, gold)["ece"] < reliability_bins(sure, gold)["ece"] / 3
    # Always right but only 40% sure: the temperature must sharpen it.
    timid = np.full((400, 3), 0.3)
    timid[np.arange(400), gold] = 0.4
    assert fit_temperature(timid, gold) < 1.0


def test_fit_temperature_and_bias_undoes_a_lean_toward_one_stance():
    import numpy as np

    from model.interface import calibrated_stance
    from training.calibration import fit_temperature, fit_temperature_and_bias

    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 600)
    logits = rng.normal(0.0, 1.0, (600, 3))
    logits[np.arange(600), gold] += 2.5
    fair = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    # The same model with +1.5 added to stance 1's logit: it calls too many paragraphs stance 1.
    shifted_logits = logits + np.array([0.0, 1.5, 0.0])
    leaning = np.exp(shifted_logits) / np.exp(shifted_logits).sum(axis=1, keepdims=True)
    temperature, bias = fit_temperature_and_bias(leaning, gold)
    # The bias acts on logits divided by T, so T x bias is the shift in the model's own scale: found again.
    assert bias[0] == 0.0 and abs(temperature * bias[1] + 1.5) < 0.3 and abs(temperature * bias[2]) < 0.3
    assert abs(temperature / fit_temperature(fair, gold) - 1) < 0.1  # the sharpening the fair model needs
    mended = calibrated_stance(leaning, temperature, bias).argmax(axis=1)
    assert (mended == gold).mean() > (leaning.argmax(axis=1) == gold).mean() + 0.05
    assert abs((mended == gold).mean() - (fair.argmax(axis=1) == gold).mean()) < 0.02
    # A model that does not lean gets a bias near zero, and then its temperature is T alone's.
    temperature, bias = fit_temperature_and_bias(fair, gold)
    assert max(abs(temperature * b) for b in bias) < 0.3 and abs(temperature / fit_temperature(fair, gold) - 1) < 0.1
    # calibrated_stance with no bias is the temperature alone, and it is a distribution.
    tempered = calibrated_stance(leaning, 2.0, None)
    assert np.allclose(tempered.sum(axis=1), 1.0) and (tempered.argmax(axis=1) == leaning.argmax(axis=1)).all()


def test_changed_decisions_counts_moves_toward_and_away_from_gold():
    import importlib.util
    import sys

    from conftest import ROOT

    from model.interface import Prediction
    from training.data import Record

    spec = importlib.util.spec_from_file_location("changed_decisions", ROOT / "scripts" / "changed_decisions.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclasses look their module up there
    spec.loader.exec_module(script)

    def p(stance, *topics):
        return Prediction(list(topics), {}, stance, {})

    records = [Record("a", "", ("trade",), "favor"), Record("b", "", (), "against"), Record("c", "", ("history",), "neutral"),
               Record("d", "", (), "favor")]
    old = [p("against", "trade"), p("against"), p("favor", "security"), p("favor")]
    new = [p("favor", "trade"), p("neutral", "history"), p("against", "history"), p("favor")]
    stance, topics = script.compare(records, old, new)
    # a: wrong -> gold; b: gold -> wrong; c: wrong -> another wrong; d: unchanged.
    assert (stance.changed, stance.to_gold, stance.from_gold, stance.ids) == (3, 1, 1, ["a", "b", "c"])
    # Topic sets compare as sets; b gains a wrong label, c moves to gold.
    assert (topics.changed, topics.to_gold, topics.from_gold, topics.ids) == (2, 1, 1, ["b", "c"])


def test_stance_bias_study_folds_are_stratified_and_decide_each_paragraph_once():
    import importlib.util

    import numpy as np
    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("stance_bias", ROOT / "scripts" / "stance_bias.py")
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    gold = np.array([0] * 103 + [1] * 98 + [2] * 119)
    fold = study.stratified_folds(gold, 10, seed=0)
    for stance in range(3):
        counts = np.bincount(fold[gold == stance], minlength=10)
        assert counts.max() - counts.min() <= 1  # every fold holds its share of every stance
    assert np.array_equal(fold, study.stratified_folds(gold, 10, seed=0))
    assert not np.array_equal(fold, study.stratified_folds(gold, 10, seed=1))
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), len(gold))
    decided = study.out_of_fold(probs, gold, fold)
    assert set(decided) == {"temperature", "temperature + bias"}
    assert np.array_equal(decided["temperature"], probs.argmax(axis=1))  # the temperature alone changes no decision
