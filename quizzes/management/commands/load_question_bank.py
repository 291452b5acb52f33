from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes.bank import load_bank

DEFAULT_BANK = Path(settings.BASE_DIR) / "quizzes" / "data" / "bank"


class Command(BaseCommand):
    help = (
        "Load question bank files (YAML or JSON, see docs/question-format.md), creating or "
        "updating topics and questions matched on their key. A question or topic edited in "
        "the admin since it was last loaded is kept (and listed) unless named in --overwrite. "
        "Nothing is written if any record is invalid; loading the same files twice changes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            help="Files or folders to load (default: quizzes/data/bank/).",
        )
        parser.add_argument(
            "--overwrite",
            nargs="+",
            default=[],
            metavar="KEY",
            help="Question keys (or topic slugs) to replace from the files even though an "
            "editor changed them since the last load. Give the paths before this option.",
        )

    def handle(self, *args, paths, overwrite, verbosity, **options):
        paths = paths or [DEFAULT_BANK]

        def progress(done: int, total: int) -> None:
            if verbosity >= 1 and total >= 100:
                self.stdout.write(f"  {done} of {total} questions")

        try:
            summary = load_bank(paths, progress=progress, overwrite=overwrite)
        except ValidationError as exc:
            # Exit status 2, like a usage error: the files, not the program, are wrong.
            raise CommandError(
                "The question bank was not loaded; nothing was changed.\n"
                + "\n".join(f"  {message}" for message in exc.messages),
                returncode=2,
            ) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
        for kept in summary.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"  kept: edited in the admin: {kept.label} "
                    f"(--overwrite {kept.key} replaces it with the file's version)"
                )
            )
            if verbosity >= 2:
                self.stdout.write(kept.diff)
