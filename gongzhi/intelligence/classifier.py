"""The appeal category classifier: pure scikit-learn, no database, nothing loaded from the internet.

    rows = read_labelled_csv(path)                 # CsvError with a Chinese message when the file is bad
    model = train([r.text for r in rows], [r.label for r in rows])
    model.suggest("小区门口路灯坏了", top_k=3)     # [(label, confidence), ...]
    figures = cross_validate(texts, labels, folds=5)

The features are character 1–4-gram TF-IDF (sublinear tf) over the title (counted twice, because
titles are short and to the point) and the body. Char n-grams need no word segmentation, so training
and prediction never wait for jieba, and place names such as "A3区" cannot be cut wrongly. A linear SVM
separates the classes; a small logistic model fitted on out-of-fold SVM margins turns them into
confidences that sum to 1.
Choices were made by 5-fold cross-validation on train.csv; see docs/benchmarks (bench/classifier.py).
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.svm import LinearSVC

from gongzhi.intelligence.fast_tfidf import FastTfidf, dense_rows
from gongzhi.intelligence.pseudo_labels import messages_dir, reply_labelled_messages, taxonomy_examples

REQUIRED_COLUMNS = ("title", "body", "label")
CSV_COLUMNS = ("id", "title", "body", "created_at", "label")
# Bodies longer than this add little but cost time; the start of a message says what it is about.
MAX_BODY_CHARS = 1000
# Hyper-parameters chosen by 5-fold CV on train.csv (bench/classifier.py).
SVM_C = 3.0
NGRAM_RANGE = (1, 4)
CALIBRATION_MAX_ROWS = 2000
# Weak supervision from the official replies (pseudo_labels.py): used for training sets of this size only
# (tiny synthetic sets are not our categories' real messages; beyond WEAK_MAX_ROWS labelled messages the
# ~850 noisy ones add nothing and would cost a second fit).
WEAK_MIN_ROWS = 200
WEAK_MAX_ROWS = 5000
WEAK_MIN_CONFIDENCE = 0.2


class CsvError(ValueError):
    """The labelled file cannot be used; the message (Chinese) says what to fix."""


@dataclass(frozen=True)
class LabelledMessage:
    title: str
    body: str
    label: str

    @property
    def text(self) -> str:
        return message_text(self.title, self.body)


def message_text(title: str, body: str) -> str:
    """The text the classifier sees: the title twice (it carries the topic), then the body."""
    title = (title or "").strip()
    body = (body or "").strip()[:MAX_BODY_CHARS]
    return f"{title}。{title}。{body}"


def read_labelled_csv(source: str | Path | io.TextIOBase) -> list[LabelledMessage]:
    """Read a labelled CSV (columns id,title,body,created_at,label; only title, body, label are required)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise CsvError(_("The file %(path)s does not exist.") % {"path": path})
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CsvError(_("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}) from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CsvError(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")) from exc
    else:
        text = source.read()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise CsvError(_("The file is empty. It needs a header row with the columns %(columns)s and one message per row.")
                       % {"columns": ",".join(CSV_COLUMNS)})
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CsvError(_("The file lacks the columns %(missing)s. The header row must be %(columns)s.")
                       % {"missing": ",".join(missing), "columns": ",".join(CSV_COLUMNS)})
    reader.fieldnames = header
    rows: list[LabelledMessage] = []
    for line, row in enumerate(reader, start=2):
        title = (row.get("title") or "").strip()
        body = (row.get("body") or "").strip()
        label = (row.get("label") or "").strip()
        if not label:
            raise CsvError(_("Row %(line)d has no label. Every message needs its category in the label column.")
                           % {"line": line})
        if not title and not body:
            raise CsvError(_("Row %(line)d has neither title nor body.") % {"line": line})
        rows.append(LabelledMessage(title=title, body=body, label=label))
    if not rows:
        raise CsvError(_("The file has a header but no messages. Add at least one labelled message per row."))
    return rows


def check_trainable(labels: Sequence[str], folds: int = 0) -> None:
    counts = Counter(labels)
    if len(counts) < 2:
        raise CsvError(_("Training needs at least two different categories; the file has %(count)d.")
                       % {"count": len(counts)})
    needed = max(folds, 2)
    small = sorted(label for label, n in counts.items() if n < needed)
    if small:
        raise CsvError(_("Each category needs at least %(n)d messages; too few for: %(labels)s.")
                       % {"n": needed, "labels": "、".join(small)})


