"""TF-IDF + logistic regression classifier (inference side).

Stored as plain data, so loading runs no code from the file: `tfidf.json`
holds the vectorizer settings and vocabularies, `tfidf.npz` the idf vectors
and the logistic-regression weights. Probabilities are computed here from
the weights (sigmoid per topic, softmax over stances), exactly as
scikit-learn's `predict_proba` computes them.
"""
from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Sequence

import numpy as np

from model.errors import ModelError
from model.interface import Classifier, Scores
from model.labels import LabelSchema

SETTINGS_FILE = "tfidf.json"
ARRAYS_FILE = "tfidf.npz"
# Vectorizer settings that define the features; everything else keeps its default.
VECTORIZER_KEYS = ("analyzer", "ngram_range", "lowercase", "sublinear_tf", "norm", "use_idf", "smooth_idf", "token_pattern")


class TfidfClassifier(Classifier):
    kind = "tfidf"

    def __init__(self, labels: LabelSchema, thresholds: dict[str, float], vectorizers: list, topic_weights, stance_weights):
        """`topic_weights` and `stance_weights` are (coef, intercept) pairs over the joined features."""
        self.labels = labels
        self.thresholds = thresholds
        self.vectorizers = vectorizers  # fitted TfidfVectorizers whose outputs are concatenated
        self.topic_coef, self.topic_intercept = topic_weights  # (n_topics, n_features), (n_topics,)
        self.stance_coef, self.stance_intercept = stance_weights  # (n_stances, n_features), (n_stances,)
        # text -> features for each vectorizer: the same matrices as its `transform`, sooner where the word cache applies
        self._transforms = [WordCachedCharNgrams(v) if WordCachedCharNgrams.applies_to(v) else v.transform for v in vectorizers]

    def features(self, texts: Sequence[str]):
        from scipy.sparse import hstack

        return hstack([transform(list(texts)) for transform in self._transforms]).tocsr()

    def scores(self, texts: Sequence[str]) -> Scores:
        features = self.features(texts)
        topic_logits = features @ self.topic_coef.T + self.topic_intercept
        stance_logits = (features @ self.stance_coef.T + self.stance_intercept) / self.stance_temperature
        if self.stance_bias is not None:
            stance_logits = stance_logits + np.asarray(self.stance_bias, dtype=np.float64)
        stance_logits -= stance_logits.max(axis=1, keepdims=True)
        stance_probs = np.exp(stance_logits)
        stance_probs /= stance_probs.sum(axis=1, keepdims=True)
        return Scores(topic_probs=1.0 / (1.0 + np.exp(-topic_logits)), stance_probs=stance_probs)

    def save(self, directory: Path) -> list[str]:
        directory = Path(directory)
        settings = []
        arrays = {
            "topic_coef": self.topic_coef,
            "topic_intercept": self.topic_intercept,
            "stance_coef": self.stance_coef,
            "stance_intercept": self.stance_intercept,
        }
        for i, vectorizer in enumerate(self.vectorizers):
            params = vectorizer.get_params()
            vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
            settings.append({"params": {k: params[k] for k in VECTORIZER_KEYS}, "vocabulary": vocabulary})
            arrays[f"idf_{i}"] = vectorizer.idf_
        (directory / SETTINGS_FILE).write_text(json.dumps({"vectorizers": settings}, ensure_ascii=False), encoding="utf-8")
        np.savez_compressed(directory / ARRAYS_FILE, **arrays)
        return [SETTINGS_FILE, ARRAYS_FILE]

    @classmethod
    def load(cls, directory: Path, meta: dict) -> "TfidfClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer

        directory = Path(directory)
        settings = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
            vectorizers = []
            for i, spec in enumerate(settings["vectorizers"]):
                params = dict(spec["params"], ngram_range=tuple(spec["params"]["ngram_range"]), dtype=np.float64)
                vectorizer = TfidfVectorizer(**params)
                vectorizer.vocabulary_ = {term: index for index, term in enumerate(spec["vocabulary"])}
                vectorizer.idf_ = arrays[f"idf_{i}"]
                vectorizers.append(vectorizer)
            topic_weights = (arrays["topic_coef"], arrays["topic_intercept"])
            stance_weights = (arrays["stance_coef"], arrays["stance_intercept"])
        labels = LabelSchema.from_dict(meta["labels"])
        if topic_weights[0].shape[0] != len(labels.topics) or stance_weights[0].shape[0] != len(labels.stances):
            raise ModelError(f"{directory}: the weights do not match the {len(labels.topics)} topics and {len(labels.stances)} stances in trilat.json")
        return cls(
            labels=labels,
            thresholds={k: float(v) for k, v in meta["thresholds"].items()},
            vectorizers=vectorizers,
            topic_weights=topic_weights,
            stance_weights=stance_weights,
        )


