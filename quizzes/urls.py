from django.urls import path

from quizzes import views

urlpatterns = [
    path("practice/", views.practice_start, name="practice_start"),
    path("practice/<uuid:session_id>/", views.session_detail, name="practice_session"),
    path("practice/<uuid:session_id>/reveal/", views.reveal, name="practice_reveal"),
    path("practice/<uuid:session_id>/grade/", views.grade, name="practice_grade"),
    path("practice/<uuid:session_id>/undo/", views.undo_grade, name="practice_undo"),
    path("practice/<uuid:session_id>/missed/", views.practice_missed, name="practice_missed"),
    path("practice/<uuid:session_id>/abandon/", views.abandon, name="practice_abandon"),
    path(
        "practice/<uuid:session_id>/questions/<int:position>/",
        views.review_question,
        name="practice_review_question",
    ),
    path(
        "practice/<uuid:session_id>/questions/<int:position>/report/",
        views.report_question,
        name="practice_report",
    ),
]
