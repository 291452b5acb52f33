"""prepsite.rows: hand-written statements' rows as the ORM's instances."""

import pytest

from prepsite.rows import Columns, split
from quizzes.models import Topic

TOPIC = Columns(Topic, "t", only=("slug", "name"))
VALUES = {"id": 7, "name": "Attention", "slug": "attention"}


def _row(values: dict) -> tuple:
    return tuple(values[name] for name in TOPIC.attnames)


def test_only_keeps_the_primary_key_and_the_columns_named():
    assert sorted(TOPIC.attnames) == ["id", "name", "slug"]


def test_split_makes_each_models_instance_and_none_for_a_missing_join():
    missing = dict.fromkeys(VALUES)
    topic, none = split(_row(VALUES) + _row(missing), TOPIC, TOPIC)
    assert (topic.pk, topic.slug, topic.name) == (7, "attention", "Attention")
    assert none is None


@pytest.mark.parametrize("width", [2, 4])
def test_a_row_of_another_width_is_refused(width):
    row = (_row(VALUES) + ("spare",))[:width]
    with pytest.raises(ValueError, match="columns where the models have 3"):
        split(row, TOPIC)
