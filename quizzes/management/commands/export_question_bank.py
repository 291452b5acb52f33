from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.bank import SUFFIXES, export_bank


class Command(BaseCommand):
    help = (
        "Write every topic and question (drafts included) with its key points to one file; "
        "the format follows the extension: .yaml, .yml or .json."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to write, e.g. bank.yaml.")

    def handle(self, *args, path: Path, **options):
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise CommandError(f"{path}: use a .yaml, .yml or .json file name.")
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder.")
        count = export_bank(path, fmt)
        self.stdout.write(self.style.SUCCESS(f"Exported {count} questions to {path}."))
