"""The appeal category classifier: pure scikit-learn, no database, nothing loaded from the internet.

    rows = read_labelled_csv(path)                 # CsvError with a Chinese message when the file is bad
    model = train([r.text for r in rows], [r.label for r in rows])
    model.suggest("小区门口路灯坏了", top_k=3)     # [(label, confidence), ...]
    figures = cross_validate(texts, labels, folds=5)

The features are character 1–4-gram TF-IDF (sublinear tf) over the title (counted twice, because titles
are short and to the point) and the body, plus a second TF-IDF block of jieba words at half weight
(WORD_WEIGHT); in both, every run of digits counts as "0" (char_preprocessor). Char n-grams carry most
of the signal and cannot cut place names such as "A3区" wrongly; the words add whole-word evidence (+0.5
points macro-F1). Segmentation is jieba's dictionary only (HMM=False: as accurate here, a quarter
faster), in search mode: each long word also gives the dictionary words inside it (word_text). Three
models read the same features: a linear SVM, an NB-SVM (the SVM on naive-Bayes-scaled features) and a
complement naive Bayes, whose errors differ (NB: +1.0 point; NB and NB-SVM only for sets
of NB_MIN_ROWS rows or more, NB-SVM below NBSVM_MAX_ROWS labelled ones); a small logistic model fitted
on their out-of-fold scores (7 SVM margins + 7 NB-SVM margins + 7 NB log-probabilities) turns them into
confidences that sum to 1. Messages that belong to none of the categories (their official reply names
only bureaus of other categories) are an extra class in training that is never suggested (train).
Choices were made by 5-fold cross-validation on train.csv (seeds 0/1/2, later seeds 0–6 or 0–13); see
docs/benchmarks.md (bench/classifier.py).
"""

from __future__ import annotations

import csv
import io
import logging
import multiprocessing
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, classification_report, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from gongzhi.lib.text.fast_tfidf import FastTfidf, dense_rows
from gongzhi.lib.text.pseudo_labels import (
    OTHER_LABEL,
    messages_dir,
    other_category_messages,
    reply_labelled_messages,
    taxonomy_examples,
)

