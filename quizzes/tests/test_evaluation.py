"""`make eval` (manage.py evaluate_matcher) on a small labelled fixture of its own."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

FIXTURE = Path(__file__).resolve().parent / "eval_fixture"
BANK = str(FIXTURE / "bank.yaml")
ANSWERS = str(FIXTURE / "answers.yaml")


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("evaluate_matcher", *args, "--bank", BANK, stdout=out)
    return out.getvalue()


def _row(output: str, name: str) -> list[str]:
    return next(line.split()[1:] for line in output.splitlines() if line.startswith(name + " "))


def test_held_out_figures_per_difficulty_and_overall():
    output = _run(ANSWERS)
    assert "6 answers over 3 questions" in output
    # easy: 3 right suggestions, none wrong, 1 labelled point missed.
    assert _row(output, "easy") == ["3", "1.00", "0.75", "0.86"]
    # medium: the misspelt answer is labelled as covering nothing; the matcher suggests one.
    assert _row(output, "medium") == ["2", "0.50", "1.00", "0.67"]
    assert _row(output, "hard") == ["1", "1.00", "1.00", "1.00"]
    # 6 right, 1 wrong, 1 missed.
    assert _row(output, "overall") == ["6", "0.86", "0.86", "0.86"]
    assert _row(output, "wrong") == ["1", "—", "—", "—"]
    assert "recall >= 0.70: met." in output


def test_the_tune_answers_are_left_out_unless_asked_for():
    output = _run(ANSWERS, "--split", "all")
    assert "7 answers over 3 questions" in output
    # The tune answer adds one wrong suggestion: 6 of 8 right.
    assert _row(output, "overall") == ["7", "0.75", "0.86", "0.80"]
    assert "NOT met" in output
    assert _row(_run(ANSWERS, "--split", "tune"), "overall") == ["1", "0.00", "—", "—"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": "brilliant"}, "field 'level' must be one of good, partial"),
        ({"split": "test"}, "field 'split' must be one of tune, held_out"),
        ({"covers": [3]}, "field 'covers' must list key point numbers from 1 to 2"),
        ({"covers": "1"}, "field 'covers' must list key point numbers"),
        ({"answer": " "}, "field 'answer' must be non-empty text"),
        ({"question": "fixture-draft"}, "no published question 'fixture-draft'"),
        ({"question": "nope"}, "no published question 'nope'"),
    ],
)
def test_bad_labels_are_refused_with_where_they_are(tmp_path, change, message):
    data = yaml.safe_load(Path(ANSWERS).read_text())
    data["answers"][1].update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CommandError) as raised:
        _run(str(path))
    assert "bad.yaml: answer 2: " + message in str(raised.value)


def test_a_file_of_another_format_is_refused(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(Path(BANK).read_text())
    with pytest.raises(CommandError, match="must be 'prepsite-keypoint-eval'"):
        _run(str(path))


def test_no_labelled_answers_is_an_error(tmp_path):
    (tmp_path / "empty.yaml").write_text(
        "format: prepsite-keypoint-eval\nversion: 1\nanswers: []\n"
    )
    with pytest.raises(CommandError, match="No labelled answers"):
        _run(str(tmp_path))
