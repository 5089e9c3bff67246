"""How alike short texts are (duplicate appeals, and any other app that compares messages).

    similarities("小区门口路灯坏了", ["小区门口路灯坏了", "工地夜间施工噪音"])   # array([1.0, 0.0])
    normalize_address("和平路 12 号3号楼") == normalize_address("和平路１２号，3号楼")

Cosine similarity of character 2–3-gram TF-IDF vectors fitted on the texts compared (no word segmentation,
tolerant of the many ways residents write the same thing).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

MAX_TEXT_CHARS = 1000

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_address(address: str) -> str:
    """Full-width to half-width, lower case, without spaces and punctuation: "1号楼 2单元" == "1号楼2单元"."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", address or "").lower())


def message_text(title: str, body: str) -> str:
    """Title and the start of the body, as compared."""
    return f"{(title or '').strip()} {(body or '').strip()[:MAX_TEXT_CHARS]}"


def similarities(text: str, others: list[str]) -> np.ndarray:
    """Cosine similarity of `text` to each of `others` (char 2–3-gram TF-IDF fitted on all of them)."""
    if not others:
        return np.zeros(0)
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([text, *others])
    except ValueError:  # nothing but one-character texts: no 2-grams at all
        return np.zeros(len(others))
    return np.asarray((matrix[1:] @ matrix[0].T).toarray()).ravel()  # rows are L2-normalised