REQUIRED_COLUMNS = ("title", "body", "label")
CSV_COLUMNS = ("id", "title", "body", "created_at", "label")
# Bodies longer than this add little but cost time; the start of a message says what it is about.
MAX_BODY_CHARS = 1000
# Hyper-parameters chosen by 5-fold CV on train.csv (bench/classifier.py).
SVM_C = 3.0
NGRAM_RANGE = (1, 4)
# The jieba-word TF-IDF block is scaled by this before it is put beside the char block (0.5 and 1.0 measure
# alike; 0.5 slightly better). Complement NB smoothing: 0.1–1.0 measure alike.
WORD_WEIGHT = 0.5
NB_ALPHA = 0.3
# NB-SVM (Wang & Manning 2012: an SVM on the features scaled by each class's naive-Bayes log-count ratio) as a
# third model beside the SVM and NB, for NB_MIN_ROWS up to NBSVM_MAX_ROWS labelled messages: it helps where
# data is scarce (measured on 716–895), and its SVMs fit slower than the plain ones (4,999 messages with the
# weak examples: 58 s without it, 92 s with it), so larger sets go without.
NBSVM_MAX_ROWS = 2000
NBSVM_ALPHA = 1.0
# Complement NB only from this many training rows: on tiny sets its log-probabilities are extreme and the
# confidence model, fitted on a few dozen rows, would say 0.9999 (auto-dispatch reads confidences).
NB_MIN_ROWS = 200
CALIBRATION_MAX_ROWS = 2000
# Weak supervision from the official replies (pseudo_labels.py): used for training sets of this size only
# (tiny synthetic sets are not our categories' real messages; beyond WEAK_MAX_ROWS labelled messages the
# ~850 noisy ones add nothing and would cost a second fit).
WEAK_MIN_ROWS = 200
WEAK_MAX_ROWS = 5000
WEAK_MIN_CONFIDENCE = 0.2
# Sample weight of each category-tree pseudo-message: the labels follow the tree, and its ~200 leaves of our
# categories are short. Over seven CV seeds: 3 → 0.8932, 5 → 0.8958, 8 → 0.8981 (10 and 12: a little lower).
TAXONOMY_WEIGHT = 8.0
# Sample weight of each reply-labelled message (a weak label: the bureau that replied). 0.5 together with the
# search-mode words: 0.9011 over fourteen CV seeds against 0.8982 (paired +0.0029 ± 0.0009, 11 of 14 up);
# either change alone moved it by +0.001, noise (docs/benchmarks.md, eighth session).
REPLY_WEIGHT = 0.5
# Threads that fit the one-vs-rest SVMs side by side (liblinear releases the GIL): one per core, at most 4,
# for sets of PARALLEL_MIN_ROWS rows or more. Smaller sets fit one SVM after another: liblinear's random
# generator is shared by the threads, so parallel fits differ in the last digits from run to run, and
# cross-validation on a few hundred messages should repeat exactly (it takes seconds either way).
TRAIN_THREADS = max(1, min(4, os.cpu_count() or 1))
PARALLEL_MIN_ROWS = 5000
# The leaf layer (LeafModel): category paths ("住房/物业管理/楼道照明") learnt from closed cases. A path with fewer
# than LEAF_MIN_EXAMPLES training messages (its own and those below it) is backed off to its parent before the
# fit; at suggestion time a level is taken only when its confidence (the sum over the paths below it) is at least
# LEAF_THRESHOLD, so the suggestion is the deepest level with enough support and confidence.
PATH_SEPARATOR = "/"
LEAF_MIN_EXAMPLES = 5
LEAF_THRESHOLD = 0.5


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
    try:
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
    except csv.Error as exc:
        raise CsvError(_("The file is not valid CSV near row %(line)d (%(error)s). Save it as CSV UTF-8 and try again.")
                       % {"line": reader.line_num, "error": exc}) from exc
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


_DIGITS = re.compile(r"\d+")


def char_preprocessor(text: str) -> str:
    """What the char n-grams are counted on: lower case, every run of digits (dates, house numbers, sums,
    phone numbers) one "0", so that "3栋" and "12栋" share their n-grams and numbers add no noise."""
    return _DIGITS.sub("0", text.lower())


def word_preprocessor(text: str) -> str:
    """The same for a word_text() string (words keep their case, as before)."""
    return _DIGITS.sub("0", text)


def build_vectorizer(n_samples: int) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=NGRAM_RANGE, sublinear_tf=True, preprocessor=char_preprocessor,
                           min_df=2 if n_samples >= 50 else 1, max_df=0.9 if n_samples >= 50 else 1.0,
                           dtype=np.float32)


def build_word_vectorizer(n_samples: int) -> TfidfVectorizer:
    """TF-IDF over word_text() strings (words separated by spaces)."""
    return TfidfVectorizer(analyzer="word", token_pattern=r"\S+",  # noqa: S106
                           lowercase=False, sublinear_tf=True, preprocessor=word_preprocessor,
                           min_df=2 if n_samples >= 50 else 1, max_df=0.9 if n_samples >= 50 else 1.0,
                           dtype=np.float32)


_segmenter: Any = None
_segmenter_lock = threading.Lock()


