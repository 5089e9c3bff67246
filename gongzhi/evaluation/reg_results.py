"""What the results part registers (called from gongzhi.evaluation.registration): its hub card, audit verbs,
scheduled checks, panels and demo steps. Home-task functions are written here for the lead to register."""

from __future__ import annotations


def register() -> None:
    pass
