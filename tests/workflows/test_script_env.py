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


# ---- bounds (issue 12, item 4): the guards and the step budget -------------------------------

@pytest.mark.parametrize("src", [
    "x = 'a' * 100001",
    "x = 100001 * 'a'",
    "x = [0] * 100001",
    "x = (0,) * 100001",
    "x = 'a' * 60000 + 'b' * 60000",
    "x = [0] * 60000\nx += x",
    "x = 'ab' * 30000\nx *= 2",
    "x = 1 << 5000",
    "x = 1 << 4000\nx <<= 200",
    "x = 999999 * 999999\nfor i in range(300):\n    x = x * x",
    "x = ' '.join(['a' * 60000, 'b' * 60000])",
    "x = ('a' * 1000).replace('a', 'a' * 101)",
    "x = 'a'.ljust(1000000)",
    "x = 'a'.zfill(1000000)",
    "x = [0] * 60000\nx.extend([1] * 60000)",
    ("x = {i: i for i in range(10000)}\nfor j in range(11):\n"
     "    x.update({i + j * 10000: 0 for i in range(10000)})"),
    "x = sum([[1], [2]], [])",
    "l = [0] * 100000\nx = str([l, l])",
    "l = [0] * 100000\nx = f'{[l, l]}'",
])
def test_a_value_larger_than_the_bounds_is_refused_before_it_is_built(src):
    from workflows.script_env import LimitExceeded

    e, _ = env()
    with pytest.raises(LimitExceeded):
        e.execute(src, {})


@pytest.mark.parametrize("src", [
    "l = [1]\nfor i in l:\n    l.append(i)",
    "n = 0\nfor i in range(10000):\n    for j in range(10000):\n        n += 1",
    "x = [1 for i in range(10000) for j in range(10000)]",
    "x = {i: j for i in range(10000) for j in range(10000)}",
])
def test_a_loop_is_stopped_by_the_step_budget(src):
    from workflows.script_env import LIMITS, LimitExceeded

    e, _ = env()
    with pytest.raises(LimitExceeded, match=f"limite {LIMITS.steps} étapes"):
        e.execute(src, {})


def test_the_wall_clock_stops_slow_lines_and_actions_are_not_counted(monkeypatch):
    import time as time_module

    from workflows import script_env
    from workflows.script_env import LimitExceeded

    monkeypatch.setattr(script_env, "LIMITS", script_env.Limits(seconds=0.2, memory_every=1))
    e, _ = env()
    with pytest.raises(LimitExceeded, match="temps de calcul dépassé"):
        e.execute("l = list(range(10000))\nfor i in range(10000):\n    x = sorted(l)", {})

    slow = RestrictedEnvironment(ScriptContext({}, {"crediter_points":
                                                    lambda *a: time_module.sleep(0.3)}))
    slow.execute("crediter_points()\nx = 1\ny = 2", {})  # 0.3 s in the action: not counted


def test_resident_memory_growth_is_a_backstop(monkeypatch):
    from workflows import script_env
    from workflows.script_env import LimitExceeded

    monkeypatch.setattr(script_env, "LIMITS", script_env.Limits(memory_bytes=32 * 1024**2,
                                                                memory_every=8))
    e, _ = env()
    with pytest.raises(LimitExceeded, match="mémoire dépassée"):
        e.execute("x = []\nfor i in range(10000):\n    x.append([i] * 50000)", {})


def test_the_budget_leaves_a_tracer_alone():
    """Steps are counted by the compiled code, not by sys.settrace: a debugger's or coverage's
    tracer stays in place, and the action functions run untraced."""
    import sys

    def mine(frame, event, arg):
        return None

    e, _ = env()
    sys.settrace(mine)
    try:
        e.execute("x = 1", {})
        with pytest.raises(Exception):  # noqa: B017
            e.execute("l = [1]\nfor i in l:\n    l.append(i)", {})
        assert sys.gettrace() is mine
    finally:
        sys.settrace(None)


@pytest.mark.parametrize(("src", "word"), [
    ("x = 'a'.format_map({})", "format_map"),
    ("x = [].__len__", "__len__"),
    ("x = 'a'.encode()", "encode"),
    ("x = dossier.copy()", "copy"),
    ("x = 'a%s' % 1", "%"),
    ("x = f'{1:{2}}'", "calculé"),
    ("x = f'{1:09999d}'", "largeur"),
    ("x = list(i for i in [1])", "génératrices"),
    ("x = [1]\nx.attr = 1", "modifier"),
    ("x = max([[1]], key=str)", "str"),
    ("f = str", "str"),
])
def test_the_static_check_refuses_what_the_guards_would(src, word):
    problems = check_source(src, "exec")
    assert problems and word in " ".join(m for _, m in problems), problems


def test_the_guards_refuse_at_run_time_what_was_not_visible():
    from workflows.script_env import LimitExceeded

    e, _ = env()
    with pytest.raises(ScriptRejected, match="encode"):
        e.execute("x = 'a'\ny = [x]\nz = y.encode", {})  # no list.encode: allowlist per type
    with pytest.raises(LimitExceeded, match="%"):
        e.execute("x = 'a%s'\ny = x % 1", {})


def test_allowed_methods_still_work():
    e, _ = env(conformite="conforme")
    d = {"motif": " Retard "}
    e.execute(
        "a = dossier.get('conformite').upper()\nb = motif.strip().lower()\n"
        "c = ', '.join(sorted(['b', 'a']))\nl = [1]\nl.extend([2, 3])\nl.append(4)\n"
        "s = {1}\ns.add(2)\nm = {'a': 1}\nm.update({'b': 2})\nn = 6 * 7 + (1 << 3) % 5\n"
        "t = f'{n:>5}|{b}'\nu = sum([1.5, 2])\nv = 'x'.ljust(3, '.')\n"
        "w = isinstance(b, str) and isinstance(n, (int, str)) and str(n) == '45'",
        d,
    )
    assert (d["a"], d["b"], d["c"], d["l"], d["s"], d["m"], d["n"], d["t"], d["u"], d["v"],
            d["w"]) == ("CONFORME", "retard", "a, b", [1, 2, 3, 4], {1, 2}, {"a": 1, "b": 2}, 45,
                        "   45|retard", 3.5, "x..", True)


def test_action_calls_cost_steps():
    from workflows.script_env import ACTION_STEPS, LIMITS, LimitExceeded

    e, calls = env()
    with pytest.raises(LimitExceeded, match="étapes"):
        e.execute("for i in range(10000):\n    crediter_points()", {})
    assert LIMITS.steps // (ACTION_STEPS + 10) <= len(calls) <= LIMITS.steps // ACTION_STEPS