def _jieba() -> Any:
    """jieba's tokenizer, loaded once per process (~0.5 s; its dictionary cache goes to settings.VAR_DIR)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                from django.conf import settings

                if settings.configured and getattr(settings, "VAR_DIR", None):
                    tokenizer.tmp_dir = str(settings.VAR_DIR)
                tokenizer.initialize()
                _segmenter = tokenizer
    return _segmenter


def word_text(text: str, search: bool = True) -> str:
    """The words of a message_text() string, separated by spaces (dictionary words only, no HMM guessing).

    In jieba's search mode (the default) each long word comes with the dictionary words inside it:
    "物业公司" → 物业 公司 物业公司, "公积金" → 公积 积金 公积金, so that a compound and its parts share their
    evidence. search=False gives the words only, as models trained before the eighth session read them
    (TrainedClassifier.word_search)."""
    cut = _jieba().lcut_for_search if search else _jieba().lcut
    return " ".join(w for w in cut(text, HMM=False) if not w.isspace())


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class TrainedClassifier:
    """A fitted model and the facts about how it was trained. Pickled into ClassifierVersion.

    Prediction is a sparse TF-IDF row (char block, then word block × word_weight) times one weight matrix
    whose columns are the SVM's (one per class), then for models trained since NB-SVM the NB-SVM's (one per
    class, also linear in the features), and then, when nb_columns, the complement NB's log-probabilities
    per word (one per class; their scores become log-probabilities by a log-softmax).
    A small multinomial logistic model fitted on out-of-fold scores turns them into confidences that sum
    to 1. Doing the arithmetic here rather than through sklearn's predict_proba keeps one suggestion
    at a few ms. Versions pickled before the word block and NB have word_vectorizer None, nb_columns 0.
    """

    vectorizer: TfidfVectorizer
    classes: np.ndarray
    coef: Any  # sparse (n_features × n_classes)
    intercept: np.ndarray
    calib_coef: np.ndarray  # n_classes × n_scores (scores may include a class taken out, see train)
    calib_intercept: np.ndarray
    labels: list[str]
    training_size: int
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    word_vectorizer: TfidfVectorizer | None = None
    word_weight: float = 0.0
    nb_columns: int = 0  # the last nb_columns columns of coef are complement NB's
    word_search: bool = False  # words in jieba's search mode (word_text); versions pickled before: False
    leaves: LeafModel | None = None  # category paths from closed cases; versions pickled before: None

    def segment(self, text: str) -> str:
        """The text's words as this model's word block was fitted on them."""
        return word_text(text, self.word_search)

    def features(self, texts: Sequence[str], words: Sequence[str] | None = None) -> Any:
        """Sparse feature rows; `words` are the texts' word_text() when the caller has them already."""
        features = self.vectorizer.transform(list(texts))
        if self.word_vectorizer is None:
            return features
        words = [self.segment(t) for t in texts] if words is None else list(words)
        return sparse.hstack([features, self.word_weight * self.word_vectorizer.transform(words)], format="csr")

    def scores(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        """The calibrator's inputs: SVM (and NB-SVM) margins, then (nb_columns) NB log-probabilities."""
        if len(texts) == 1:  # one suggestion at intake: skip sklearn's per-call checks (fast_tfidf.py)
            fast, fast_words, weights = self._fast_path()
            indices, values = fast.transform_one(texts[0])
            if fast_words is not None:
                word_indices, word_values = fast_words.transform_one(
                    self.segment(texts[0]) if words is None else words[0])
                indices = np.concatenate([indices, word_indices + len(fast.vocabulary)])
                values = np.concatenate([values, self.word_weight * word_values])
            raw = (values @ weights[indices] + self.intercept)[np.newaxis, :]
        else:
            raw = np.asarray((self.features(texts, words) @ self.coef).toarray()) + self.intercept
        if self.nb_columns:
            raw[:, -self.nb_columns:] = _log_softmax(raw[:, -self.nb_columns:])
        return raw

    def _fast_path(self) -> tuple[FastTfidf, FastTfidf | None, np.ndarray]:
        """Built on first use and kept with the loaded model, never pickled (see __getstate__)."""
        cached = self.__dict__.get("_fast")
        if cached is None:
            words = FastTfidf(self.word_vectorizer) if self.word_vectorizer is not None else None
            cached = self.__dict__["_fast"] = (FastTfidf(self.vectorizer), words, dense_rows(self.coef))
        return cached  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_fast", None)
        return state

    def proba(self, texts: Sequence[str], words: Sequence[str] | None = None) -> np.ndarray:
        return _softmax(self.scores(texts, words) @ self.calib_coef.T + self.calib_intercept)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(self.classes[i]) for i in self.proba(texts).argmax(axis=1)]

    def suggest_text(self, text: str, top_k: int = 3) -> list[tuple[str, float]]:
        proba = self.proba([text])[0]
        order = np.argsort(-proba)[: max(1, top_k)]
        return [(str(self.classes[i]), round(float(proba[i]), 4)) for i in order]

    def suggest(self, title: str, body: str, top_k: int = 3) -> list[tuple[str, float]]:
        return self.suggest_text(message_text(title, body), top_k)

    def suggest_leaf(self, title: str, body: str, threshold: float = LEAF_THRESHOLD) -> tuple[str, float] | None:
        """The deepest category path the leaf layer supports for this message, with its confidence; None when
        the model has no leaf layer or no first-level category reaches the threshold."""
        if self.leaves is None:
            return None
        return self.leaves.refine(message_text(title, body), threshold)


