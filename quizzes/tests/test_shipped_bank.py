"""
The question bank shipped in quizzes/data/bank/: it loads, it is big and balanced enough,
every record meets the editorial rules, it covers the seed article, and every formula renders.
"""

import ast
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from quizzes.bank import load_bank
from quizzes.models import Difficulty, FollowUp, Question, Status, Topic
from quizzes.rendering import _parser

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_BANK = ROOT / "quizzes" / "data" / "bank"
CHECK_MATH = ROOT / "scripts" / "check_math.js"

MIN_PUBLISHED = 330
MIN_TOPICS = 28
# Each topic is a session-sized chunk: big enough to practise, none crowding out the rest.
MIN_PER_TOPIC, MAX_PER_TOPIC = 10, 20
MIN_DIFFICULTY_SHARE = 0.20
MIN_KEY_POINTS, MAX_KEY_POINTS = 2, 6
MAX_KEY_POINT_LENGTH = 140
MIN_ANSWER_WORDS, MAX_ANSWER_WORDS = 80, 250
MIN_QUESTIONS_WITH_FOLLOW_UPS = 40
MIN_FOLLOW_UP_WORDS, MAX_FOLLOW_UP_WORDS = 30, 150

# Tags marking the questions that cover the seed article
# (shared/seed/deep-learning-interview-questions.txt).
SEED_TAGS = [
    "ai-vs-ml-vs-dl",
    "neural-network",
    "gan",
    "universal-approximation",
    "exploding-gradients",
    "sgd-vs-batch",
    "confusion-matrix",
    "fourier-transform",
    "overfitting",
    "activation-functions",
    "dying-relu",
    "applications",
    "unsupervised",
    "self-supervised",
    "cnn",
    "cnn-architectures",
]


@pytest.fixture
def loaded():
    """The shipped bank, loaded into the (empty) test database."""
    assert not Question.objects.exists() and not Topic.objects.exists()
    summary = load_bank(SHIPPED_BANK)
    return summary


