"""Every word a user reads is Chinese: each msgid in code and templates has a zh-hans translation."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PY_CALL = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*((?:(?:"[^"\\]*"|'[^'\\]*')\s*)+)[,)]""")
PY_CONTEXT_CALL = re.compile(r"""\bpgettext(?:_lazy)?\(\s*"([^"\\]*)",\s*"([^"\\]*)"\s*\)""")
TEMPLATE_TRANS = re.compile(r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')""")
BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S)
VAR = re.compile(r"{{\s*([\w.]+)\s*}}")


def _py_msgids() -> set[str]:
    ids: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "test.py":
            continue
        for match in PY_CALL.finditer(path.read_text(encoding="utf-8")):
            parts = re.findall(r""""([^"]*)"|'([^']*)'""", match.group(1))
            ids.add("".join(a or b for a, b in parts))
    return ids


def _py_context_msgids() -> set[tuple[str, str]]:
    ids: set[tuple[str, str]] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "test.py":
            continue
        ids.update(PY_CONTEXT_CALL.findall(path.read_text(encoding="utf-8")))
    return ids


def _template_msgids() -> set[str]:
    ids: set[str] = set()
    for path in ROOT.rglob("*.html"):
        if "static" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        ids.update(a or b for a, b in TEMPLATE_TRANS.findall(text))
        for options, body in BLOCK.findall(text):
            if "{% plural %}" in body:
                continue
            msgid = VAR.sub(lambda m: f"%({m.group(1)})s", body.replace("%", "%%"))
            if "trimmed" in options:
                msgid = " ".join(line.strip() for line in msgid.strip().splitlines() if line.strip())
            ids.add(msgid)
    return ids


def test_it_translates_every_msgid() -> None:
    msgids = {m for m in _py_msgids() | _template_msgids() if m.strip() and re.search("[A-Za-z]", m)}
    assert len(msgids) > 100
    with translation.override("zh-hans"):
        missing = sorted(m for m in msgids if translation.gettext(m) == m)
    assert missing == [], f"{len(missing)} msgids without a Chinese translation: {missing[:40]}"


def test_no_two_fragments_translate_a_message_differently() -> None:
    """The .po fragments are merged first come, first served: a message translated twice differently would show one
    app's word in another's page. A message meant differently in two places takes a context (pgettext)."""
    from gongzhi.lib.compile_messages import conflicts

    assert conflicts() == []


def test_it_translates_every_msgid_with_a_context() -> None:
    pairs = _py_context_msgids()
    assert ("demand status", "Open") in pairs
    with translation.override("zh-hans"):
        missing = sorted(f"[{c}] {m}" for c, m in pairs if translation.pgettext(c, m) == m)
    assert missing == [], f"{len(missing)} msgids with a context without a Chinese translation: {missing[:40]}"


# Words whose Chinese belongs to one mechanism: a msgid translated so, used by another app, reads wrongly there (the
# venues card once said 下一页, the pagination's "Next", for the next booking). Such a message takes its own msgid.
ONE_SENSE = {
    "下一页": {"templates"}, "房号": {"core", "templates"}, "户主": {"core", "templates"}, "举报": {"appeals"},
    "上岗": {"service"}, "等次": {"evaluation"}, "承办社区": {"meetings"}, "即将召开": {"meetings"},
    "参会人员": {"meetings"}, "原状态": {"appeals"}, "新状态": {"appeals"}, "赞成": {"councils"},
    "反对": {"councils"}, "弃权": {"councils"}, "责任方": {"lists"}, "计划完成日期": {"lists"}, "截止时间": {"lists"},
}


def test_words_of_one_mechanism_stay_in_it() -> None:
    wrong = []
    with translation.override("zh-hans"):
        for path in [*ROOT.rglob("*.py"), *ROOT.rglob("*.html")]:
            rel = path.relative_to(ROOT)
            if {"tests", "migrations", "static"} & set(rel.parts) or path.name == "test.py":
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".py":
                ids = {"".join(a or b for a, b in re.findall(r""""([^"]*)"|'([^']*)'""", m.group(1)))
                       for m in PY_CALL.finditer(text)}
            else:
                ids = {a or b for a, b in TEMPLATE_TRANS.findall(text)}
            for msgid in ids:
                allowed = ONE_SENSE.get(translation.gettext(msgid)) if msgid else None
                if allowed is not None and rel.parts[0] not in allowed:
                    wrong.append(f"{rel}: {msgid!r} reads {translation.gettext(msgid)}")
    assert wrong == [], wrong
