"""
The question bank's files (the format is docs/question-format.md): reading them safely
(`files`), checking every record against the models' limits (`fields`) and the files as a
whole (`validate`) into records (`records`), loading them without overwriting editors'
work (`load`, which writes through `write`) and exporting the bank (`export`); `forms`
are the admin import's upload and overwrite steps.

`load_bank` reads and checks every file before it writes anything; only when all of
them are good does it write, in one transaction. A bad file therefore changes nothing,
and loading the same bank twice is a no-op.
"""

from quizzes.bank.export import bank_data, export_bank, serialise
from quizzes.bank.files import MAX_FILE_BYTES, SUFFIXES, file_format
from quizzes.bank.load import load_bank
from quizzes.bank.records import content_hash
from quizzes.bank.summary import Kept, Summary, kept_bank
from quizzes.bank.validate import MAX_QUESTIONS
from quizzes.bank.write import sync_key_points

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_QUESTIONS",
    "SUFFIXES",
    "Kept",
    "Summary",
    "bank_data",
    "content_hash",
    "export_bank",
    "file_format",
    "kept_bank",
    "load_bank",
    "serialise",
    "sync_key_points",
]
