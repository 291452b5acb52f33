"""The fixed values the quiz models' fields choose from.

They live apart from the models because several model modules use them (Status, Grade):
each imports this one rather than another model module.
"""

from django.db import models


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    # Out of new sessions for good, but kept: learners' answers and cards point at it.
    RETIRED = "retired", "Retired"


class Kind(models.TextChoices):
    RECALL = "recall", "Recall"
    # The learner types a number, checked against `expected` within `tolerance`.
    CALCULATION = "calculation", "Calculation"


class Mode(models.TextChoices):
    DUE = "due", "Due for review"
    NEW = "new", "New questions"
    WEAKEST = "weakest", "Weakest"
    RANDOM = "random", "Random"
    MISSED = "missed", "Missed questions"
    INTERVIEW = "interview", "Mock interview"
    MISSED_POINTS = "points", "Missed key points"
    LIBRARY = "library", "From the library"


class Confidence(models.TextChoices):
    # Said before revealing; the dashboard compares it with what was recalled.
    SURE = "sure", "Sure"
    UNSURE = "unsure", "Unsure"
    GUESSING = "guessing", "Guessing"


class Grade(models.IntegerChoices):
    # The same numbers as fsrs.Rating.
    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


RECALLED_GRADES = (Grade.HARD, Grade.GOOD, Grade.EASY)
