"""The old address of `gongzhi.lib.text.pseudo_labels`, kept for the demo command (core's demo.py, which another
change rewrites) until it imports `messages_dir` from the new module; import from there, never from here."""

from __future__ import annotations

from gongzhi.lib.text.pseudo_labels import messages_dir

__all__ = ["messages_dir"]
