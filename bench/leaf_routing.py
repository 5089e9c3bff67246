"""Leaf-level routing accuracy of the classifier's leaf layer on a database's closed cases (one held-out split).

    .venv/bin/python bench/leaf_routing.py [--test-size 0.3] [--seed 0] [--threshold 0.5] [--min-examples 5]

Reads the closed cases of the database DATABASE_URL points at (e.g. the demo city's after
`gongzhi demo --train-classifier`) through intelligence's history_examples(), splits them stratified by
category path (seed), fits the leaf layer (gongzhi.lib.text.classifier.train_leaves) on one part and scores
the other: leaf accuracy (the suggested path equals the case's final one), first-level accuracy, how many
suggestions reach the third level, and how many back off to a shorter path or to none. The last line is the
figures. One split of one database: an estimate, not a benchmark of real data.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-size", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--min-examples", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from sklearn.model_selection import train_test_split

    from gongzhi.intelligence.actions import history_examples
    from gongzhi.lib.text import classifier as clf

    rows = history_examples()
    counts = Counter(path for _t, _l, path in rows)
    rows = [r for r in rows if counts[r[2]] >= 2]  # stratification needs two of each
    fit_rows, test_rows = train_test_split(rows, test_size=args.test_size, random_state=args.seed,
                                           stratify=[path for _t, _l, path in rows])
    started = time.perf_counter()
    leaves = clf.train_leaves([t for t, _l, _p in fit_rows], [p for _t, _l, p in fit_rows], args.min_examples)
    seconds = time.perf_counter() - started
    if leaves is None:
        print("no leaf layer: too little history below the first level")
        return
    exact = top = deep = shorter = none = 0
    for text, _label, path in test_rows:
        found = leaves.refine(text, args.threshold)
        if found is None:
            none += 1
            continue
        suggested = found[0]
        exact += suggested == path
        top += suggested.split(clf.PATH_SEPARATOR)[0] == path.split(clf.PATH_SEPARATOR)[0]
        deep += suggested.count(clf.PATH_SEPARATOR) == 2
        shorter += suggested.count(clf.PATH_SEPARATOR) < path.count(clf.PATH_SEPARATOR)
    n = len(test_rows)
    print(f"closed cases {len(rows)} ({len(counts)} paths), fitted on {len(fit_rows)} in {seconds:.1f}s, "
          f"scored {n}; leaf classes {len(leaves.model.classes)}")
    print(f"leaf_accuracy={exact / n:.4f} top_accuracy={top / n:.4f} third_level={deep / n:.4f} "
          f"backed_off={shorter / n:.4f} no_suggestion={none / n:.4f}")


if __name__ == "__main__":
    main()
