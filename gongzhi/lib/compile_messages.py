"""Compile translations without GNU gettext: every `*.po` fragment of a locale is merged into django.mo.

Each app keeps its own fragment (core.po, appeals.po, ...) so that work on different apps never
touches the same file. Run with `python -m gongzhi.lib.compile_messages`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


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
    for path in compile_all():
        print(f"compiled {path}", file=sys.stderr)
