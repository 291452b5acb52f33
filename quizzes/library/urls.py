"""The library's addresses: the list, a topic's page, a question's page and the learner's
actions on it."""

from django.urls import path

from quizzes.library import views

question = "<slug:topic_slug>/<slug:question_key>/"

urlpatterns = [
    path("", views.library, name="library"),
    # Before the topic pages, so no topic slug can shadow it.
    path("practise/", views.practise_these, name="library_practise"),
    path("<slug:topic_slug>/", views.library, name="library_topic"),
    path(question, views.question_detail, name="library_question"),
    path(f"{question}bookmark/", views.bookmark, name="library_bookmark"),
    path(f"{question}suspend/", views.suspend, name="library_suspend"),
    path(f"{question}note/", views.save_note, name="library_note"),
    path(f"{question}reset/", views.reset, name="library_reset"),
    path(f"{question}practise/", views.practise_question, name="library_practise_question"),
]
