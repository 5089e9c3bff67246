"""`gongzhi classifier …`: train, evaluate and roll back the appeal category classifier.

    gongzhi classifier train --file TRAIN.csv            new version, activated; prints its CV figures
        [--with-history] [--leaf-min-examples N]          … with a leaf layer from the closed cases' categories
    gongzhi classifier evaluate --train A.csv --test B.csv   per-class report; last line: figures
    gongzhi classifier cv --file TRAIN.csv --folds 5     cross-validated figures; same last line
        [--seeds N]                                       … repeated with N shuffles, last line their mean
    gongzhi classifier versions                           list versions (* = active)
    gongzhi classifier activate N                         make version N active (rollback)

`evaluate` and `cv` never touch the database.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core.errors import ActionError
from gongzhi.lib.text import classifier as clf


class Command(BaseCommand):
    help = "Train, evaluate, list and activate versions of the appeal category classifier."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=_SubParser)
        p = sub.add_parser("train", help="Train a new version from a labelled CSV and activate it.")
        p.add_argument("--file", required=True, help="CSV with columns id,title,body,created_at,label.")
        p.add_argument("--folds", type=int, default=5, help="Cross-validation folds for the figures (0 = skip).")
        p.add_argument("--no-activate", action="store_true", help="Store the version without activating it.")
        p.add_argument("--with-history", action="store_true",
                       help="Add a leaf layer learnt from the closed cases' categories (deeper suggestions).")
        p.add_argument("--leaf-min-examples", type=int, default=clf.LEAF_MIN_EXAMPLES,
                       help="Messages a category needs in the history to be suggested; fewer: its parent.")
        p = sub.add_parser("evaluate", help="Train on one file, score on another.")
        p.add_argument("--train", required=True)
        p.add_argument("--test", required=True)
        p = sub.add_parser("cv", help="Stratified k-fold cross-validation on one file.")
        p.add_argument("--file", required=True)
        p.add_argument("--folds", type=int, default=5)
        p.add_argument("--seeds", type=int, default=1,
                       help="Repeat the CV with shuffling seeds 0..N-1; the last line is their mean (on ~900 "
                            "messages one seed's macro F1 moves by about ±0.005).")
        sub.add_parser("versions", help="List the classifier versions.")
        p = sub.add_parser("activate", help="Activate a version (roll back to it).")
        p.add_argument("number", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"handle_{options['subcommand']}")(options)
        except (clf.CsvError, ActionError) as exc:
            raise CommandError(str(exc)) from exc

    def _read(self, path: str) -> list[clf.LabelledMessage]:
        return clf.read_labelled_csv(path)

    def handle_evaluate(self, options: dict[str, Any]) -> None:
        train_rows, test_rows = self._read(options["train"]), self._read(options["test"])
        started = time.perf_counter()
        figures = clf.evaluate(train_rows, test_rows)
        self.stderr.write(f"trained on {len(train_rows)}, tested on {len(test_rows)} in "
                          f"{time.perf_counter() - started:.1f}s")
        self.stdout.write(figures.report)
        self.stdout.write(figures.last_line())

    def handle_cv(self, options: dict[str, Any]) -> None:
        rows = self._read(options["file"])
        folds = options["folds"]
        if folds < 2:
            raise CommandError(_("--folds must be at least 2."))
        if options["seeds"] < 1:
            raise CommandError(_("--seeds must be at least 1."))
        texts, labels = [r.text for r in rows], [r.label for r in rows]
        runs = [clf.cross_validate(texts, labels, folds=folds, seed=seed) for seed in range(options["seeds"])]
        figures = runs[0]
        self.stdout.write(figures.report)  # the first seed's
        if len(runs) > 1:
            for seed, run in enumerate(runs):
                self.stdout.write(f"seed {seed}: macro_f1={run.macro_f1:.4f} accuracy={run.accuracy:.4f}")
            f1s = [run.macro_f1 for run in runs]
            self.stdout.write(f"mean of {len(runs)} seeds: macro_f1={statistics.mean(f1s):.4f} "
                              f"(standard deviation {statistics.stdev(f1s):.4f})")
            figures = clf.Figures(macro_f1=statistics.mean(f1s), accuracy=statistics.mean(r.accuracy for r in runs),
                                  report=figures.report)
        model = clf.train(texts, labels)
        figures.p99_ms = clf.latency_p99_ms(model, texts)
        self.stdout.write(figures.last_line())

    def handle_train(self, options: dict[str, Any]) -> None:
        from gongzhi.intelligence.actions import do_train_classifier, history_leaves

        rows = self._read(options["file"])
        leaves = history_leaves() if options["with_history"] else []
        version = do_train_classifier(
            [r.text for r in rows], [r.label for r in rows], acting_user=None,
            source_name=str(options["file"]).rsplit("/", 1)[-1], folds=options["folds"],
            activate=not options["no_activate"], leaves=leaves, leaf_min_examples=options["leaf_min_examples"],
        )
        f1 = "-" if version.cv_macro_f1 is None else f"{version.cv_macro_f1:.4f}"
        acc = "-" if version.cv_accuracy is None else f"{version.cv_accuracy:.4f}"
        state = _("active") if version.is_active else _("inactive")
        self.stdout.write(_("Version %(number)d (%(state)s): %(size)d messages, %(labels)d categories, "
                            "trained in %(seconds).1f s.") % {
            "number": version.number, "state": state, "size": version.training_size,
            "labels": len(version.labels), "seconds": version.training_seconds})
        self.stdout.write(f"cv_macro_f1={f1} cv_accuracy={acc}")

    def handle_versions(self, options: dict[str, Any]) -> None:
        from gongzhi.intelligence.models import ClassifierVersion

        versions = list(ClassifierVersion.objects.order_by("-number"))
        if not versions:
            self.stdout.write(_("No classifier has been trained yet."))
            return
        for v in versions:
            f1 = "-" if v.cv_macro_f1 is None else f"{v.cv_macro_f1:.4f}"
            acc = "-" if v.cv_accuracy is None else f"{v.cv_accuracy:.4f}"
            self.stdout.write(f"{'*' if v.is_active else ' '} v{v.number}  {v.created_at:%Y-%m-%d %H:%M}  "
                              f"{v.get_source_display()}  n={v.training_size}  macro_f1={f1}  accuracy={acc}")

    def handle_activate(self, options: dict[str, Any]) -> None:
        from gongzhi.intelligence.actions import do_activate_classifier_version
        from gongzhi.intelligence.models import ClassifierVersion

        version = ClassifierVersion.objects.filter(number=options["number"]).first()
        if version is None:
            raise CommandError(_("There is no classifier version %(number)d.") % {"number": options["number"]})
        do_activate_classifier_version(version, None)
        self.stdout.write(_("Version %(number)d is now active.") % {"number": version.number})


class _SubParser(CommandParser):
    """Subparsers of a Django command must not exit the process on bad arguments either."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("called_from_command_line", None)
        super().__init__(**kwargs)