class WordCachedCharNgrams:
    """A fitted `char_wb` TfidfVectorizer's `transform`, computed a word at a time, with the words' n-grams cached.

    `char_wb` n-grams never cross a word boundary, so a text's counts are the
    sum of its words' counts, and a word met before need not be analysed
    again: scikit-learn builds every n-gram of every word occurrence in
    Python, which was most of the baseline's classify time. New words go
    through the vectorizer's own analyzer and the counts through a
    TfidfTransformer with its settings and idf, so the matrix is the
    vectorizer's, bit for bit (tested), for the settings `applies_to` admits.
    """

    MAX_WORDS = 100_000  # the cache starts afresh past this many distinct words: a long stream cannot grow it unbounded
    MAX_WORD_LENGTH = 40  # longer tokens (URLs, hashes) seldom repeat and cost the most to keep: analysed, never cached

    @staticmethod
    def applies_to(vectorizer) -> bool:
        """Whether counting word by word gives the vectorizer's own features.

        It does when the text reaches the analyzer as given and its words are
        what `str.split` finds: no preprocessor or decoder of the caller's,
        and no accent stripping (which can delete or insert whitespace and so
        merge or split words). Binary counts and idf-less weights are left to
        the vectorizer.
        """
        return (vectorizer.analyzer == "char_wb" and vectorizer.input == "content" and vectorizer.preprocessor is None
                and vectorizer.strip_accents is None and not vectorizer.binary and vectorizer.use_idf)

    def __init__(self, vectorizer):
        from sklearn.feature_extraction.text import TfidfTransformer

        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.weigh = TfidfTransformer(norm=vectorizer.norm, sublinear_tf=vectorizer.sublinear_tf)
        self.weigh.idf_ = vectorizer.idf_  # smoothed or not as the vectorizer fitted it: all `transform` needs
        self.dtype = vectorizer.dtype
        self.cache: dict[str, list[int]] = {}

    def word_features(self, word: str) -> list[int]:
        """The vocabulary indices of a word's n-grams, with repeats."""
        features = self.cache.get(word)
        if features is None:
            features = [self.vocabulary[g] for g in self.analyze(word) if g in self.vocabulary]
            if len(word) <= self.MAX_WORD_LENGTH:
                if len(self.cache) >= self.MAX_WORDS:
                    self.cache.clear()
                self.cache[word] = features
        return features

    def __call__(self, texts: list[str]):
        from scipy.sparse import csr_matrix

        columns = array("i")  # each text's n-gram indices, with repeats, one text after another
        ends = np.zeros(len(texts) + 1, dtype=np.int64)
        for row, text in enumerate(texts):
            # Splitting before the analyzer lower-cases is safe: lower-casing neither makes nor removes whitespace.
            for word in text.split():
                columns.extend(self.word_features(word))
            ends[row + 1] = len(columns)
        counts = csr_matrix((np.ones(len(columns), dtype=self.dtype), np.frombuffer(columns, dtype=np.intc), ends),
                            shape=(len(texts), len(self.vocabulary)))
        counts.sum_duplicates()  # repeats become counts, indices sorted
        return self.weigh.transform(counts, copy=False)
