"""
The editors' admin: topics, questions with their key points, statistics and
learners' reports, and import/export of the bank (quizzes/bank/).

Practice sessions, answers and cards are learners' private data and are not
registered here. Every change made through the admin, including bulk actions
and imports, is a django-reversion revision: each topic's and question's History
lists who changed what and when, compares two versions and reverts to one.

This package splits it by feature: topics, questions (with their inlines), reports,
the History diff and the bank's import and export. Importing the modules registers
their ModelAdmins with the admin site.
"""

from quizzes.admin import questions, reports, topics

__all__ = ["questions", "reports", "topics"]
