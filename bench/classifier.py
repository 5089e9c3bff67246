"""Category classifier benchmark on the real messages (never copied into the repository).

    .venv/bin/python bench/classifier.py [--messages-dir ../shared/data/messages] [--size 10000] [--no-baseline]
    .venv/bin/python bench/classifier.py --pseudo   # how the reply-labelling rules agree with train.csv

Prints 5-fold stratified CV figures (seed 0) on train.csv for a reference baseline (jieba word TF-IDF +
LinearSVC) and for our pipeline (gongzhi.lib.text.classifier), the time to train on SIZE messages,
and the p99 latency of one suggestion at a time.

The 10,000-message training set is train.csv (895) plus variants of its messages with the sentences of
the body shuffled (same title, same label) until SIZE is reached: realistic lengths and vocabulary, and
distinct texts, so the vectorizer does as much work as on 10,000 real messages.
The last line is: cv_macro_f1=… cv_accuracy=… train_10k_s=… p99_ms=…
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")


def augmented(rows: list, size: int, seed: int = 0) -> tuple[list[str], list[str]]:  # type: ignore[type-arg]
    from gongzhi.lib.text.classifier import message_text

    rng = random.Random(seed)
    texts = [r.text for r in rows]
    labels = [r.label for r in rows]
    while len(texts) < size:
        row = rng.choice(rows)
        sentences = [s for s in re.split(r"(?<=[。！？；!?;])", row.body) if s]
        rng.shuffle(sentences)
        texts.append(message_text(row.title, "".join(sentences)))
        labels.append(row.label)
    return texts, labels


def baseline_cv(texts: list[str], labels: list[str], var_dir: Path) -> tuple[float, float]:
    import jieba
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(var_dir)
    jieba.initialize()
    tokens = [" ".join(w for w in jieba.lcut(t) if w.strip()) for t in texts]
    pipe = make_pipeline(TfidfVectorizer(analyzer=str.split), LinearSVC())
    predicted = cross_val_predict(pipe, tokens, np.asarray(labels), cv=StratifiedKFold(5, shuffle=True, random_state=0))
    return float(f1_score(labels, predicted, average="macro")), float(accuracy_score(labels, predicted))


def pseudo_label_report(rows: list, directory: Path) -> None:  # type: ignore[type-arg]
    """Per bureau rule: how often a model trained on the labelled messages alone agrees with the category
    that the rule (or the category tree, pseudo_labels.TREE_SUBJECTS) gives the replied messages."""
    from collections import Counter, defaultdict

    from gongzhi.lib.text import classifier as clf
    from gongzhi.lib.text import pseudo_labels

    weak = pseudo_labels.reply_labelled_messages(directory)
    if not weak:
        sys.exit(f"replies.csv not found in {directory}")
    model = clf.train([r.text for r in rows], [r.label for r in rows], weak=False)
    predicted = model.predict([clf.message_text(m.title, m.body) for m in weak])
    by_rule: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for message, guess in zip(weak, predicted, strict=True):
        rule = next((key, label) for key, label in pseudo_labels.BUREAU_RULES if key in message.bureaus[0])
        by_rule[rule].append((message.label, guess))
    print(f"{len(weak)} reply-labelled messages; per bureau rule, agreement with a model trained on train.csv:")
    for (key, label), pairs in sorted(by_rule.items(), key=lambda item: -len(item[1])):
        agree = sum(weak_label == guess for weak_label, guess in pairs) / len(pairs)
        others = Counter(guess for weak_label, guess in pairs if weak_label != guess).most_common(2)
        print(f"  {key} → {label}: {len(pairs)} messages, agreement {agree:.2f}; otherwise {others}")


def main() -> None:
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--messages-dir", default=os.environ.get("GONGZHI_MESSAGES_DIR")
                        or str(ROOT.parent / "shared/data/messages"))
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--pseudo", action="store_true",
                        help="only report how the bureau rules of pseudo_labels.py agree with the labelled messages")
    args = parser.parse_args()
    django.setup()
    from django.conf import settings

    from gongzhi.lib.text import classifier as clf

    path = Path(args.messages_dir) / "train.csv"
    if not path.is_file():
        sys.exit(f"train.csv not found in {args.messages_dir}")
    rows = clf.read_labelled_csv(path)
    texts, labels = [r.text for r in rows], [r.label for r in rows]
    if args.pseudo:
        pseudo_label_report(rows, Path(args.messages_dir))
        return
    if not args.no_baseline:
        f1, acc = baseline_cv(texts, labels, Path(settings.VAR_DIR))
        print(f"baseline (jieba words TF-IDF + LinearSVC) 5-fold: macro_f1={f1:.4f} accuracy={acc:.4f}")
    started = time.perf_counter()
    figures = clf.cross_validate(texts, labels, folds=5)
    print(f"gongzhi classifier 5-fold: macro_f1={figures.macro_f1:.4f} accuracy={figures.accuracy:.4f} "
          f"({time.perf_counter() - started:.1f}s)")
    print(figures.report)
    big_texts, big_labels = augmented(rows, args.size)
    started = time.perf_counter()
    model = clf.train(big_texts, big_labels)
    train_s = time.perf_counter() - started
    print(f"trained on {len(big_texts)} messages in {train_s:.1f}s")
    model = clf.train(texts, labels)
    for text in texts[:20]:  # warm up
        model.suggest_text(text)
    p99 = clf.latency_p99_ms(model, texts, limit=len(texts))
    print(f"suggestion latency p99 over {len(texts)} single messages: {p99:.2f} ms")
    print(f"cv_macro_f1={figures.macro_f1:.4f} cv_accuracy={figures.accuracy:.4f} "
          f"train_{args.size // 1000}k_s={train_s:.1f} p99_ms={p99:.2f}")


if __name__ == "__main__":
    main()
