"""Measuring the key point matcher on labelled answers (`make eval`).

The labelled set (quizzes/data/eval/*.yaml, format in docs/question-format.md) gives, for
typed answers to bank questions, the key points each really covers. The matcher's
suggestions are scored against those labels, pooled over every (answer, key point) pair:
precision = right suggestions / suggestions, recall = right suggestions / labelled points.
The bank is read from its files, not the database, so the figures need no loaded bank and
describe the aliases as the files have them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from quizzes.bank.errors import Errors
from quizzes.bank.fields import parse_key_points
from quizzes.bank.files import expand, read
from quizzes.matching import covered, point_phrases
from quizzes.models import Status

EVAL_FORMAT = "prepsite-keypoint-eval"
EVAL_VERSION = 1
LEVELS = ("good", "partial", "wrong", "terse", "verbose", "misspelt")
SPLITS = ("tune", "held_out")
DIFFICULTIES = ("easy", "medium", "hard")
TARGET_PRECISION = 0.85
TARGET_RECALL = 0.70
DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class BankQuestion:
    key: str
    difficulty: str
    prompt: str
    points: list  # matching.PointPhrases, in the file's order


@dataclass(frozen=True)
class Labelled:
    question: str
    level: str
    split: str
    answer: str
    covers: frozenset[int]  # 0-based
    where: str


def read_bank(sources) -> dict[str, BankQuestion]:
    """Published questions of the bank files, with their key points and aliases."""
    errors = Errors()
    questions = {}
    for source in expand(sources, errors):
        document = read(source, errors)
        if document is None or not isinstance(document.data, dict):
            continue
        for record in document.data.get("questions") or []:
            if not isinstance(record, dict) or record.get("status") != Status.PUBLISHED:
                continue
            points = parse_key_points(record, f"{document.name}: {record.get('key')}", errors)
            questions[record["key"]] = BankQuestion(
                key=record["key"],
                difficulty=record.get("difficulty", ""),
                prompt=record.get("prompt", ""),
                points=[point_phrases(point.text, point.aliases) for point in points],
            )
    errors.raise_if_any()
    return questions


def read_labelled(sources, bank: dict[str, BankQuestion]) -> list[Labelled]:
    """Every labelled answer of the eval files; ValidationError listing every problem."""
    errors = Errors()
    answers = []
    for source in expand(sources, errors):
        document = read(source, errors)
        if document is None:
            continue
        data = document.data
        if not isinstance(data, dict) or data.get("format") != EVAL_FORMAT:
            errors.add(document.name, f"field 'format' must be {EVAL_FORMAT!r}.")
            continue
        if data.get("version") != EVAL_VERSION:
            errors.add(document.name, f"field 'version' must be {EVAL_VERSION}.")
        records = data.get("answers")
        if not isinstance(records, list):
            errors.add(document.name, "field 'answers' must be a list.")
            continue
        for index, record in enumerate(records, start=1):
            labelled = _labelled(record, f"{document.name}: answer {index}", bank, errors)
            if labelled is not None:
                answers.append(labelled)
    errors.raise_if_any()
    return answers


def _labelled(record, where: str, bank, errors: Errors) -> Labelled | None:
    if not isinstance(record, dict):
        errors.add(where, "must be a mapping.")
        return None
    question = bank.get(record.get("question"))
    if question is None:
        errors.add(where, f"no published question {record.get('question')!r} in the bank.")
        return None
    problems = []
    if record.get("level") not in LEVELS:
        problems.append(f"field 'level' must be one of {', '.join(LEVELS)}.")
    if record.get("split") not in SPLITS:
        problems.append(f"field 'split' must be one of {', '.join(SPLITS)}.")
    answer = record.get("answer")
    if not isinstance(answer, str) or not answer.strip():
        problems.append("field 'answer' must be non-empty text.")
    covers = record.get("covers")
    count = len(question.points)
    if not isinstance(covers, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= count for n in covers
    ):
        problems.append(f"field 'covers' must list key point numbers from 1 to {count}.")
    for problem in problems:
        errors.add(where, problem)
    if problems:
        return None
    return Labelled(
        question=question.key,
        level=record["level"],
        split=record["split"],
        answer=answer,
        covers=frozenset(n - 1 for n in covers),
        where=where,
    )


@dataclass
class Score:
    answers: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, predicted: set[int], labelled: frozenset[int]) -> None:
        self.answers += 1
        self.true_positives += len(predicted & labelled)
        self.false_positives += len(predicted - labelled)
        self.false_negatives += len(labelled - predicted)

    @property
    def precision(self) -> float | None:
        suggested = self.true_positives + self.false_positives
        return self.true_positives / suggested if suggested else None

    @property
    def recall(self) -> float | None:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


@dataclass
class Report:
    split: str
    overall: Score = field(default_factory=Score)
    by_difficulty: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    by_level: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    questions: set[str] = field(default_factory=set)

    @property
    def meets_target(self) -> bool:
        p, r = self.overall.precision, self.overall.recall
        return p is not None and r is not None and p >= TARGET_PRECISION and r >= TARGET_RECALL


def evaluate(answers: list[Labelled], bank: dict[str, BankQuestion], *, split: str) -> Report:
    """Score the matcher on the answers of `split` ("all" for every answer)."""
    report = Report(split=split)
    for labelled in answers:
        if split != "all" and labelled.split != split:
            continue
        question = bank[labelled.question]
        predicted = set(covered(labelled.answer, question.points, prompt=question.prompt))
        for score in (
            report.overall,
            report.by_difficulty[question.difficulty],
            report.by_level[labelled.level],
        ):
            score.add(predicted, labelled.covers)
        report.questions.add(labelled.question)
    return report


def _figure(value: float | None) -> str:
    return "   —" if value is None else f"{value:.2f}"


def format_report(report: Report) -> str:
    lines = [
        f"Key point matcher on the {report.split.replace('_', '-')} answers: "
        f"{report.overall.answers} answers over {len(report.questions)} questions.",
        "",
        f"{'':<10} {'answers':>7} {'precision':>9} {'recall':>6} {'F1':>5}",
    ]

    def row(name: str, score: Score) -> str:
        return (
            f"{name:<10} {score.answers:>7} {_figure(score.precision):>9} "
            f"{_figure(score.recall):>6} {_figure(score.f1):>5}"
        )

    for difficulty in DIFFICULTIES:
        if difficulty in report.by_difficulty:
            lines.append(row(difficulty, report.by_difficulty[difficulty]))
    lines.append(row("overall", report.overall))
    lines += ["", "By the answer's level:"]
    for level in LEVELS:
        if level in report.by_level:
            lines.append(row(level, report.by_level[level]))
    verdict = "met" if report.meets_target else "NOT met"
    lines += [
        "",
        f"Target: precision >= {TARGET_PRECISION:.2f} at recall >= {TARGET_RECALL:.2f}: {verdict}.",
    ]
    return "\n".join(lines)
