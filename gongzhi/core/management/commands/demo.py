"""`gongzhi demo`: build the demo city into an empty database and print the demo accounts.

Core writes the tree, the people and the accounts; then every app's demo builder (`registry.demo_builder`) runs in
its declared order (appeals: a few months of cases; intelligence: the classifier trained on the labelled messages).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core.demo import DEFAULT_SEED, build_demo_city, demo_accounts, format_accounts_table
from gongzhi.core.models import Area
from gongzhi.core.registry import DemoContext, registry


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
                context = DemoContext(seed=options["seed"], train_classifier=options["train_classifier"],
                                      stdout=self.stdout)
                # Demo residents get no text messages.
                with override_settings(SMS_BACKEND="none"):
                    for _name, builder in registry.demo_builders():
                        counts.update(builder(context) or {})
                counts.setdefault("appeals", 0)
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
