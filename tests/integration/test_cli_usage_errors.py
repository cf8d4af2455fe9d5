"""Usage errors of the command line: checked before anything runs, exit code 2 (as click does
for usage errors), said in French."""

from __future__ import annotations

import pytest


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.mark.parametrize("command", [["timers", "run"], ["outbox", "run"]])
@pytest.mark.parametrize("args", [
    ["--interval", "-1"], ["--interval", "0"], ["--interval", "nan"], ["--interval", "inf"],
    ["--interval", "abc"], ["--interval", "86401"],
    # with --loop, -1 reached time.sleep (ValueError); a value the fix lets through would loop
    # for ever, hence only values that failed at once before it
    ["--loop", "--interval", "-1"], ["--loop", "--interval", "nan"]])
def test_a_bad_interval_is_a_usage_error_before_any_pass(runner, command, args):
    result = runner.invoke(args=[*command, *args])
    interval = args[-1]
    assert result.exit_code == 2, result.output
    assert f"« {interval} » n'est pas un nombre de secondes valable" in result.output
    assert "minuteur(s) déclenché(s)" not in result.output and "envoi(s)" not in result.output


def test_a_sensible_interval_is_accepted(runner):
    result = runner.invoke(args=["timers", "run", "--interval", "0,5"])
    assert result.exit_code == 0, result.output
    assert "0 minuteur(s) déclenché(s)" in result.output


@pytest.mark.parametrize("draft", ["0", "-3", "99999999999", "un"])
def test_a_draft_number_out_of_range_is_a_usage_error(runner, draft):
    result = runner.invoke(args=["processes", "test", "--draft", draft])
    assert result.exit_code == 2, result.output
    assert f"« {draft} » n'est pas un numéro valable" in result.output


# ---- click's own usage errors, in French (web/cli_french.py) ------------------------------------

@pytest.mark.parametrize("args, said", [
    (["users", "create", "qa", "--role", "chef", "--password-stdin"],
     "Erreur : valeur invalide pour '--role' : « chef » n'est pas l'une des valeurs 'agent', "
     "'designer', 'centre', 'admin'."),
    (["users", "create"], "Erreur : argument manquant 'USERNAME'."),
    (["users", "create", "qa"], "Erreur : option manquante '--role'."),
    (["processes", "test", "/absent/stage.bpmn"],
     "Erreur : valeur invalide pour '[FILE]' : Fichier « /absent/stage.bpmn » introuvable."),
    (["users", "create", "qa", "--role"], "Erreur : l'option « --role » attend une valeur."),
    (["users", "crate"], "Erreur : commande inconnue : « crate »."),
    (["users", "create", "qa", "--rol", "agent"], "Erreur : option inconnue : « --rol »."),
    (["timers", "run", "en-trop"], "Erreur : argument en trop : en-trop"),
])
def test_click_usage_errors_are_french(runner, args, said):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert said in result.output
    for english in ("Error:", "Usage:", "Try '", "Invalid value", "Missing", "does not exist",
                    "No such"):
        assert english not in result.output


def test_the_help_pages_speak_french(runner):
    result = runner.invoke(args=["users", "create", "--help"])
    assert result.exit_code == 0
    assert "Usage : " in result.output and "[obligatoire]" in result.output
    assert "Afficher cette aide et quitter." in result.output
