"""The clerks' day's pure parts (bench/clerks_profile.py): the mix is the day the issue
describes, and an answer is judged as the report counts it."""

from __future__ import annotations

import pytest

from bench import clerks_profile as profile
from services.bundles import shipped_contract_schema as form_schema
from workflows.contract import TASK_TITLES


def test_the_mix_is_four_fifths_reads_in_percent():
    assert sum(profile.MIX.values()) == 100
    assert profile.read_share() == pytest.approx(0.80)
    assert not set(profile.READS) & set(profile.COMMANDS)


def test_the_think_time_is_a_range_of_seconds():
    low, high = profile.THINK_SECONDS
    assert 0 < low < high


@pytest.mark.parametrize(("name", "status", "verdict"), [
    ("read: tasks", 200, "ok"),
    ("read: case", 404, "failure"),           # the profile only opens cases that exist
    ("read: dashboard (HTML)", 302, "failure"),  # sent to the login page: not a read
    ("read: tasks", 409, "failure"),          # a read is never told of a conflict
    ("command: claim", 200, "ok"),
    ("command: claim", 409, "conflict"),      # another clerk took the task first
    ("command: complete", 409, "conflict"),   # ... or completed it
    ("command: attendance", 409, "conflict"),
    ("command: claim", 500, "failure"),
    ("command: complete", 422, "failure"),    # the form's data is the profile's own
    ("command: creation licence", 201, "ok"),
    ("command: creation licence", 200, "failure"),  # a creation answers 201 (API.md)
    ("command: creation case", 409, "failure"),     # a new licence number never exists
])
def test_each_answer_is_judged(name, status, verdict):
    assert profile.classify(name, status) == verdict


def test_a_request_name_says_its_kind():
    assert profile.kind("read: search") == "read"
    assert profile.kind("command: enrollment") == "command"
    with pytest.raises(ValueError):
        profile.kind("GET /tasks")


@pytest.mark.parametrize("key", sorted(TASK_TITLES))
def test_the_completion_data_matches_each_contract_form(key):
    import jsonschema

    jsonschema.Draft202012Validator(form_schema(key)).validate(profile.completion_data(key))
