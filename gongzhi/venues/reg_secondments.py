"""What the secondments part registers (called from gongzhi.venues.registration): its hub card, audit verbs, scheduled
checks and demo step. Home-page task functions are written here for the lead to register."""

from __future__ import annotations


def register() -> None:
    pass
