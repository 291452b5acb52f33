from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quizzes.evaluation import DATA, SPLITS, evaluate, format_report, read_bank, read_labelled


class Command(BaseCommand):
    help = (
        "Score the key point matcher against the labelled answers (quizzes/data/eval): "
        "precision, recall and F1 per difficulty and overall, on the held-out answers "
        "unless told otherwise. Reads the bank files; the database is not used."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="Eval files or folders (default: quizzes/data/eval)."
        )
        parser.add_argument("--bank", nargs="+", default=[str(DATA / "bank")])
        parser.add_argument("--split", choices=[*SPLITS, "all"], default="held_out")

    def handle(self, *args, **options):
        paths = options["paths"] or [str(DATA / "eval")]
        try:
            bank = read_bank(options["bank"])
            answers = read_labelled(paths, bank)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        if not answers:
            raise CommandError(f"No labelled answers in {', '.join(paths)}.")
        self.stdout.write(format_report(evaluate(answers, bank, split=options["split"])))
