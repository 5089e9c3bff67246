"""The intelligence step of `gongzhi demo --train-classifier`: suggestions on the dispatch screen need a trained
model, and ../shared/data/messages has one's data."""

from __future__ import annotations

from django.core.management import call_command
from django.utils.translation import gettext as _

from gongzhi.core.registry import DemoContext
from gongzhi.lib.text.pseudo_labels import messages_dir


def build_demo(context: DemoContext) -> None:
    if not context.train_classifier:
        return
    train_csv = messages_dir() / "train.csv"
    if not train_csv.exists():
        context.say(_("No labelled messages found; the category classifier was not trained."))
        return
    context.say(_("Training the category classifier from the labelled messages …"))
    call_command("classifier", "train", "--file", str(train_csv), stdout=context.stdout)
