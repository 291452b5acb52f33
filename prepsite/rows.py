"""Hand-written statements' rows, read and written as the ORM would.

The hottest statements (the practice card's read, quizzes.cards; the grade's,
quizzes.grade_sql; the logged-in user's, accounts.backends) are written out once from the
models' fields: compiling them through the ORM on every request cost more CPU than running
them (issue #22). These helpers keep them faithful to the models: columns
come from `_meta`, values read go through the backend's converters and `Model.from_db`,
and values written through each field's `get_db_prep_save`.
"""

from functools import cache

from django.db import connection
from django.db.models import Model


class Columns:
    """A model's concrete columns under a table alias, for a SELECT list."""

    def __init__(
        self,
        model: type[Model],
        alias: str,
        *,
        exclude: tuple[str, ...] = (),
        only: tuple[str, ...] = (),
    ):
        """`only`: these columns and the primary key (the instances defer the rest)."""
        self.model = model
        self.alias = alias
        pk = model._meta.pk.column
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if f.column not in exclude and (not only or f.column in only or f.column == pk)
        ]
        if unknown := set(only) - {f.column for f in self.fields}:
            raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
        self.attnames = [field.attname for field in self.fields]
        self._pk_index = self.attnames.index(model._meta.pk.attname)
        self._converters: dict[str, list] = {}

    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def converters(self) -> list[tuple[int, list, object]]:
        """What the ORM would apply to each column that needs it (UUIDs, dates and JSON on
        SQLite...), by position: on PostgreSQL most columns need nothing."""
        if connection.vendor not in self._converters:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if converters:
                    found.append((index, converters, column))
            self._converters[connection.vendor] = found
        return self._converters[connection.vendor]

    def instance(self, values) -> Model | None:
        """The model instance of these columns of a row (None: a LEFT JOIN found no row)."""
        if values[self._pk_index] is None:
            return None
        values = list(values)
        for index, converters, column in self.converters():
            value = values[index]
            for converter in converters:
                value = converter(value, column, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.attnames, values)


def split(row, *columns: Columns) -> list[Model | None]:
    """One row of `SELECT a.sql(), b.sql(), ...` as the instances of each."""
    width = sum(len(part.fields) for part in columns)
    if len(row) != width:
        # A SELECT list and its Columns out of step would fill the wrong fields silently.
        raise ValueError(f"The row has {len(row)} columns where the models have {width}")
    instances, start = [], 0
    for part in columns:
        end = start + len(part.fields)
        instances.append(part.instance(row[start:end]))
        start = end
    return instances


def insert(
    obj: Model,
    *,
    returning_pk: bool = False,
    source: str = "",
    expressions: tuple[tuple[str, str], ...] = (),
) -> tuple[str, list]:
    """`INSERT INTO` the instance's table with every concrete field (an auto primary key
    is left to the database), as SQL and parameters to use as a statement or a CTE.

    `source`: a CTE's name; the row is then inserted once per row of it, so not at all
    when it has none (`INSERT ... SELECT ... FROM source`).
    `expressions`: (field name, SQL) pairs, for a column whose value the statement works
    out from the instance's, which the SQL takes as its one `%s`."""
    sql, fields = _insert_sql(type(obj), connection.vendor, returning_pk, source, expressions)
    return sql, [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


def update(obj: Model, names: tuple[str, ...], *, source: str = "") -> tuple[str, list]:
    """`UPDATE` the instance's row (by primary key) setting the fields `names` to its
    values, as SQL and parameters to use as a statement or a CTE.

    `source`: a CTE's name; the row is then updated only when it has a row."""
    sql, fields = _update_sql(type(obj), connection.vendor, names, source)
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in fields]
    return sql, [*params, obj._meta.pk.get_db_prep_save(obj.pk, connection)]


# The statements' text depends only on the model (and the backend's quoting): written once.
@cache
def _insert_sql(
    model: type[Model], vendor: str, returning_pk: bool, source: str, expressions: tuple
) -> tuple[str, list]:
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.auto_created)]
    quote = connection.ops.quote_name
    given = dict(expressions)
    if unknown := given.keys() - {f.name for f in fields}:
        raise ValueError(f"{model.__name__} has no field to insert named {sorted(unknown)}")
    if wrong := [name for name, sql in given.items() if sql.count("%s") != 1]:
        raise ValueError(f"Each expression takes its field's value as one %s: {wrong}")
    values = ", ".join(given.get(f.name, "%s") for f in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) " + (
        f"SELECT {values} FROM {source}" if source else f"VALUES ({values})"
    )
    if returning_pk:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, fields


@cache
def _update_sql(
    model: type[Model], vendor: str, names: tuple[str, ...], source: str
) -> tuple[str, list]:
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    if source:
        sql += f" AND EXISTS (SELECT 1 FROM {source})"
    return sql, fields
