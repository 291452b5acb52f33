"""
Loading bank files: every file read and checked first, then written in one transaction
and one revision (the writes are `write`), every editor's change kept unless the caller
says to overwrite it.

Each topic and question remembers the content hash of what was last loaded into it
(`imported_hash`). A load updates only those whose current content still has that hash;
one that differs was edited (in the admin, by a revert, a bulk action) and is kept.
"""

from collections.abc import Callable, Iterable

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quizzes.bank.errors import Errors
from quizzes.bank.files import Source, expand, read
from quizzes.bank.summary import Summary
from quizzes.bank.validate import validate, validate_follow_ups
from quizzes.bank.write import write_follow_ups, write_questions, write_topics
from quizzes.models import Question


def load_bank(
    sources: Source | Iterable[Source],
    *,
    progress: Callable[[int, int], None] | None = None,
    user=None,
    overwrite: Iterable[str] = (),
    comment: str = "Loaded from the question bank files.",
) -> Summary:
    """
    Load bank files (paths, folders of .yaml/.yml/.json files, or open files with a
    name) and create or update their topics and questions, matched on slug and key.

    A topic or question edited since it was last loaded is kept and listed in
    `Summary.kept`, unless its key (or a topic's slug) is in `overwrite`.

    Raises ValidationError naming the file, line, record and field of every problem
    before anything is written. `progress(done, total)` is called every
    write.PROGRESS_EVERY questions; `user` is recorded as creator/updater and as the
    revision's author.
    """
    errors = Errors()
    documents = [document for s in expand(sources, errors) if (document := read(s, errors))]
    overwrite = set(overwrite)
    summary = Summary(files=len(documents))
    with transaction.atomic():
        topics, questions = validate(documents, errors)
        follow_ups = validate_follow_ups(documents, questions, errors)
        known = set(topics) | {question.key for question in questions}
        for name in sorted(overwrite - known):
            errors.add("--overwrite", f"no question key or topic slug {name!r} in these files.")
        errors.raise_if_any()
        changed_objects: list = []
        try:
            # Already inside the load's transaction: no savepoint of its own.
            with reversion.create_revision(atomic=False):
                written = write_topics(topics, summary, overwrite, changed_objects)
                write_questions(
                    questions,
                    written,
                    summary,
                    user=user,
                    overwrite=overwrite,
                    changed_objects=changed_objects,
                    progress=progress,
                )
                follow_up_questions: set[int] = set()
                write_follow_ups(follow_ups, summary, follow_up_questions)
                # A question's revision holds its follow-ups (it follows them).
                known_ids = {obj.pk for obj in changed_objects if isinstance(obj, Question)}
                changed_objects += Question.objects.filter(pk__in=follow_up_questions - known_ids)
                # Bulk writes send no signals: each changed object joins the revision
                # (a question with its key points) so its History shows the load.
                for obj in changed_objects:
                    reversion.add_to_revision(obj)
                reversion.set_user(user)
                reversion.set_comment(comment)
        except IntegrityError as exc:
            # Validation should make this unreachable; a race with an editor is not.
            raise ValidationError(f"The bank could not be written: {exc}") from None
    return summary
