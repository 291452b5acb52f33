"""The practice card's hot read: a learner's session with its current and next items.

Every grade and every question page starts with it. It is one statement, written once from
the models' fields, and its rows become model instances as the ORM makes them (Model.from_db
after the backend's converters): compiling this four-table join through the ORM on each
request cost more CPU than the rest of the read (issue #22).
"""

from django.db import connection

from quizzes.models import PracticeSession, Question, SessionItem, Topic

# The models of one row, in column order. The question's search vector is never shown.
_MODELS = (SessionItem, PracticeSession, Question, Topic)
_FIELDS = {
    model: [field for field in model._meta.concrete_fields if field.column != "search_vector"]
    for model in _MODELS
}
_ALIASES = {SessionItem: "i", PracticeSession: "s", Question: "q", Topic: "t"}
_converters: dict[str, list] = {}
_statements: dict[str, str] = {}


def _sql() -> str:
    if connection.vendor not in _statements:
        _statements[connection.vendor] = _build_sql()
    return _statements[connection.vendor]


def _build_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{_ALIASES[model]}.{quote(field.column)}" for model in _MODELS for field in _FIELDS[model]
    )
    return (
        f"SELECT {columns} FROM {SessionItem._meta.db_table} i "
        f"JOIN {PracticeSession._meta.db_table} s ON s.id = i.session_id "
        f"JOIN {Question._meta.db_table} q ON q.id = i.question_id "
        f"JOIN {Topic._meta.db_table} t ON t.id = q.topic_id "
        "WHERE i.session_id = %s AND s.user_id = %s "
        "AND i.position >= s.answered AND i.position <= s.answered + 1 "
        "ORDER BY i.position"
    )


def _column_converters() -> list:
    """Per column, what the ORM would apply to it (UUIDs, dates and JSON on SQLite...)."""
    if connection.vendor not in _converters:
        converters = []
        for model in _MODELS:
            for field in _FIELDS[model]:
                column = field.get_col(model._meta.db_table)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                converters.append((found, column))
        _converters[connection.vendor] = converters
    return _converters[connection.vendor]


def current_and_next(*, session_id, user) -> tuple[PracticeSession | None, dict[int, SessionItem]]:
    """The user's session `session_id` and its items at the current position and the one
    after, by position, each with its question and topic, in one query. (None, {}) when the
    session is not theirs, or has no current item (it is finished): ask for it alone then."""
    pk = PracticeSession._meta.pk.get_db_prep_value(session_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [pk, user.pk])
        rows = cursor.fetchall()
    if not rows:
        return None, {}
    converters = _column_converters()
    session, items = None, {}
    for row in rows:
        values = [
            _convert(value, *converter) for value, converter in zip(row, converters, strict=True)
        ]
        instances = {}
        start = 0
        for model in _MODELS:
            fields = _FIELDS[model]
            instances[model] = model.from_db(
                connection.alias,
                [field.attname for field in fields],
                values[start : start + len(fields)],
            )
            start += len(fields)
        item, question = instances[SessionItem], instances[Question]
        session = session or instances[PracticeSession]  # one object for both rows
        question.topic = instances[Topic]
        item.question = question
        item.session = session
        items[item.position] = item
    return session, items


def _convert(value, converters, column):
    for converter in converters:
        value = converter(value, column, connection)
    return value
