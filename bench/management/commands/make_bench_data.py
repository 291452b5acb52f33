"""`manage.py make_bench_data`: fill an empty database with the benchmark's data set.

The rows come from bench.data.generator and are written by bench.data.writer; this
command holds them in one transaction, with PostgreSQL's per-row foreign key triggers
off and the big tables' secondary indexes built once at the end.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from bench.data.generator import TOPIC_NAMES, Generator
from bench.data.writer import REINDEXED, WRITE_ORDER, SecondaryIndexes, Writer


def _extra_learner(value: str) -> tuple[str, int]:
    name, sep, count = value.partition("=")
    if not sep or not name or not count.isdigit():
        raise ValueError(value)
    return name, int(count)


class Command(BaseCommand):
    help = (
        "Fill an empty database with benchmark data in bulk: topics, published questions with "
        "key points, learners (password in bench.data.PASSWORD) with profiles, finished "
        "sessions and answers spread over several years, the matching FSRS cards and daily "
        "activity roll-up, and one heavy learner 'heavy'. With --bank, build only topics of "
        "N published questions each."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--learners", type=int, default=1000, help="Learners, 'heavy' included."
        )
        parser.add_argument("--questions", type=int, default=5000, help="Published questions.")
        parser.add_argument(
            "--answers",
            type=int,
            default=1_000_000,
            help="Answers of those learners in all, the heavy learner's included.",
        )
        parser.add_argument(
            "--heavy-answers", type=int, default=100_000, help="Answers of the learner 'heavy'."
        )
        parser.add_argument(
            "--extra-learner",
            type=_extra_learner,
            action="append",
            default=[],
            metavar="NAME=ANSWERS",
            help="One more learner like 'heavy' with this many answers (repeatable), "
            "e.g. heavy-1k=1000 for the dashboard growth runs.",
        )
        parser.add_argument(
            "--bank",
            type=int,
            action="append",
            default=[],
            metavar="N",
            help="Build only a topic 'bank-N' of N published questions (repeatable); "
            "no learners. For the session-start growth runs.",
        )
        parser.add_argument("--topics", type=int, default=len(TOPIC_NAMES))
        parser.add_argument("--years", type=float, default=3.0, help="Length of the history.")
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument(
            "--batch-size", type=int, default=100_000, help="Rows buffered before each write."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            indexes = SecondaryIndexes(REINDEXED)
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                    if cursor.fetchone()[0]:
                        # No per-row foreign key triggers; the generator only writes
                        # rows whose parents it wrote (the tests check it on SQLite,
                        # where the keys are enforced).
                        cursor.execute("SET LOCAL session_replication_role = replica")
                indexes.drop()
            writer = Writer(options["batch_size"])
            generator = Generator(
                writer, seed=options["seed"], now=timezone.now().replace(microsecond=0)
            )
            try:
                if options["bank"]:
                    generator.build_banks(options["bank"])
                else:
                    generator.build_everything(options)
            finally:
                writer.finish()
            loaded = time.monotonic() - started
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
                indexes.rebuild()
            writer.reset_sequences()
        built = time.monotonic() - started
        if postgres:
            # Fresh statistics (and, outside a transaction, visibility maps), as a
            # database in use would have.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in WRITE_ORDER:
                    cursor.execute(f'{command} "{model._meta.db_table}"')
        counts = ", ".join(
            f"{count:,} {model._meta.verbose_name_plural}"
            for model, count in writer.written.items()
            if count
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {counts}: loaded in {loaded:.1f} s, indexed and committed by "
                f"{built:.1f} s, analysed by {time.monotonic() - started:.1f} s."
            )
        )
