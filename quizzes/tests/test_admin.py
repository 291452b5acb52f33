"""The question bank's admin for editors: adding and editing questions with their key points
and follow-ups, the changelist's statistics, filters and actions, topics, and who may use it."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse
from django.utils import formats, timezone

from quizzes.models import FollowUp, Grade, Question, Report, Status
from quizzes.tests.admin_forms import CHANGELIST, inline_management, question_form
from quizzes.tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    QuestionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def test_editor_adds_a_question_with_a_key_point(editor_client, editor):
    topic = TopicFactory()

    response = editor_client.post(
        reverse("admin:quizzes_question_add"), question_form(topic), follow=True
    )

    assert response.status_code == 200
    question = Question.objects.get(key="adam-bias-correction")
    assert list(question.key_points.values_list("text", flat=True)) == ["Moments start at zero"]
    assert question.created_by == editor
    assert question.updated_by == editor
    assert question.status == Status.DRAFT
    entry = LogEntry.objects.get(object_id=str(question.pk))
    assert entry.action_flag == ADDITION
    assert entry.user == editor


def test_a_question_needs_at_least_one_key_point(editor_client):
    topic = TopicFactory()
    data = question_form(topic, **{"key_points-0-text": ""})

    response = editor_client.post(reverse("admin:quizzes_question_add"), data)

    assert response.status_code == 200
    assert not Question.objects.exists()
    assert 'id="id_key_points-0-text_error"><li>This field is required.' in response.text


def test_editing_records_who_changed_it(editor_client, editor):
    question = QuestionFactory(key="edited", key_points=["First point"])
    point = question.key_points.get()
    data = question_form(
        question.topic,
        key="edited",
        prompt="A better prompt",
        **inline_management("key_points", 1, initial=1),
        **{"key_points-0-id": str(point.pk), "key_points-0-question": str(question.pk)},
    )

    response = editor_client.post(
        reverse("admin:quizzes_question_change", args=[question.pk]), data
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.prompt == "A better prompt"
    assert question.updated_by == editor
    entry = LogEntry.objects.get(object_id=str(question.pk), action_flag=CHANGE)
    assert entry.user == editor
    assert "Prompt" in entry.get_change_message()
    history = editor_client.get(reverse("admin:quizzes_question_history", args=[question.pk]))
    assert history.status_code == 200
    assert entry.get_change_message() in history.text


def test_the_list_says_when_a_question_changed_as_it_says_when_it_was_answered(
    editor_client, editor
):
    question = QuestionFactory(key="dated")
    Question.objects.filter(pk=question.pk).update(updated_by=editor)
    question.refresh_from_db()
    page = editor_client.get(CHANGELIST).text
    when = formats.localize(timezone.localtime(question.updated_at))
    assert f"{when} by {editor.get_username()}" in page
    assert f"{timezone.localtime(question.updated_at):%Y-%m-%d}" not in page


def test_change_page_shows_rendered_preview_statistics_and_history_link(editor_client):
    question = QuestionFactory(
        prompt="Compute $a_1 * b_2$\n\n```python\nx = 1\n```",
        answer="<script>alert(1)</script> **bold**",
    )
    AnswerFactory(question=question, grade=Grade.GOOD, seconds_to_reveal=40)
    AnswerFactory(question=question, grade=Grade.AGAIN, seconds_to_reveal=20)

    response = editor_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))

    assert response.status_code == 200
    html = response.text
    assert '<span class="math inline">a_1 * b_2</span>' in html
    assert '<span class="n">x</span>' in html
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "js/app.js" in html and "data-katex-js=" in html
    assert "css/code.css" in html
    assert reverse("admin:quizzes_question_history", args=[question.pk]) in html
    assert "50%" in html  # recall: one of two answers graded Hard or better
    assert "30 s" in html


def _answered_questions(count: int) -> None:
    session = PracticeSessionFactory()
    topic = TopicFactory()
    for i in range(count):
        question = QuestionFactory(topic=topic)
        AnswerFactory(session=session, question=question, grade=Grade.GOOD if i % 2 else 1)
        Report.objects.create(question=question, user=session.user, reason="unclear")


@pytest.mark.parametrize("count", [3, 30])
def test_changelist_queries_do_not_grow_with_questions(
    editor_client, django_assert_max_num_queries, count
):
    _answered_questions(count)
    editor_client.get(CHANGELIST)  # warm per-process caches (content types, permissions)

    # Session, user, editor's permissions, the page count, the total count, the page
    # itself with its statistics, the topic filter's choices: the same for 3 or 30.
    with django_assert_max_num_queries(9):
        response = editor_client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


def test_statistics_columns_are_right_and_sortable(editor_client):
    session = PracticeSessionFactory()
    struggling = QuestionFactory(key="struggling")
    easy = QuestionFactory(key="easy")
    QuestionFactory(key="unseen")
    now = timezone.now()
    AnswerFactory(session=session, question=struggling, grade=Grade.AGAIN, seconds_to_reveal=90)
    other = PracticeSessionFactory(user=session.user)
    AnswerFactory(session=other, question=struggling, grade=Grade.HARD, seconds_to_reveal=30)
    AnswerFactory(
        session=session,
        question=easy,
        grade=Grade.EASY,
        seconds_to_reveal=5,
        answered_at=now - timedelta(days=1),
    )

    response = editor_client.get(CHANGELIST)
    rows = {q.key: q for q in response.context["cl"].result_list}
    assert (rows["struggling"].times_answered, rows["struggling"].recall_rate) == (2, 0.5)
    assert rows["struggling"].avg_seconds_to_reveal == 60
    assert rows["easy"].recall_rate == 1.0
    assert rows["unseen"].recall_rate is None
    assert rows["unseen"].last_answered is None
    assert "50%" in response.text and "60 s" in response.text

    columns = response.context["cl"].list_display
    recall = str(columns.index("recall_rate"))
    by_recall = editor_client.get(CHANGELIST, {"o": recall})
    assert [q.key for q in by_recall.context["cl"].result_list] == ["struggling", "easy", "unseen"]
    answered = str(columns.index("times_answered"))
    by_answered = editor_client.get(CHANGELIST, {"o": f"-{answered}"})
    assert [q.key for q in by_answered.context["cl"].result_list][0] == "struggling"


def test_search_and_filters(editor_client):
    QuestionFactory(key="attention-scaling", prompt="Why scale by sqrt(d)?", tags="attention")
    QuestionFactory(key="dropout", prompt="What does dropout do?", status=Status.DRAFT)

    by_tag = editor_client.get(CHANGELIST, {"q": "attention"})
    drafts = editor_client.get(CHANGELIST, {"status__exact": "draft"})

    assert [q.key for q in by_tag.context["cl"].result_list] == ["attention-scaling"]
    assert [q.key for q in drafts.context["cl"].result_list] == ["dropout"]


def test_publish_and_unpublish_actions(editor_client, editor):
    drafts = [QuestionFactory(status=Status.DRAFT) for _ in range(2)]
    live = QuestionFactory(status=Status.PUBLISHED)
    ids = [str(q.pk) for q in [*drafts, live]]

    response = editor_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": ids}, follow=True
    )

    assert Question.objects.published().count() == 3
    assert "Published 2 questions. 1 already published." in response.text
    assert LogEntry.objects.filter(action_flag=CHANGE, user=editor).count() == 2
    assert Question.objects.get(pk=drafts[0].pk).updated_by == editor

    response = editor_client.post(
        CHANGELIST, {"action": "unpublish", "_selected_action": ids[:1]}, follow=True
    )

    assert "Unpublished 1 question." in response.text
    assert list(Question.objects.filter(status=Status.DRAFT)) == [drafts[0]]
    assert drafts[0] not in Question.objects.published()


def test_learner_cannot_use_the_admin(learner_client):
    response = learner_client.get(CHANGELIST)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/"])
def test_editor_cannot_manage_users_or_groups(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_editor_sees_only_the_question_bank(editor_client):
    response = editor_client.get(reverse("admin:index"))

    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models == {"Topic", "Question", "Report"}
    assert editor_client.get("/admin/quizzes/practicesession/").status_code == 404
    assert editor_client.get("/admin/quizzes/answer/").status_code == 404
    assert editor_client.get("/admin/quizzes/card/").status_code == 404


def test_topic_list_edits_order_and_prepopulates_slug(editor_client):
    topic = TopicFactory(name="Optimisation", slug="optimisation", order=5)

    response = editor_client.get(reverse("admin:quizzes_topic_changelist"))
    add = editor_client.get(reverse("admin:quizzes_topic_add"))

    assert 'name="form-0-order"' in response.text
    assert "prepopulated" in add.text
    topic.refresh_from_db()
    assert topic.order == 5


def test_editor_adds_follow_ups_to_a_question_with_a_key_point_number_it_has(editor_client):
    question = QuestionFactory(key="adam-bias-correction", key_points=["Moments start at zero"])
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = editor_client.get(url)
    assert "follow-up questions" in page.text.lower()
    point = question.key_points.first()
    data = question_form(
        question.topic,
        **{
            **inline_management("key_points", 1, initial=1),
            "key_points-0-id": str(point.pk),
            "key_points-0-question": str(question.pk),
            "key_points-0-text": point.text,
            **inline_management("follow_ups", 2),
            "follow_ups-0-order": "0",
            "follow_ups-0-after_missing": "1",
            "follow_ups-0-prompt": "Why zero?",
            "follow_ups-0-answer": "Because.",
            "follow_ups-1-order": "1",
            "follow_ups-1-after_missing": "2",
            "follow_ups-1-prompt": "And the second point?",
            "follow_ups-1-answer": "There is none.",
        },
    )
    refused = editor_client.post(url, data)

    assert refused.status_code == 200
    assert "This question has 1 key points" in refused.text
    assert not FollowUp.objects.exists()

    data["follow_ups-TOTAL_FORMS"] = "1"
    saved = editor_client.post(url, data)

    assert saved.status_code == 302
    assert list(question.follow_ups.values_list("after_missing", "prompt")) == [(1, "Why zero?")]