@dataclass
class LeafModel:
    """A classifier over category paths ("住房/物业管理/楼道照明", or shorter where a leaf had too few messages),
    fitted on closed cases. support: training messages at or below each path prefix (back-off and display)."""

    model: TrainedClassifier
    support: dict[str, int]
    min_examples: int = LEAF_MIN_EXAMPLES

    def path_proba(self, text: str) -> dict[str, float]:
        """Confidence of every path prefix: the sum of the classes' confidences at or below it."""
        proba = self.model.proba([text])[0]
        totals: dict[str, float] = {}
        for label, p in zip(self.model.classes, proba, strict=True):
            parts = str(label).split(PATH_SEPARATOR)
            for depth in range(1, len(parts) + 1):
                prefix = PATH_SEPARATOR.join(parts[:depth])
                totals[prefix] = totals.get(prefix, 0.0) + float(p)
        return totals

    def refine(self, text: str, threshold: float = LEAF_THRESHOLD) -> tuple[str, float] | None:
        """Go down from the top: at each level the most confident child, kept while its confidence is at least
        `threshold` and it had at least min_examples training messages; the deepest kept, or None."""
        totals = self.path_proba(text)
        chosen: tuple[str, float] | None = None
        parent = ""
        while True:
            depth = parent.count(PATH_SEPARATOR) + 2 if parent else 1  # the children's
            children = [(path, p) for path, p in totals.items() if path.count(PATH_SEPARATOR) + 1 == depth
                        and (not parent or path.startswith(parent + PATH_SEPARATOR))]
            if not children:
                return chosen
            path, p = max(children, key=lambda item: (item[1], item[0]))
            if p < threshold or self.support.get(path, 0) < self.min_examples:
                return chosen
            chosen, parent = (path, round(p, 4)), path


def backed_off_paths(paths: Sequence[str], min_examples: int = LEAF_MIN_EXAMPLES) -> tuple[list[str], dict[str, int]]:
    """Each path cut to its deepest prefix with at least min_examples messages at or below it (the first level is
    kept whatever its count), and the support of every prefix."""
    support: Counter[str] = Counter()
    for path in paths:
        parts = path.split(PATH_SEPARATOR)
        for depth in range(1, len(parts) + 1):
            support[PATH_SEPARATOR.join(parts[:depth])] += 1
    labels = []
    for path in paths:
        parts = path.split(PATH_SEPARATOR)
        depth = len(parts)
        while depth > 1 and support[PATH_SEPARATOR.join(parts[:depth])] < min_examples:
            depth -= 1
        labels.append(PATH_SEPARATOR.join(parts[:depth]))
    return labels, dict(support)


def train_leaves(texts: Sequence[str], paths: Sequence[str],
                 min_examples: int = LEAF_MIN_EXAMPLES) -> LeafModel | None:
    """The leaf layer from (message_text, path) pairs; None when the backed-off paths are fewer than two or none
    is deeper than the first level (the first-level model says as much)."""
    pairs = [(t, p.strip(PATH_SEPARATOR)) for t, p in zip(texts, paths, strict=True) if p.strip(PATH_SEPARATOR)]
    if not pairs:
        return None
    labels, support = backed_off_paths([p for _t, p in pairs], min_examples)
    counts = Counter(labels)
    if len(counts) < 2 or not any(PATH_SEPARATOR in label for label in counts):
        return None
    leaf_texts = [t for t, _p in pairs]
    model = _fit(leaf_texts, _word_texts(leaf_texts), labels)
    return LeafModel(model=model, support=support, min_examples=min_examples)


