"""Hot-issue grouping benchmark on the real messages (never copied into the repository).

    .venv/bin/python bench/hot_issues.py [--messages-dir ../shared/data/messages] [--repeat 3] [--top 10]

Groups hot_candidates.csv (4,316 messages, text only: the file has no place column; likes count) with
gongzhi.lib.text.grouping and prints the best of REPEAT wall times, the number and sizes of the groups,
and the top groups with their titles. The messages span 2017-2020, so heat decays with a one-year
half-life here (the page uses a quarter of its window).
The last line is: messages=… seconds=… groups=… grouped_messages=… top10_sizes=…
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongzhi.lib.text.grouping import group_hot_issues, records_from_csv  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages-dir", default=str(ROOT.parent / "shared/data/messages"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    path = Path(args.messages_dir) / "hot_candidates.csv"
    if not path.exists():
        print(f"{path} is not here; nothing to measure.")
        return 0
    records = records_from_csv(path)
    best = float("inf")
    groups = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        groups = group_hot_issues(records, half_life_days=365)
        best = min(best, time.perf_counter() - start)
    grouped = sum(g.count for g in groups)
    for g in groups[:args.top]:
        print(f"{g.rank:>3}. heat {g.heat:>6} · {g.count:>3} messages · {g.residents:>3} authors · "
              f"{g.likes:>4} likes · {g.first_at:%Y-%m-%d}..{g.last_at:%Y-%m-%d} · {g.title}")
    sizes = [g.count for g in groups[:args.top]]
    print(f"messages={len(records)} seconds={best:.2f} groups={len(groups)} grouped_messages={grouped} "
          f"top{args.top}_sizes={sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
