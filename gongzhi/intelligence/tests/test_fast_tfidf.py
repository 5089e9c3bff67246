"""The fast one-message TF-IDF path gives the same features as sklearn's transform."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.intelligence.fast_tfidf import FastTfidf

CORPUS = [
    "小区门口路灯坏了，晚上出行不便。",
    "楼上漏水严重，物业不管。",
    "学校门口交通拥堵，希望增设红绿灯。",
    "社保缴费记录查不到，请核实。",
    "路灯不亮已经一周了。路灯！",
]


@pytest.mark.parametrize("options", [
    {"analyzer": "char", "ngram_range": (1, 4), "sublinear_tf": True},
    {"analyzer": "char_wb", "ngram_range": (2, 3)},
    {"analyzer": "char", "ngram_range": (1, 2), "binary": True, "norm": "l1"},
    {"analyzer": "char", "ngram_range": (1, 3), "use_idf": False, "norm": None},
])
def test_it_matches_sklearn(options: dict) -> None:  # type: ignore[type-arg]
    vectorizer = TfidfVectorizer(**options).fit(CORPUS)
    fast = FastTfidf(vectorizer)
    for text in [*CORPUS, "路灯坏了，学校门口漏水", "完全陌生的字句 xyz"]:
        expected = vectorizer.transform([text]).toarray()[0]
        indices, values = fast.transform_one(text)
        got = np.zeros_like(expected)
        got[indices] = values
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_unknown_text_gives_no_features() -> None:
    fast = FastTfidf(TfidfVectorizer(analyzer="char").fit(CORPUS))
    indices, values = fast.transform_one("🙂🙂")
    assert len(indices) == 0 and len(values) == 0