@dataclass(frozen=True)
class _LinearModel:
    """One linear score per class: features @ coef.T + intercept (the SVM's margins)."""

    coef: np.ndarray  # n_classes × n_features
    intercept: np.ndarray

    def scores(self, features: Any) -> np.ndarray:
        return np.asarray(features @ self.coef.T) + self.intercept


def _binary_svm(features: Any, positive: np.ndarray, sample_weight: np.ndarray | None) -> tuple[np.ndarray, float]:
    svm = LinearSVC(C=SVM_C, random_state=0).fit(features, positive, sample_weight=sample_weight)
    return np.asarray(svm.coef_[0]), float(svm.intercept_[0])


def _binary_nbsvm(features: Any, positive: np.ndarray, sample_weight: np.ndarray | None) -> tuple[np.ndarray, float]:
    """NB-SVM for one class: the SVM fitted on features × r, r the log-ratio of how often each feature occurs
    in the class and outside it (smoothed by NBSVM_ALPHA). Its margin (features × r) @ w is features @ (r × w),
    so it is returned as one more linear score, as cheap at suggestion time as the plain SVM's."""
    present = (features > 0).astype(np.float64)
    weight = np.ones(present.shape[0]) if sample_weight is None else sample_weight
    p = NBSVM_ALPHA + np.asarray(present[positive].T @ weight[positive]).ravel()
    q = NBSVM_ALPHA + np.asarray(present[~positive].T @ weight[~positive]).ravel()
    ratio = np.log((p / p.sum()) / (q / q.sum()))
    svm = LinearSVC(C=SVM_C, random_state=0).fit(features @ sparse.diags(ratio), positive, sample_weight=sample_weight)
    return np.asarray(svm.coef_[0]) * ratio, float(svm.intercept_[0])


_SvmFutures = list[list[Future[tuple[np.ndarray, float]]]]


def _submit_svm(pool: ThreadPoolExecutor, features: Any, y: np.ndarray, classes: np.ndarray,
                sample_weight: np.ndarray | None, *, nbsvm: bool = False) -> _SvmFutures:
    """The one-vs-rest SVMs (and, with nbsvm, the NB-SVMs) as one binary fit per class (one fit in all for
    two classes), run by the pool. liblinear releases the GIL, so they fit side by side on the machine's
    cores; the result is the same kind of model as LinearSVC's own one-vs-rest."""
    positives = [classes[1]] if len(classes) == 2 else list(classes)
    fits = [_binary_svm, _binary_nbsvm] if nbsvm else [_binary_svm]
    return [[pool.submit(fit, features, y == c, sample_weight) for c in positives] for fit in fits]


def _collect_svm(groups: _SvmFutures) -> _LinearModel:
    """One linear model whose scores are each group's margins, one per class, group after group."""
    coefs, intercepts = [], []
    for futures in groups:
        fitted = [f.result() for f in futures]
        coef = np.vstack([c for c, _i in fitted])
        intercept = np.asarray([i for _c, i in fitted])
        if len(fitted) == 1:  # two classes: the margin for the first is the other's negated
            coef, intercept = np.vstack([-coef[0], coef[0]]), np.asarray([-intercept[0], intercept[0]])
        coefs.append(coef)
        intercepts.append(intercept)
    return _LinearModel(coef=np.vstack(coefs), intercept=np.concatenate(intercepts))


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


@lru_cache(maxsize=4)
def _other_messages(directory: str) -> tuple[tuple[str, str], ...]:
    """(title, text) of the messages handled by bureaus of other categories; () when the files are absent."""
    return tuple((m.title, message_text(m.title, m.body)) for m in other_category_messages(Path(directory)))


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


