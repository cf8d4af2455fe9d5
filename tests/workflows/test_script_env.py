"""The restricted environment: unsafe code is rejected at validation and cannot run."""

from __future__ import annotations

import pytest

from workflows import ScriptContext, validate
from workflows.script_env import RestrictedEnvironment, ScriptRejected, check_source

from .test_definitions import minimal

UNSAFE = [
    ("import os", "import"),
    ("from os import path", "import"),
    ("x = open('/etc/passwd').read()", "open"),
    ("x = ().__class__.__mro__[1].__subclasses__()", "__class__"),
    ("x = __import__('os')", "__import__"),
    ("x = getattr(dossier, '__class__')", "getattr"),
    ("x = dossier.__class__", "__class__"),
    ("x = [c for c in ().__class__.__bases__]", "__class__"),
    ("x = unknown_name + 1", "unknown_name"),
    ("while True:\n    pass", "while"),
    ("x = 10 ** 10 ** 10", "**"),
    ("def f():\n    return 1", "fonctions"),
    ("x = lambda: 1", "lambda"),
    ("x = eval('1')", "eval"),
    ("x = exec", "exec"),
    ("x = globals()", "globals"),
    ("x = type(dossier)", "type"),
    ("x = 'a'.format", "format"),
]


@pytest.mark.parametrize(("src", "word"), UNSAFE)
def test_unsafe_script_rejected_by_validation(src, word):
    problems = validate(minimal(script=src))
    if word is None:
        assert problems == []
        return
    assert problems, src
    assert all(p.element_id == "script_1" for p in problems)
    assert problems[0].line is not None
    text = " ".join(p.message for p in problems)
    assert "refusé" in text and word in text


def env(**facts):
    calls = []
    return (
        RestrictedEnvironment(
            ScriptContext(facts, {"crediter_points": lambda *a: calls.append(a)})
        ),
        calls,
    )


@pytest.mark.parametrize(("src", "word"), UNSAFE)
def test_unsafe_script_cannot_run(src, word):
    e, _ = env()
    with pytest.raises((ScriptRejected, NotImplementedError, AttributeError)):
        e.execute(src, {})


def test_scripts_assign_plain_variables_and_call_actions():
    e, calls = env(conformite="conforme")
    data = {"decision": "valider", "motif": "ok"}
    e.execute(
        "n = len(motif) + 1\ncrediter_points(decision, motif)\netat = dossier['conformite']", data
    )
    assert data == {"decision": "valider", "motif": "ok", "n": 3, "etat": "conforme"}
    assert calls == [("valider", "ok")]
    assert "dossier" not in data and "crediter_points" not in data


def test_dossier_is_read_only():
    e, _ = env(conformite="non_conforme")
    with pytest.raises(Exception):  # noqa: B017 - any refusal is fine
        e.execute("dossier['conformite'] = 'conforme'", {})
    assert e.evaluate("dossier['conformite']", {}) == "non_conforme"
    with pytest.raises(ScriptRejected):
        e.execute("del dossier['conformite']", {})


def test_expressions():
    e, _ = env(echeance_timer=None, attestation_delivree=True)
    assert e.evaluate('dossier["echeance_timer"] is not None', {}) is False
    assert e.evaluate('dossier["attestation_delivree"]', {}) is True
    assert e.evaluate('decision == "valider"', {"decision": "valider"}) is True
    with pytest.raises(ScriptRejected):
        e.evaluate("__import__('os')", {})


def test_range_is_capped():
    e, _ = env()
    with pytest.raises(ValueError):
        e.execute("x = sum(range(1000 * 1000 * 100))", {})
    d = {}
    e.execute("x = sum(range(10))", d)
    assert d["x"] == 45


def test_task_data_cannot_shadow_reserved_names():
    e, _ = env()
    with pytest.raises(ValueError):
        e.execute("x = 1", {"dossier": {}})


def test_unknown_action_refused():
    with pytest.raises(ValueError):
        RestrictedEnvironment(ScriptContext({}, {"rm_rf": lambda: None}))


def test_check_source_messages_are_french():
    problems = check_source("import os\nx = y", "exec")
    assert problems == [(1, "« import » est interdit"), (2, "nom inconnu « y »")]
    assert check_source("", "eval") == [(None, "expression vide")]
    assert check_source("x = (", "exec")[0][1].startswith("erreur de syntaxe")


@pytest.mark.parametrize(("error", "said"), [
    ('Line 2: "_secret" is an invalid variable name because it starts with "_"',
     "nom commençant par « _ » interdit"),
    ("Line 1: Exec calls are not allowed.", "exec et eval interdits"),
    ("Line 3: Print statements are not allowed.", "print interdit"),
    ("Line 1: AsyncFunctionDef statements are not allowed.", "construction interdite"),
])
def test_restricted_python_errors_read_as_french_sentences(error, said):
    from workflows.script_env import _restricted_fr

    line, message = _restricted_fr(error)
    assert line == int(error.split()[1].rstrip(":"))
    assert message == f"refusé par l'environnement restreint : {said}"
    assert "(e)" not in message
