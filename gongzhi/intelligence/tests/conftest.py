from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.intelligence import actions

# A tiny synthetic corpus: three categories with distinctive words, so any sane model separates them.
TOPICS = {
    "交通运输": ["公交车站", "地铁线路", "出租车拒载", "道路拥堵", "红绿灯故障", "公交线路调整"],
    "教育文体": ["学校招生", "幼儿园收费", "学区划分", "老师补课", "体育场开放", "图书馆开放时间"],
    "环境保护": ["工厂排污", "噪音扰民", "垃圾焚烧", "河道污染", "油烟污染", "粉尘污染"],
}


def synthetic_rows(per_label: int = 12) -> list[dict[str, str]]:
    rows = []
    n = 0
    for label, phrases in TOPICS.items():
        for i in range(per_label):
            a, b = phrases[i % len(phrases)], phrases[(i * 5 + 1) % len(phrases)]
            n += 1
            rows.append({"id": str(n), "title": f"关于{a}的问题", "body": f"A{i}区居民反映{a}，另外{b}也需要处理，请尽快解决。",
                         "created_at": "2019-01-01T10:00:00", "label": label})
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = ("id", "title", "body",
                                                                                  "created_at", "label")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def messages_dir() -> Path:
    return Path(settings.GONGZHI_MESSAGES_DIR)


@pytest.fixture
def synthetic_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "train.csv", synthetic_rows())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    actions._cache.clear()
    yield
    actions._cache.clear()
