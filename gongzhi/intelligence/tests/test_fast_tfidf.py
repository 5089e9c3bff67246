"""The fast one-message TF-IDF path gives the same features as sklearn's transform."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from gongzhi.lib.text.fast_tfidf import FastTfidf

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


def test_a_trained_model_suggests_the_same_one_at_a_time() -> None:
    import pickle

    from gongzhi.lib.text.classifier import train

    texts = [*CORPUS * 4, "垃圾桶满了没人清理", "公交车站牌损坏", "医院挂号难", "学校食堂卫生差"] * 2
    labels = (["城建", "城建", "交通", "社保", "城建"] * 4 + ["城建", "交通", "卫生", "教育"]) * 2
    model = train(texts, labels)
    batch = model.proba(texts)
    one_by_one = np.vstack([model.proba([text]) for text in texts])
    np.testing.assert_allclose(one_by_one, batch, rtol=1e-5, atol=1e-7)  # the model keeps float32 features
    restored = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own model; the fast path is not pickled
    assert "_fast" not in restored.__dict__
    np.testing.assert_allclose(restored.proba([texts[0]]), batch[:1], rtol=1e-5, atol=1e-7)