def other_examples(texts: Sequence[str], exclude: Iterable[str] = ()) -> list[str]:
    """Messages of none of our categories (pseudo_labels.other_category_messages), minus those in the
    training set or in `exclude`, by text or by title. Used by train() only together with weak_examples."""
    seen_texts = set(texts) | set(exclude)
    seen_titles = {t for t in (_title_of(x) for x in seen_texts) if t}
    return [text for title, text in _other_messages(str(messages_dir()))
            if text not in seen_texts and title not in seen_titles]


def _without_class(model: TrainedClassifier, label: str) -> TrainedClassifier:
    """The model with one class taken out of its outputs: the calibrator's row for it is dropped, so the
    confidences are the softmax over the remaining classes (the SVM and NB scores for it stay as inputs)."""
    keep = np.asarray([str(c) != label for c in model.classes])
    if keep.all():
        return model
    model.classes = model.classes[keep]
    model.calib_coef = model.calib_coef[keep]
    model.calib_intercept = model.calib_intercept[keep]
    model.labels = sorted(str(c) for c in model.classes)
    return model


def train(texts: Sequence[str], labels: Sequence[str], *, weak: bool = True,
          exclude: Iterable[str] = (), leaves: Sequence[tuple[str, str]] = (),
          leaf_min_examples: int = LEAF_MIN_EXAMPLES) -> TrainedClassifier:
    """Fit the first-level model (_train) and, from `leaves` ((message_text, category path) pairs, e.g. closed
    cases), its leaf layer (train_leaves)."""
    model = _train(texts, labels, weak=weak, exclude=exclude)
    if leaves:
        started = time.perf_counter()
        model.leaves = train_leaves([t for t, _p in leaves], [p for _t, p in leaves], leaf_min_examples)
        model.seconds += time.perf_counter() - started
        if model.leaves is not None:
            model.extra["leaf_paths"] = len(model.leaves.model.classes)
            model.extra["leaf_examples"] = len(leaves)
    return model


def _train(texts: Sequence[str], labels: Sequence[str], *, weak: bool = True,
           exclude: Iterable[str] = ()) -> TrainedClassifier:
    """Fit a model on labelled texts (message_text strings); with weak=True also on filtered reply-labelled
    messages (weak_examples, sample weight REPLY_WEIGHT), each kept only if a model fitted on the labelled
    texts alone gives its bureau's category a confidence of at least WEAK_MIN_CONFIDENCE (drops messages
    whose reply names a bureau that was not really in charge), and on the category tree's leaves (weight TAXONOMY_WEIGHT).
    With them come the messages of none of our categories (other_examples) as an extra class, OTHER_LABEL,
    taken out of the fitted model's outputs again: it never suggests or predicts it (+0.6 points macro-F1:
    messages of 政法, 民政 … no longer pull the boundaries of our categories towards themselves)."""
    check_trainable(labels)
    started = time.perf_counter()
    texts = list(texts)
    words = _segment(texts)  # segmented once, for both fits
    nbsvm = NB_MIN_ROWS <= len(texts) < NBSVM_MAX_ROWS  # decided on the labelled messages, for both fits
    if weak:
        weak_texts, weak_labels = weak_examples(texts, labels, exclude)
        if weak_texts:
            words = _words_of(words, texts)
            weak_words = [word_text(t) for t in weak_texts]
            base = _fit(texts, words, labels, nbsvm=nbsvm)
            proba = base.proba(weak_texts, weak_words)
            column = {str(c): i for i, c in enumerate(base.classes)}
            chosen = [i for i, label in enumerate(weak_labels)
                      if proba[i, column[label]] >= WEAK_MIN_CONFIDENCE]
            # The category tree's leaves as short pseudo-messages (not filtered: they define the categories).
            present = set(labels)
            tree = [(text, label) for text, label in _taxonomy_messages(str(messages_dir())) if label in present]
            others = other_examples(texts, exclude)
            extra_texts = [weak_texts[i] for i in chosen] + [t for t, _l in tree] + others
            extra_words = [weak_words[i] for i in chosen] + [word_text(t) for t in extra_texts[len(chosen):]]
            model = _fit(texts + extra_texts, words + extra_words,
                         list(labels) + [weak_labels[i] for i in chosen] + [lab for _t, lab in tree]
                         + [OTHER_LABEL] * len(others),
                         weights=[1.0] * len(texts) + [REPLY_WEIGHT] * len(chosen) + [TAXONOMY_WEIGHT] * len(tree)
                         + [1.0] * len(others), nbsvm=nbsvm)
            model = _without_class(model, OTHER_LABEL)
            model.training_size = len(texts)
            model.extra["weak_examples"] = len(chosen)
            model.extra["taxonomy_examples"] = len(tree)
            model.extra["other_examples"] = len(others)
            model.seconds = time.perf_counter() - started
            return model
    model = _fit(texts, words, labels, nbsvm=nbsvm)
    model.seconds = time.perf_counter() - started
    return model


