from django.urls import path

from quizzes import views

urlpatterns = [
    path("practice/", views.practice_start, name="practice_start"),
]
