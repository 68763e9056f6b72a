"""Fitting the TF-IDF + logistic regression baseline."""
from __future__ import annotations

import numpy as np

from model.tfidf import TfidfClassifier
from training.config import TfidfRunConfig
from training.data import Record

# A topic that never (or always) occurs in training cannot be learned: its
# logit is pinned far below (or above) zero.
PINNED_LOGIT = 30.0


def build_vectorizers(config: TfidfRunConfig) -> list:
    from sklearn.feature_extraction.text import TfidfVectorizer

    opts = config.tfidf
    shared = dict(sublinear_tf=opts.sublinear_tf, min_df=opts.min_df, max_features=opts.max_features, dtype=np.float64)
    return [
        TfidfVectorizer(ngram_range=(1, opts.word_ngram_max), **shared),
        # Character n-grams inside word boundaries catch spelling variants (defence/defense).
        TfidfVectorizer(analyzer="char_wb", ngram_range=(opts.char_ngram_min, opts.char_ngram_max), **shared),
    ]


def _fit_topics(features, train: list[Record], topics: tuple[str, ...], c: float) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((len(topics), features.shape[1]))
    intercept = np.zeros(len(topics))
    for row, topic in enumerate(topics):
        target = np.array([topic in r.topics for r in train], dtype=int)
        if target.min() == target.max():
            intercept[row] = PINNED_LOGIT if target[0] else -PINNED_LOGIT
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(features, target)
        coef[row], intercept[row] = model.coef_[0], model.intercept_[0]
    return coef, intercept


def _fit_stance(features, train: list[Record], stances: tuple[str, ...], c: float) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    target = np.array([stances.index(r.stance) for r in train])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(features, target)
    coef = np.zeros((len(stances), features.shape[1]))
    intercept = np.full(len(stances), -PINNED_LOGIT)  # classes unseen in training keep ~0 probability
    present = model.classes_.astype(int)
    if len(present) == 2:  # binary LogisticRegression keeps one row: the second class against the first
        coef[present[1]], intercept[present[1]] = model.coef_[0], model.intercept_[0]
        intercept[present[0]] = 0.0
    else:
        coef[present], intercept[present] = model.coef_, model.intercept_
    return coef, intercept


def fit_tfidf(config: TfidfRunConfig, train: list[Record]) -> TfidfClassifier:
    """Fit the vectorizers, one binary model per topic and a balanced stance model (thresholds: the caller)."""
    from scipy.sparse import hstack

    from tqdm.auto import tqdm

    labels = config.labels.schema()
    vectorizers = build_vectorizers(config)
    texts = [r.text for r in train]
    with tqdm(total=3, desc="training tfidf", unit="step", leave=False) as progress:
        features = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        progress.update()
        topic_weights = _fit_topics(features, train, labels.topics, config.tfidf.topic_c)
        progress.update()
        stance_weights = _fit_stance(features, train, labels.stances, config.tfidf.stance_c)
        progress.update()
    return TfidfClassifier(labels, {t: 0.5 for t in labels.topics}, vectorizers, topic_weights, stance_weights)
