"""`gongzhi demo`: build the demo city into an empty database and print the demo accounts."""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core.demo import DEFAULT_SEED, build_demo_city, demo_accounts, format_accounts_table
from gongzhi.core.models import Area


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Build the demo city into an empty database and print the demo accounts.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("If the database already has areas, build nothing (the demo accounts are still printed)."),
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("Seed of the random generator."))
        parser.add_argument(
            "--train-classifier",
            action="store_true",
            help=_("Also train the category classifier from the labelled messages, when they are present."),
        )

    @staticmethod
    def _build_appeals(seed: int) -> dict[str, int]:
        """A few months of appeals through the real workflow, so worklists and rankings have data."""
        from gongzhi.appeals.demo import build_demo_appeals

        previous = os.environ.get("SMS_BACKEND")
        os.environ["SMS_BACKEND"] = "none"  # demo residents get no text messages
        try:
            return build_demo_appeals(seed)
        finally:
            if previous is None:
                os.environ.pop("SMS_BACKEND", None)
            else:
                os.environ["SMS_BACKEND"] = previous

    def _train_classifier(self) -> None:
        """Suggestions on the dispatch screen need a trained model; ../shared/data/messages has one's data."""
        from gongzhi.intelligence.pseudo_labels import messages_dir

        train_csv = messages_dir() / "train.csv"
        if not train_csv.exists():
            self.stdout.write(_("No labelled messages found; the category classifier was not trained."))
            return
        self.stdout.write(_("Training the category classifier from the labelled messages …"))
        call_command("classifier", "train", "--file", str(train_csv), stdout=self.stdout)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            if Area.objects.exists():
                if not options["if_empty"]:
                    raise CommandError(
                        _(
                            "The database already has areas: the demo city is built only into an empty database. "
                            "Use --if-empty to skip building."
                        )
                    )
                self.stdout.write(_("The database already has areas; the demo city was not built again."))
            else:
                started = time.monotonic()
                counts = build_demo_city(options["seed"])
                counts.update(self._build_appeals(options["seed"]))
                if options["train_classifier"]:
                    self._train_classifier()
                self.stdout.write(
                    _(
                        "Built the demo city in %(seconds).1f s: %(communities)d communities, %(estates)d estates, "
                        "%(buildings)d buildings, %(households)d households, %(residents)d residents, "
                        "%(party_members)d party members, %(member_units)d member units, "
                        "%(departments)d departments, %(appeals)d appeals."
                    )
                    % {"seconds": time.monotonic() - started, **counts}
                )
            self.stdout.write("")
            self.stdout.write(format_accounts_table(demo_accounts()))
