"""Shared by the library tests: the htmx header, a question's addresses, and a question
answered and graded from the library as a learner would."""

from django.urls import reverse

from quizzes import services
from quizzes.models import Mode

HTMX = {"HTTP_HX_REQUEST": "true"}


def question_url(question, suffix=""):
    name = f"library_{suffix}" if suffix else "library_question"
    return reverse(name, args=[question.topic.slug, question.key])


def grade_in_library(user, question, grade, *, typed=""):
    session = services.start_session(
        user=user, mode=Mode.LIBRARY, size=1, question_ids=[question.pk]
    ).session
    item = session.items.get()
    services.reveal(item=item, typed_answer=typed)
    services.record_grade(session=session, item=item, grade=grade, key_point_ids=[])
    return session