def _model_scores(svm: _LinearModel, nb: ComplementNB | None, features: Any) -> np.ndarray:
    """What the calibrator reads: SVM margins, then NB log-probabilities (as TrainedClassifier.scores)."""
    if nb is None:
        return svm.scores(features)
    nb_scores = np.asarray(features @ nb.feature_log_prob_.T)
    return np.hstack([svm.scores(features), _log_softmax(nb_scores)])


def _word_texts(texts: list[str]) -> list[str]:
    return [word_text(t) for t in texts]


def _segment(texts: list[str]) -> list[str] | Future[list[str]]:
    """The texts' word_text(); for large sets a future, computed by a forked process while this one counts
    the char n-grams (both are pure Python, so a thread would not help). Falls back to segmenting here."""
    if len(texts) < PARALLEL_MIN_ROWS or TRAIN_THREADS < 2:
        return _word_texts(texts)
    _jieba()  # loaded before the fork, so the child has the dictionary
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_word_texts, texts)
    except (OSError, ValueError):  # no fork here (or no resources for it): segment in this process
        return _word_texts(texts)
    pool.shutdown(wait=False)  # the process ends once it has delivered the words
    return future


def _words_of(words: list[str] | Future[list[str]], texts: list[str]) -> list[str]:
    if isinstance(words, list):
        return words
    try:
        return words.result()
    except (OSError, BrokenProcessPool):
        return _word_texts(texts)


