"""The mock interview's addresses: start, the interview page and its steps, end, report,
practise the missed questions."""

from django.urls import path

from interviews import views

urlpatterns = [
    path("interview/", views.interview_start, name="interview_start"),
    path("interview/<uuid:interview_id>/", views.interview_detail, name="interview_detail"),
    path("interview/<uuid:interview_id>/reveal/", views.reveal, name="interview_reveal"),
    path("interview/<uuid:interview_id>/grade/", views.grade, name="interview_grade"),
    path("interview/<uuid:interview_id>/follow-up/", views.follow_up, name="interview_follow_up"),
    path("interview/<uuid:interview_id>/end/", views.end, name="interview_end"),
    path("interview/<uuid:interview_id>/report/", views.report, name="interview_report"),
    path("interview/<uuid:interview_id>/practise/", views.practise, name="interview_practise"),
]
