"""One message's TF-IDF features without sklearn's per-call overhead (intake suggests for every appeal).

    fast = FastTfidf(vectorizer)             # a fitted TfidfVectorizer; built once per loaded model
    indices, values = fast.transform_one(text)
    scores = values @ weights[indices]        # the same as vectorizer.transform([text]) @ weights

`TfidfVectorizer.transform` validates its input, builds a sparse matrix and normalizes it through
several layers of checks: ~1 ms for one short message, most of a suggestion's time. The arithmetic is
small — count the n-grams that are in the vocabulary, apply sublinear tf, idf and the norm — so it is done
here directly, with the vectorizer's own analyzer, giving the same numbers (tests compare both ways).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


class FastTfidf:
    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        if vectorizer.norm not in ("l2", "l1", None):
            raise ValueError(f"unsupported norm {vectorizer.norm!r}")
        self.analyzer = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf: np.ndarray | None = np.asarray(vectorizer.idf_) if vectorizer.use_idf else None
        self.sublinear = bool(vectorizer.sublinear_tf)
        self.binary = bool(vectorizer.binary)
        self.norm = vectorizer.norm

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, values) of the message's TF-IDF row; both empty when nothing is known."""
        vocabulary = self.vocabulary
        counts = Counter(index for gram in self.analyzer(text) if (index := vocabulary.get(gram)) is not None)
        if not counts:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        if self.binary:
            values = np.ones(len(counts))
        else:
            raw = counts.values()
            values = np.fromiter(((math.log(c) + 1.0) for c in raw) if self.sublinear else raw,
                                 dtype=np.float64, count=len(counts))
        if self.idf is not None:
            values *= self.idf[indices]
        if self.norm == "l2":
            values /= math.sqrt(float(values @ values)) or 1.0
        elif self.norm == "l1":
            values /= float(np.abs(values).sum()) or 1.0
        return indices, values


def dense_rows(matrix: Any) -> np.ndarray:
    """A (sparse or dense) features × classes weight matrix as a dense array, for row gathering."""
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=np.float64)