def _fit(texts: list[str], words: list[str] | Future[list[str]], labels: Sequence[str],
         weights: Sequence[float] | None = None, *, nbsvm: bool = False) -> TrainedClassifier:
    """One fit: both vectorizers, the SVM, (with nbsvm, see train) the NB-SVM and (from NB_MIN_ROWS rows) the
    NB on all rows, the calibrator on out-of-fold scores. For large sets (PARALLEL_MIN_ROWS) the words come
    from a forked process (_segment) and the SVMs of the full fit and of the calibration folds run in
    TRAIN_THREADS threads."""
    y = np.asarray(labels, dtype=object)
    sample_weight = None if weights is None else np.asarray(weights, dtype=np.float64)
    vectorizer = build_vectorizer(len(texts))
    features = vectorizer.fit_transform(texts)
    words = _words_of(words, texts)
    word_vectorizer: TfidfVectorizer | None = build_word_vectorizer(len(texts))
    try:
        word_features = word_vectorizer.fit_transform(words)  # type: ignore[union-attr]
    except ValueError:  # no word is frequent enough (tiny or odd sets): char n-grams only
        word_vectorizer = None
    if word_vectorizer is not None:
        features = sparse.hstack([features, WORD_WEIGHT * word_features], format="csr")
    classes = np.unique(y)
    n_classes = len(classes)
    use_nb = len(texts) >= NB_MIN_ROWS
    use_nbsvm = use_nb and nbsvm
    # Out-of-fold scores to fit the confidence model on (scores on training rows are over-confident).
    # On large sets a stratified sample of CALIBRATION_MAX_ROWS is enough to fit its numbers (14 inputs there,
    # without NB-SVM, × 7 or 8 classes), and keeps training on 10,000 messages under a minute.
    calib_idx = np.arange(len(y))
    if len(y) > CALIBRATION_MAX_ROWS:
        calib_idx, _rest = train_test_split(calib_idx, train_size=CALIBRATION_MAX_ROWS, stratify=y, random_state=0)
    cy = y[calib_idx]
    folds = max(2, min(3, min(Counter(cy).values())))
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(cy)), cy))
    threads = TRAIN_THREADS if len(y) >= PARALLEL_MIN_ROWS else 1
    def weights_of(rows: np.ndarray) -> np.ndarray | None:
        return None if sample_weight is None else sample_weight[rows]

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="classifier-fit") as pool:
        full_svm = _submit_svm(pool, features, y, classes, sample_weight, nbsvm=use_nbsvm)
        # A class missing from a fold (tiny sets): that fold's rows are scored by the full models.
        part_svms = [_submit_svm(pool, features[calib_idx[fit_idx]], cy[fit_idx], classes, weights_of(calib_idx[fit_idx]),
                                 nbsvm=use_nbsvm)
                     if len(np.unique(cy[fit_idx])) == n_classes else None for fit_idx, _score_idx in splits]
        nb = ComplementNB(alpha=NB_ALPHA).fit(features, y, sample_weight=sample_weight) if use_nb else None
        svm = _collect_svm(full_svm)
        oof = np.zeros((len(cy), n_classes * (1 + use_nbsvm + use_nb)))
        for (fit_idx, score_idx), part in zip(splits, part_svms, strict=True):
            rows = calib_idx[fit_idx]
            part_nb = (ComplementNB(alpha=NB_ALPHA).fit(features[rows], cy[fit_idx], sample_weight=weights_of(rows))
                       if use_nb and part is not None else None)
            oof[score_idx] = _model_scores(_collect_svm(part) if part is not None else svm,
                                           part_nb if part is not None else nb, features[calib_idx[score_idx]])
    calibrator = LogisticRegression(C=1.0, max_iter=1000).fit(oof, cy)
    calib_coef = np.asarray(calibrator.coef_)
    calib_intercept = np.asarray(calibrator.intercept_)
    if n_classes == 2:  # binary logistic regression has one row; expand to two for the softmax
        calib_coef = np.vstack([-calib_coef / 2, calib_coef / 2])
        calib_intercept = np.array([-calib_intercept[0] / 2, calib_intercept[0] / 2])
    coef = (np.vstack([svm.coef, nb.feature_log_prob_]) if nb is not None else svm.coef).T.astype(np.float32)
    nb_intercept = np.zeros(n_classes if nb is not None else 0)
    return TrainedClassifier(
        vectorizer=vectorizer, classes=classes, coef=sparse.csr_matrix(coef),
        intercept=np.concatenate([svm.intercept, nb_intercept]).astype(np.float64),
        calib_coef=calib_coef, calib_intercept=calib_intercept,
        labels=sorted(str(c) for c in classes), training_size=len(texts),
        word_vectorizer=word_vectorizer, word_weight=WORD_WEIGHT if word_vectorizer is not None else 0.0,
        nb_columns=n_classes if nb is not None else 0, word_search=True,
    )


@dataclass
class Figures:
    macro_f1: float
    accuracy: float
    report: str
    p99_ms: float = 0.0
    # One entry per category of the truth: {"label", "precision", "recall", "f1", "support"} (4 decimals).
    per_class: list[dict[str, Any]] = field(default_factory=list)

    def last_line(self) -> str:
        return f"macro_f1={self.macro_f1:.4f} accuracy={self.accuracy:.4f} p99_ms={self.p99_ms:.2f}"


def score(truth: Sequence[str], predicted: Sequence[str]) -> Figures:
    labels = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    return Figures(
        macro_f1=float(f1_score(truth, predicted, average="macro")),
        accuracy=float(accuracy_score(truth, predicted)),
        report=str(classification_report(truth, predicted, digits=4, zero_division=0)),
        per_class=[{"label": label, "precision": round(float(p), 4), "recall": round(float(r), 4),
                    "f1": round(float(f), 4), "support": int(n)}
                   for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)],
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
