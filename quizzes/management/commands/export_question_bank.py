from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.bank import SUFFIXES, export_bank


class Command(BaseCommand):
    help = (
        "Write every topic and question (drafts and retired ones included) with its key "
        "points to one file; the format follows the extension: .yaml, .yml or .json."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to write, e.g. bank.yaml.")

    def handle(self, *args, path: Path, **options):
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise CommandError(f"{path}: use a .yaml, .yml or .json file name.", returncode=2)
        try:
            count = export_bank(path, fmt)
        except OSError as exc:
            # One line, no traceback: a missing folder, a read-only disk, a directory.
            raise CommandError(
                f"{path}: cannot write: {exc.strerror or exc}.", returncode=2
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Exported {count} questions to {path}."))
