"""An interview's figures, from its steps and the answers of its practice session."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from interviews.models import Interview, InterviewStep
from quizzes.models import RECALLED_GRADES, Confidence, Grade, KeyPoint

# Below this share of key points, a question goes on the "Study next" list.
STUDY_BELOW = 0.5
STUDY_NEXT_MAX = 5


def study_link(step: InterviewStep) -> str:
    """Where "Study next" sends the learner for a question: the library's page when it
    exists (issue #15's `question_detail`), else the question's review page here."""
    question = step.item.question
    try:
        return reverse("question_detail", args=[question.topic.slug, question.key])
    except NoReverseMatch:
        return reverse("practice_review_question", args=[step.item.session_id, step.position])


def _coverage(interview: Interview) -> dict[int, tuple[int, int, int, str]]:
    """question id -> (grade, key points ticked, key points, confidence), for the graded
    questions; the confidence is "" when the learner did not say."""
    answers = list(
        interview.session.answers.values_list(
            "question_id", "grade", "key_points_ticked", "confidence"
        )
    )
    points: dict[int, set[int]] = {}
    for question_id, pk in KeyPoint.objects.filter(
        question_id__in=[row[0] for row in answers]
    ).values_list("question_id", "pk"):
        points.setdefault(question_id, set()).add(pk)
    return {
        question_id: (
            grade,
            len(points.get(question_id, set()) & set(ticked)),
            len(points.get(question_id, ())),
            confidence,
        )
        for question_id, grade, ticked, confidence in answers
    }


def interview_score(interview: Interview) -> int | None:
    """The share of key points covered in the questions answered, as a whole percent."""
    return _score(_coverage(interview))


def _score(coverage: dict[int, tuple[int, int, int, str]]) -> int | None:
    total = sum(row[2] for row in coverage.values())
    if not total:
        return None
    return round(100 * sum(row[1] for row in coverage.values()) / total)


@dataclass
class TopicRow:
    name: str
    questions: int = 0
    covered: int = 0
    points: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.points) if self.points else 0


@dataclass
class ConfidenceRow:
    label: str
    questions: int = 0
    recalled: int = 0


@dataclass
class Report:
    interview: Interview
    score: int | None
    answered: int
    asked: int
    topics: list[TopicRow]
    steps: list[dict]
    follow_ups: list[dict]
    study_next: list[dict]
    total_overtime: int
    study_ids: list[int] = field(default_factory=list)
    # How sure the learner said they were against what they recalled (Hard or better);
    # only the levels they used, empty when they never said.
    confidence: list[ConfidenceRow] = field(default_factory=list)
    # Key points not ticked in the questions answered: with none, no follow-up was due.
    missed_points: int = 0


def build_report(interview: Interview) -> Report:
    coverage = _coverage(interview)
    steps = list(
        interview.steps.select_related("item__question__topic", "follow_up").order_by(
            "position", "sub"
        )
    )
    key_points: dict[int, list[str]] = {}
    for question_id, text in KeyPoint.objects.filter(
        question_id__in=[step.item.question_id for step in steps if step.is_follow_up]
    ).values_list("question_id", "text"):
        key_points.setdefault(question_id, []).append(text)
    topics: dict[str, TopicRow] = {}
    sure: dict[str, ConfidenceRow] = {}
    rows, follow_ups, study = [], [], []
    for step in steps:
        question = step.item.question
        row = {
            "step": step,
            "label": f"Follow-up to {step.position + 1}"
            if step.is_follow_up
            else str(step.position + 1),
            "taken": step.seconds_taken(),
            "grade": None,
            "confidence": "",
        }
        if step.is_follow_up:
            after = step.follow_up.after_missing
            points = key_points.get(question.pk, [])
            row["result"] = {True: "Covered", False: "Missed", None: "Not answered"}[step.covered]
            follow_ups.append(
                {
                    "step": step,
                    "missed_point": points[after - 1] if after and after <= len(points) else None,
                    "result": row["result"],
                }
            )
        elif question.pk in coverage:
            grade, covered, total, confidence = coverage[question.pk]
            topic = topics.setdefault(question.topic.name, TopicRow(question.topic.name))
            topic.questions += 1
            topic.covered += covered
            topic.points += total
            row["grade"] = Grade(grade).label
            if confidence:
                row["confidence"] = Confidence(confidence).label
                said = sure.setdefault(confidence, ConfidenceRow(row["confidence"]))
                said.questions += 1
                said.recalled += grade in RECALLED_GRADES
            row["result"] = f"{covered} of {total} key points"
            if grade == Grade.AGAIN or (total and covered / total < STUDY_BELOW):
                study.append({"question": question, "url": study_link(step), "why": row["result"]})
        else:
            row["result"] = "Not reached" if step.shown_at is None else "Not graded"
        rows.append(row)
    for entry in follow_ups:
        question = entry["step"].item.question
        if entry["step"].covered is False and all(s["question"] != question for s in study):
            study.append(
                {"question": question, "url": study_link(entry["step"]), "why": "Follow-up missed"}
            )
    study = study[:STUDY_NEXT_MAX]
    return Report(
        interview=interview,
        score=_score(coverage),
        answered=len(coverage),
        asked=interview.session.size,
        topics=sorted(topics.values(), key=lambda row: row.percent),
        steps=rows,
        follow_ups=follow_ups,
        study_next=study,
        total_overtime=sum(step.overtime_seconds for step in steps),
        study_ids=[entry["question"].pk for entry in study],
        confidence=[sure[level] for level in Confidence.values if level in sure],
        missed_points=sum(total - covered for _, covered, total, _ in coverage.values()),
    )