def build_vectorizer(n_samples: int) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, sublinear_tf=True,
                           min_df=2 if n_samples >= 50 else 1, max_df=0.9 if n_samples >= 50 else 1.0,
                           dtype=np.float32)


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class TrainedClassifier:
    """A fitted model and the facts about how it was trained. Pickled into ClassifierVersion.

    Prediction is a sparse TF-IDF row times the SVM weights, then a small multinomial logistic model
    fitted on out-of-fold SVM scores turns the 7 margins into confidences that sum to 1. Doing the
    arithmetic here rather than through sklearn's predict_proba keeps one suggestion near 1–2 ms.
    """

    vectorizer: TfidfVectorizer
    classes: np.ndarray
    coef: Any  # sparse (n_features × n_classes)
    intercept: np.ndarray
    calib_coef: np.ndarray  # n_classes × n_classes
    calib_intercept: np.ndarray
    labels: list[str]
    training_size: int
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:  # one suggestion at intake: skip sklearn's per-call checks (fast_tfidf.py)
            fast, weights = self._fast_path()
            indices, values = fast.transform_one(texts[0])
            return (values @ weights[indices] + self.intercept)[np.newaxis, :]
        features = self.vectorizer.transform(list(texts))
        return np.asarray((features @ self.coef).toarray()) + self.intercept

    def _fast_path(self) -> tuple[FastTfidf, np.ndarray]:
        """Built on first use and kept with the loaded model, never pickled (see __getstate__)."""
        cached = self.__dict__.get("_fast")
        if cached is None:
            cached = self.__dict__["_fast"] = (FastTfidf(self.vectorizer), dense_rows(self.coef))
        return cached  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_fast", None)
        return state

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.scores(texts) @ self.calib_coef.T + self.calib_intercept)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(self.classes[i]) for i in self.proba(texts).argmax(axis=1)]

    def suggest_text(self, text: str, top_k: int = 3) -> list[tuple[str, float]]:
        proba = self.proba([text])[0]
        order = np.argsort(-proba)[: max(1, top_k)]
        return [(str(self.classes[i]), round(float(proba[i]), 4)) for i in order]

    def suggest(self, title: str, body: str, top_k: int = 3) -> list[tuple[str, float]]:
        return self.suggest_text(message_text(title, body), top_k)


def _svm_scores(svm: LinearSVC, features: Any) -> np.ndarray:
    scores = np.asarray(svm.decision_function(features))
    if scores.ndim == 1:  # two classes: sklearn gives one column
        scores = np.column_stack([-scores, scores])
    return scores


def _title_of(text: str) -> str:
    """The title of a message_text() string ("title。title。body"), or "" when the text is not of that form."""
    head, sep, _rest = text.partition("。")
    return head if sep and text.startswith(f"{head}。{head}。") else ""


@lru_cache(maxsize=4)
def _weak_messages(directory: str) -> tuple[tuple[str, str, str], ...]:
    """(title, text, label) of the reply-labelled messages in directory; () when the files are absent."""
    return tuple((m.title, message_text(m.title, m.body), m.label)
                 for m in reply_labelled_messages(Path(directory)))


@lru_cache(maxsize=4)
def _taxonomy_messages(directory: str) -> tuple[tuple[str, str], ...]:
    """(text, label) pseudo-messages, one per leaf of the category tree; () when the file is absent."""
    return tuple((message_text(level3, level2), level1) for level3, level2, level1 in taxonomy_examples(Path(directory)))


