"""
The quiz app's models, split by subject: the values fields choose from (`choices`), the
question bank (`questions`: topics, questions, key points, follow-ups), learners' reports
on questions (`reports`), practice sessions with their items and answers (`practice`), and
what each learner keeps per question (`cards`: FSRS cards, key-point memories, marks).

Every public name is re-exported here: import them from `quizzes.models`. Foreign keys
across modules are "quizzes.Model" strings, and the only model module another imports is
`reports` (by `questions`, for the open-report count), so there is no import cycle.
"""

from quizzes.models.cards import (
    CARD_STATE_FIELDS,
    LEECH_LAPSES,
    Card,
    CardQuerySet,
    KeyPointMemory,
    UserQuestion,
)
from quizzes.models.choices import (
    RECALLED_GRADES,
    Confidence,
    Difficulty,
    Grade,
    Kind,
    Mode,
    Status,
)
from quizzes.models.practice import (
    Answer,
    PracticeSession,
    PracticeSessionQuerySet,
    SessionItem,
)
from quizzes.models.questions import (
    ALIAS_LENGTH,
    KEY_VALIDATOR,
    MAX_ALIASES,
    MAX_KEY_POINTS,
    MAX_TEXT_LENGTH,
    MAX_TOLERANCE,
    RENDER_CACHE_SECONDS,
    RENDER_VERSION,
    RENDERED_IN_PROCESS,
    FollowUp,
    KeyPoint,
    Question,
    QuestionQuerySet,
    Topic,
    TopicQuerySet,
    calculation_errors,
    split_aliases,
)
from quizzes.models.reports import Report

__all__ = [
    "CARD_STATE_FIELDS",
    "ALIAS_LENGTH",
    "KEY_VALIDATOR",
    "LEECH_LAPSES",
    "MAX_ALIASES",
    "MAX_KEY_POINTS",
    "MAX_TEXT_LENGTH",
    "MAX_TOLERANCE",
    "RECALLED_GRADES",
    "RENDERED_IN_PROCESS",
    "RENDER_CACHE_SECONDS",
    "RENDER_VERSION",
    "Answer",
    "Card",
    "CardQuerySet",
    "Confidence",
    "Difficulty",
    "FollowUp",
    "Grade",
    "KeyPoint",
    "KeyPointMemory",
    "Kind",
    "Mode",
    "PracticeSession",
    "PracticeSessionQuerySet",
    "Question",
    "QuestionQuerySet",
    "Report",
    "SessionItem",
    "Status",
    "Topic",
    "TopicQuerySet",
    "UserQuestion",
    "calculation_errors",
    "split_aliases",
]