@pytest.fixture
def questions(loaded):
    return list(Question.objects.select_related("topic").prefetch_related("key_points"))


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _math_and_stray_dollars(text: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """
    The formulas in a prompt or answer as the renderer sees them: (TeX, display?) pairs,
    taken from markdown-it's tokens so code spans and fences are skipped. Also any text
    outside math and code that still holds a dollar sign (an unpaired or literal `$`).
    """
    formulas, stray = [], []
    for token in _parser().parse(text):
        if token.type in {"math_block", "math_block_label"}:
            formulas.append((token.content, True))
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "math_inline":
                    formulas.append((child.content, False))
                elif child.type == "math_inline_double":
                    formulas.append((child.content, True))
                elif child.type == "text" and "$" in child.content:
                    stray.append(child.content)
    return formulas, stray


def test_the_shipped_bank_loads_into_an_empty_database(loaded):
    assert loaded.created == Question.objects.count() > 0
    assert loaded.updated == 0 and loaded.unchanged == 0
    assert loaded.topics_created == Topic.objects.count() > 0


def test_the_bank_is_large_and_spread_over_topics_and_difficulties(loaded):
    published = Question.objects.filter(status=Status.PUBLISHED)
    total = published.count()
    assert total >= MIN_PUBLISHED

    topics = set(published.values_list("topic__slug", flat=True))
    assert len(topics) >= MIN_TOPICS, sorted(topics)

    shares = Counter(published.values_list("difficulty", flat=True))
    for difficulty in Difficulty.values:
        share = shares[difficulty] / total
        assert share >= MIN_DIFFICULTY_SHARE, f"{difficulty}: {share:.0%} of {total}"


def test_every_question_is_complete(questions):
    problems = []
    for question in questions:
        points = [point.text for point in question.key_points.all()]
        words = len(question.answer.split())
        if not question.prompt.strip():
            problems.append(f"{question.key}: empty prompt")
        if not question.answer.strip():
            problems.append(f"{question.key}: empty answer")
        if not MIN_ANSWER_WORDS <= words <= MAX_ANSWER_WORDS:
            problems.append(f"{question.key}: answer has {words} words")
        if not MIN_KEY_POINTS <= len(points) <= MAX_KEY_POINTS:
            problems.append(f"{question.key}: {len(points)} key points")
        problems += [
            f"{question.key}: key point of {len(point)} characters: {point!r}"
            for point in points
            if not point.strip() or len(point) > MAX_KEY_POINT_LENGTH
        ]
        if question.topic is None:
            problems.append(f"{question.key}: no topic")
        if question.difficulty not in Difficulty.values:
            problems.append(f"{question.key}: difficulty {question.difficulty!r}")
        if not question.tag_list:
            problems.append(f"{question.key}: no tags")
        if not question.source.strip():
            problems.append(f"{question.key}: no source")
    assert not problems, "\n".join(problems)


def test_every_topic_has_a_balanced_share(loaded):
    counts = Counter(
        Question.objects.filter(status=Status.PUBLISHED).values_list("topic__slug", flat=True)
    )
    lopsided = {
        slug: count for slug, count in counts.items() if not MIN_PER_TOPIC <= count <= MAX_PER_TOPIC
    }
    assert not lopsided, lopsided


def test_every_python_code_block_parses(questions):
    blocks, failures = 0, []
    for question in questions:
        for field in ("prompt", "answer"):
            for token in _parser().parse(getattr(question, field)):
                if token.type != "fence" or token.info.strip() not in {"python", "py"}:
                    continue
                blocks += 1
                try:
                    ast.parse(token.content)
                except SyntaxError as error:
                    failures.append(f"{question.key} {field}: line {error.lineno}: {error.msg}")
    assert blocks, "no python code blocks found: the extraction is broken"
    assert not failures, "\n".join(failures)


def test_no_two_prompts_are_the_same(questions):
    seen: dict[str, str] = {}
    duplicates = []
    for question in questions:
        prompt = _normalised(question.prompt)
        if prompt in seen:
            duplicates.append(f"{question.key} repeats {seen[prompt]}")
        seen.setdefault(prompt, question.key)
    assert not duplicates, "\n".join(duplicates)


def test_every_seed_topic_is_covered(questions):
    tags = {tag for question in questions for tag in question.tag_list}
    missing = [tag for tag in SEED_TAGS if tag not in tags]
    assert not missing, f"no question tagged {missing}"


def test_loading_the_bank_again_changes_nothing(loaded):
    again = load_bank(SHIPPED_BANK)

    assert again.created == 0
    assert again.updated == 0, again.updated_keys
    assert again.unchanged == loaded.created
    assert again.topics_created == 0 and again.topics_updated == 0


def test_every_formula_renders_with_katex(questions):
    items, stray = [], []
    for question in questions:
        for field in ("prompt", "answer"):
            formulas, dollars = _math_and_stray_dollars(getattr(question, field))
            where = f"{question.key} {field}"
            items += [{"where": where, "tex": tex, "display": display} for tex, display in formulas]
            stray += [f"{where}: {text!r}" for text in dollars]
    assert items, "no formulas found: the math extraction is broken"
    assert not stray, "dollar signs outside math:\n" + "\n".join(stray)

    node = shutil.which("node")
    # KaTeX itself comes from npm (make assets), so node is there wherever the suite runs.
    assert node is not None, "node is missing: apt-get install nodejs npm (make test needs it)"
    result = subprocess.run(
        [node, str(CHECK_MATH)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    failures = json.loads(result.stdout)
    assert failures == [], json.dumps(failures, indent=2, ensure_ascii=False)


def test_follow_ups_cover_enough_questions_and_each_points_at_a_real_key_point(loaded):
    follow_ups = list(FollowUp.objects.select_related("question").prefetch_related(
        "question__key_points"))  # fmt: skip
    asked_after = {f.question_id for f in follow_ups if f.question.status == Status.PUBLISHED}
    assert len(asked_after) >= MIN_QUESTIONS_WITH_FOLLOW_UPS
    problems = []
    for follow_up in follow_ups:
        points = len(follow_up.question.key_points.all())
        where = f"{follow_up.question.key} follow-up {follow_up.order}"
        if follow_up.after_missing is not None and not 1 <= follow_up.after_missing <= points:
            problems.append(f"{where}: key point {follow_up.after_missing} of {points}")
        words = len(follow_up.answer.split())
        if not MIN_FOLLOW_UP_WORDS <= words <= MAX_FOLLOW_UP_WORDS:
            problems.append(f"{where}: answer has {words} words")
    assert not problems, "\n".join(problems)


def test_every_follow_up_formula_renders_with_katex(loaded):
    items = []
    for follow_up in FollowUp.objects.select_related("question"):
        for field in ("prompt", "answer"):
            formulas, _ = _math_and_stray_dollars(getattr(follow_up, field))
            where = f"{follow_up.question.key} follow-up {field}"
            items += [{"where": where, "tex": tex, "display": display} for tex, display in formulas]
    assert items, "no formulas found in the follow-ups"
    result = subprocess.run(
        [shutil.which("node"), str(CHECK_MATH)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_no_rendered_answer_contains_script(questions):
    offenders = [
        question.key
        for question in questions
        if re.search(r"<script", str(question.answer_html), re.IGNORECASE)
    ]
    assert not offenders
