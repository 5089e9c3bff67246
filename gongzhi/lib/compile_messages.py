"""Compile translations without GNU gettext: every `*.po` fragment of a locale is merged into django.mo.

Each app keeps its own fragment (core.po, appeals.po, ...) so that work on different apps never
touches the same file. Run with `python -m gongzhi.lib.compile_messages`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def conflicts(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Messages two fragments translate differently (only the first fragment's translation would be used)."""
    out = []
    for messages_dir in sorted(locale_dir.glob("*/LC_MESSAGES")):
        first: dict[tuple[str | None, str], tuple[str, str]] = {}
        for po_path in sorted(messages_dir.glob("*.po")):
            for entry in polib.pofile(str(po_path)):
                if entry.obsolete or not entry.msgstr:
                    continue
                key = (entry.msgctxt, entry.msgid)
                if key in first and first[key][1] != entry.msgstr:
                    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
                    out.append(f"{messages_dir.parent.name}: {context}{entry.msgid!r} is {first[key][1]!r} in "
                               f"{first[key][0]} but {entry.msgstr!r} in {po_path.name}")
                first.setdefault(key, (po_path.name, entry.msgstr))
    return out


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for messages_dir in sorted(locale_dir.glob("*/LC_MESSAGES")):
        merged = polib.POFile()
        merged.metadata = {
            "Content-Type": "text/plain; charset=UTF-8",
            "Language": messages_dir.parent.name,
            "Plural-Forms": "nplurals=1; plural=0;",
        }
        seen: set[tuple[str | None, str]] = set()
        for po_path in sorted(messages_dir.glob("*.po")):
            for entry in polib.pofile(str(po_path)):
                key = (entry.msgctxt, entry.msgid)
                if entry.obsolete or not entry.msgstr and not entry.msgstr_plural or key in seen:
                    continue
                seen.add(key)
                merged.append(entry)
        target = messages_dir / "django.mo"
        merged.save_as_mofile(str(target))
        written.append(target)
    return written


if __name__ == "__main__":
    for problem in conflicts():
        print(f"warning: {problem}", file=sys.stderr)
    for path in compile_all():
        print(f"compiled {path}", file=sys.stderr)