def weak_examples(texts: Sequence[str], labels: Sequence[str],
                  exclude: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Reply-labelled messages to add to this training set (see pseudo_labels.py), or nothing.

    Used only for a real-sized set of our categories (WEAK_MIN_ROWS ≤ n < WEAK_MAX_ROWS, at least three of
    the weak categories present) and only for categories the set has. Messages that are also in the
    training set or in `exclude` (e.g. the test set), by text or by title, are dropped, so that no
    message is ever both a weak training example and scored.
    """
    if not WEAK_MIN_ROWS <= len(texts) < WEAK_MAX_ROWS:
        return [], []
    weak = _weak_messages(str(messages_dir()))
    present = set(labels)
    if len(present & {label for _t, _x, label in weak}) < 3:
        return [], []
    seen_texts = set(texts) | set(exclude)
    seen_titles = {t for t in (_title_of(x) for x in seen_texts) if t}
    keep = [(text, label) for title, text, label in weak
            if label in present and text not in seen_texts and title not in seen_titles]
    return [t for t, _l in keep], [label for _t, label in keep]


def train(texts: Sequence[str], labels: Sequence[str], *, weak: bool = True,
          exclude: Iterable[str] = ()) -> TrainedClassifier:
    """Fit a model on labelled texts (message_text strings); with weak=True also on filtered reply-labelled
    messages (weak_examples), each kept only if a model fitted on the labelled texts alone gives its
    bureau's category a confidence of at least WEAK_MIN_CONFIDENCE (drops messages whose reply names a
    bureau that was not really in charge)."""
    check_trainable(labels)
    if weak:
        weak_texts, weak_labels = weak_examples(texts, labels, exclude)
        if weak_texts:
            started = time.perf_counter()
            base = train(texts, labels, weak=False)
            proba = base.proba(weak_texts)
            column = {str(c): i for i, c in enumerate(base.classes)}
            chosen = [i for i, label in enumerate(weak_labels)
                      if proba[i, column[label]] >= WEAK_MIN_CONFIDENCE]
            # The category tree's leaves as short pseudo-messages (not filtered: they define the categories).
            present = set(labels)
            tree = [(text, label) for text, label in _taxonomy_messages(str(messages_dir())) if label in present]
            model = train(list(texts) + [weak_texts[i] for i in chosen] + [t for t, _l in tree],
                          list(labels) + [weak_labels[i] for i in chosen] + [lab for _t, lab in tree], weak=False)
            model.training_size = len(texts)
            model.extra["weak_examples"] = len(chosen)
            model.extra["taxonomy_examples"] = len(tree)
            model.seconds = time.perf_counter() - started
            return model
    started = time.perf_counter()
    y = np.asarray(labels, dtype=object)
    vectorizer = build_vectorizer(len(texts))
    features = vectorizer.fit_transform(list(texts))
    svm = LinearSVC(C=SVM_C).fit(features, y)
    classes = svm.classes_
    # Out-of-fold SVM scores to fit the confidence model on (scores on training rows are over-confident).
    # On large sets a stratified sample of CALIBRATION_MAX_ROWS is enough to fit 7×7 numbers, and keeps
    # training on 10,000 messages well under a minute.
    calib_idx = np.arange(len(y))
    if len(y) > CALIBRATION_MAX_ROWS:
        calib_idx, _rest = train_test_split(calib_idx, train_size=CALIBRATION_MAX_ROWS, stratify=y, random_state=0)
    cy = y[calib_idx]
    folds = max(2, min(3, min(Counter(cy).values())))
    oof = np.zeros((len(cy), len(classes)))
    for fit_idx, score_idx in StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(cy)), cy):
        part = LinearSVC(C=SVM_C).fit(features[calib_idx[fit_idx]], cy[fit_idx])
        rows = features[calib_idx[score_idx]]
        # A class missing from this fold: fall back to the full model's scores.
        oof[score_idx] = _svm_scores(part if list(part.classes_) == list(classes) else svm, rows)
    calibrator = LogisticRegression(C=1.0, max_iter=1000).fit(oof, cy)
    calib_coef = np.asarray(calibrator.coef_)
    calib_intercept = np.asarray(calibrator.intercept_)
    if len(classes) == 2:  # binary logistic regression has one row; expand to two for the softmax
        calib_coef = np.vstack([-calib_coef / 2, calib_coef / 2])
        calib_intercept = np.array([-calib_intercept[0] / 2, calib_intercept[0] / 2])
    coef = svm.coef_ if len(classes) > 2 else np.vstack([-svm.coef_[0], svm.coef_[0]])
    intercept = svm.intercept_ if len(classes) > 2 else np.array([-svm.intercept_[0], svm.intercept_[0]])
    return TrainedClassifier(
        vectorizer=vectorizer, classes=classes, coef=sparse.csr_matrix(coef.T.astype(np.float32)),
        intercept=intercept.astype(np.float64), calib_coef=calib_coef, calib_intercept=calib_intercept,
        labels=sorted(str(c) for c in classes), training_size=len(texts), seconds=time.perf_counter() - started,
    )


@dataclass
class Figures:
    macro_f1: float
    accuracy: float
    report: str
    p99_ms: float = 0.0

    def last_line(self) -> str:
        return f"macro_f1={self.macro_f1:.4f} accuracy={self.accuracy:.4f} p99_ms={self.p99_ms:.2f}"


def score(truth: Sequence[str], predicted: Sequence[str]) -> Figures:
    return Figures(
        macro_f1=float(f1_score(truth, predicted, average="macro")),
        accuracy=float(accuracy_score(truth, predicted)),
        report=str(classification_report(truth, predicted, digits=4, zero_division=0)),
    )


def cross_validate(texts: Sequence[str], labels: Sequence[str], folds: int = 5, seed: int = 0) -> Figures:
    """Stratified k-fold: every message is predicted by a model that never saw it."""
    check_trainable(labels, folds)
    y = np.asarray(labels, dtype=object)
    predicted = np.empty(len(y), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(y)), y):
        # The validation fold's messages are excluded from the weak examples too.
        model = train([texts[i] for i in train_idx], list(y[train_idx]), exclude=[texts[i] for i in test_idx])
        predicted[test_idx] = model.predict([texts[i] for i in test_idx])
    return score(list(y), list(predicted))


def latency_p99_ms(model: TrainedClassifier, texts: Iterable[str], limit: int = 500) -> float:
    """p99 of suggest() latency, one message at a time, in milliseconds."""
    timings = []
    for i, text in enumerate(texts):
        if i >= limit:
            break
        started = time.perf_counter()
        model.suggest_text(text)
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 99)) if timings else 0.0


def evaluate(train_rows: Sequence[LabelledMessage], test_rows: Sequence[LabelledMessage]) -> Figures:
    texts = [r.text for r in test_rows]
    model = train([r.text for r in train_rows], [r.label for r in train_rows], exclude=texts)
    figures = score([r.label for r in test_rows], model.predict(texts))
    figures.p99_ms = latency_p99_ms(model, texts)
    return figures
