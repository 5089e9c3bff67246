"""Weakly labelled messages for the category classifier, from the official replies (replies.csv).

An official reply usually names the bureau that handled the message ("经市住建局调查核实……"). The bureau
is strong evidence for the first-level category, so messages whose reply names bureaus of exactly one
of our categories become extra (noisy) training examples:

    extra = reply_labelled_messages(messages_dir())      # [] when the file is absent
    extra = [m for m in extra if m.label in labels]      # only categories the training set has

The bureau → category table below is hand-written from the category tree (taxonomy.csv) and checked
against the labelled messages: for each rule, how often a classifier trained on train.csv agrees with
the bureau's category on the replied messages (bench/classifier.py --pseudo). Bureaus whose work
falls outside our seven categories (公安/交警 → 政法, 民政, 财政, 水利 …) are left out of the table on
purpose; messages whose reply names only such bureaus are examples of none of our categories
(other_category_messages, label OTHER_LABEL), which the classifier learns as an eighth class it never
suggests. Traffic police (交警) handle 交通管理, which the tree files under 政法, and buses (公交) are
城乡建设 (城市建设和市政管理/公共汽车), so neither maps to 交通运输.

The messages (title, body) are also in the hot/reply data only; nothing here is copied into the
repository, and the code works without the files (no extra examples).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

# Substring of a bureau name → category. First matching rule wins, so longer/more specific names first.
BUREAU_RULES: tuple[tuple[str, str], ...] = (
    # 城乡建设: housing, urban management, planning, land, municipal works
    ("住房和城乡建设", "城乡建设"), ("住建", "城乡建设"), ("城乡建设", "城乡建设"), ("城管", "城乡建设"),
    ("城市管理", "城乡建设"), ("规划", "城乡建设"), ("自然资源", "城乡建设"), ("房产", "城乡建设"),
    ("住房保障", "城乡建设"), ("住保", "城乡建设"), ("房管", "城乡建设"), ("建设局", "城乡建设"),
    ("市政", "城乡建设"), ("园林", "城乡建设"), ("环卫", "城乡建设"),
    # 劳动和社会保障: human resources and social security, medical insurance
    ("人力资源", "劳动和社会保障"), ("人社", "劳动和社会保障"), ("社保", "劳动和社会保障"),
    ("社会保险", "劳动和社会保障"), ("医疗保障", "劳动和社会保障"), ("医保", "劳动和社会保障"),
    ("劳动", "劳动和社会保障"),
    # 教育文体: education (culture and sports bureaus disagree too often with the labels; see the bench)
    ("教育", "教育文体"), ("教体", "教育文体"),
    # 商贸旅游: commerce, market supervision, prices
    ("商务", "商贸旅游"), ("市场监督", "商贸旅游"), ("市场和质量", "商贸旅游"), ("市场监管", "商贸旅游"),
    ("工商", "商贸旅游"), ("质监", "商贸旅游"), ("质量技术监督", "商贸旅游"), ("物价", "商贸旅游"),
    ("旅游", "商贸旅游"),
    # 卫生计生: health commission, family planning, food and drugs
    ("卫生", "卫生计生"), ("卫健", "卫生计生"), ("卫计", "卫生计生"), ("计生", "卫生计生"),
    ("食品药品", "卫生计生"), ("食药", "卫生计生"),
    # 环境保护
    ("生态环境", "环境保护"), ("环保", "环境保护"), ("环境保护", "环境保护"),
    # 交通运输: transport bureau, roads, road transport administration, post
    ("交通运输", "交通运输"), ("交通局", "交通运输"), ("公路", "交通运输"), ("运管", "交通运输"),
    ("邮政", "交通运输"),
)
# Subjects the category tree files under a category other than that of the bureau that usually answers
# them: a reply-labelled message whose title names one takes the tree's category. The transport bureau
# answers bus complaints, but the tree has 公共汽车 and 地铁城铁 under 城乡建设 (城市建设和市政管理);
# urban management answers noise, but 噪音污染 is 环境保护; lift safety is 特种设备管理 under 商贸旅游
# (质监检验检疫), whoever replied. The labelled messages agree (公交 4 城乡建设 / 2 商贸旅游 / 0 交通运输;
# 噪音 8 环境保护 of 9; 电梯 10 商贸旅游 of 13), the reply-labelled ones did not (公交 37 of 38 交通运输).
TREE_SUBJECTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("公交", "公共汽车", "地铁", "城铁", "轨道交通"), "城乡建设"),
    (("噪音", "噪声", "扰民"), "环境保护"),
    (("电梯",), "商贸旅游"),
)
# Names ending like a government body: 市住建局, 区教育局, 卫健委, 交警支队 …
BUREAU_NAME = re.compile(r"[\u4e00-\u9fa5]{2,14}?(?:局|委员会|委|厅|支队|大队|中心)")
# Names that look like a bureau's but are not one (owners' and residents' committees, Party committees …).
NOT_GOVERNMENT = ("业主委", "居民委", "村民委", "党委", "常委", "布局")
# Bureaus that decide nothing for our seven categories but contain a rule's substring.
NOT_A_BUREAU = (*NOT_GOVERNMENT, "交警", "公安")
# Substrings of bureaus of the other first-level categories (政法, 民政, 财政, 农村农业, 纪检监察, 经济管理,
# 科技与信息产业 …). A message whose reply names only such bureaus becomes an example of OTHER_LABEL.
OTHER_BUREAUS = ("公安", "交警", "交通警察", "治安", "入境", "民政", "财政", "水利", "水务", "林业", "农业", "农村",
                 "畜牧", "司法", "法院", "检察", "纪委", "监察", "发展和改革", "发改", "工业和信息化", "工信", "科技",
                 "残联", "统计", "税务")
# The label of those examples: a class the classifier trains on and never suggests (classifier.train).
OTHER_LABEL = "__other__"


@dataclass(frozen=True)
class WeakMessage:
    title: str
    body: str
    label: str
    bureaus: tuple[str, ...]


def messages_dir() -> Path:
    """Where the shared message files are: the setting GONGZHI_MESSAGES_DIR (../shared/data/messages by default)."""
    from django.conf import settings

    return Path(settings.GONGZHI_MESSAGES_DIR)


def bureau_labels(reply: str) -> dict[str, list[str]]:
    """Category → the bureau names in the reply that point to it."""
    found: dict[str, list[str]] = {}
    for name in BUREAU_NAME.findall(reply or ""):
        if any(bad in name for bad in NOT_A_BUREAU):
            continue
        for key, label in BUREAU_RULES:
            if key in name:
                found.setdefault(label, []).append(name)
                break
    return found


def _replied_messages(directory: Path | None) -> list[tuple[str, str, str]]:
    """(title, body, reply) of every replies.csv row with a title or a body; [] if the file is absent."""
    path = (directory or messages_dir()) / "replies.csv"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    rows = []
    for row in csv.DictReader(text.splitlines(keepends=True)):
        title, body = (row.get("title") or "").strip(), (row.get("body") or "").strip()
        if title or body:
            rows.append((title, body, row.get("reply") or ""))
    return rows


def tree_label(title: str) -> str | None:
    """The category the tree gives the subject named in the title (TREE_SUBJECTS), or None."""
    for keys, label in TREE_SUBJECTS:
        if any(key in title for key in keys):
            return label
    return None


def reply_labelled_messages(directory: Path | None = None) -> list[WeakMessage]:
    """Messages from replies.csv whose reply names bureaus of exactly one category, labelled with that category
    unless the title names a subject of TREE_SUBJECTS; [] if the file is absent."""
    out: list[WeakMessage] = []
    for title, body, reply in _replied_messages(directory):
        found = bureau_labels(reply)
        if len(found) != 1:
            continue
        ((label, names),) = found.items()
        out.append(WeakMessage(title=title, body=body, label=tree_label(title) or label, bureaus=tuple(names)))
    return out


def other_category_messages(directory: Path | None = None) -> list[WeakMessage]:
    """Messages from replies.csv whose reply names bureaus of other first-level categories only (OTHER_BUREAUS,
    and none of BUREAU_RULES), labelled OTHER_LABEL; [] if the file is absent."""
    out: list[WeakMessage] = []
    for title, body, reply in _replied_messages(directory):
        if bureau_labels(reply):
            continue
        names = tuple(name for name in BUREAU_NAME.findall(reply)
                      if not any(bad in name for bad in NOT_GOVERNMENT) and any(key in name for key in OTHER_BUREAUS))
        if names:
            out.append(WeakMessage(title=title, body=body, label=OTHER_LABEL, bureaus=names))
    return out


def taxonomy_examples(directory: Path | None = None) -> list[tuple[str, str, str]]:
    """(level3, level2, level1) of the category tree (taxonomy.csv), one short pseudo-message per leaf.

    "公共汽车 / 城市建设和市政管理 → 城乡建设" teaches the classifier the tree's own boundaries (buses are
    城乡建设, traffic accidents are 政法), which the 895 labelled messages cover only in part. Leaves named
    其他 (other) say nothing and are skipped. [] when the file is absent.
    """
    path = (directory or messages_dir()) / "taxonomy.csv"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for row in csv.DictReader(text.splitlines(keepends=True)):
        level1, level2, level3 = ((row.get(k) or "").strip() for k in ("level1", "level2", "level3"))
        if level1 and level3 and level3 != "其他":
            out.append((level3, level2, level1))
    return out
