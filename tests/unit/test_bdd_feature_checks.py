"""The analysts' mistakes said in French (tests/bdd/controle_fonctionnalites.py, the
step-not-found hook of tests/bdd/conftest.py): a QA pass found that a misspelled step left its
scenario « réussi » in the report, that `Scenario:` without its accent silently skipped a
scenario, and that one unreadable file stopped every scenario."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytest_bdd.parser import Step

from services.design.sandbox import parse_cucumber
from tests.bdd.controle_fonctionnalites import problems, readable
from tests.bdd.outils import etape_introuvable

ROOT = Path(__file__).resolve().parents[2]
HEAD = "# language: fr\nFonctionnalité: Essai\n\n"
CONTEXT = "un permis probatoire obtenu le 01/09/2025 avec 3 points"


def _file(tmp_path, body: str, name: str = "essai.feature") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_good_file_has_no_problem(tmp_path):
    path = _file(tmp_path, HEAD + f"  Scénario: Bon\n    Étant donné {CONTEXT}\n")
    assert problems(path) == [] and readable([path]) == [str(path)]


def test_an_unaccented_or_english_keyword_is_named_with_its_line(tmp_path):
    path = _file(tmp_path, HEAD + f"  Scenario: Sans accent\n    Étant donné {CONTEXT}\n\n"
                                  f"  Scénario: Anglais\n    Given {CONTEXT}\n")
    found = problems(path)
    assert len(found) == 2
    assert found[0].startswith("ligne 4 :") and "« Scénario : »" in found[0]
    assert found[1].startswith("ligne 8 :") and "Étant donné" in found[1]


def test_a_description_line_or_a_table_is_not_taken_for_a_keyword(tmp_path):
    path = _file(tmp_path, HEAD + "  Règle métier : un stage par an.\n  Exemple: Bon\n"
                                  f"    Étant donné {CONTEXT}\n    Et que | Given: x |\n")
    assert not any("Scénario" in p or "mot-clé" in p for p in problems(path))


def test_an_unreadable_file_is_left_out_alone_and_said_why(tmp_path):
    bad = _file(tmp_path, HEAD + "  Plan du scénario: Cassé\n    Étant donné un permis "
                                 "probatoire obtenu le <d>\n\n    Exemples:\n      | d | x |\n"
                                 "      | 01/09/2025 |\n", "casse.feature")
    good = _file(tmp_path, HEAD + f"  Scénario: Bon\n    Étant donné {CONTEXT}\n")
    assert readable([bad, good]) == [str(good)]
    [problem] = problems(bad)
    assert problem.startswith("ligne 9 :") and "autant de cellules" in problem


def test_a_file_without_its_language_line_is_told_to_add_it(tmp_path):
    path = _file(tmp_path, "Fonctionnalité: Essai\n\n  Scénario: X\n"
                           f"    Étant donné {CONTEXT}\n")
    assert any("# language: fr" in p for p in problems(path))


class _Scenario:
    name = "Un essai"

    class feature:  # noqa: N801 - the attribute pytest-bdd's Scenario has
        filename = "/x/essai.feature"


def _step(type_: str, keyword: str, name: str) -> Step:
    return Step(name=name, type=type_, indent=4, line_number=7, keyword=keyword)


def test_a_step_not_found_names_the_closest_phrase():
    import tests.bdd.conftest  # noqa: F401 - registers the vocabulary

    message = etape_introuvable(_Scenario, _step("given", "Et ", "la lettre 48N a ete reçue "
                                                                  "le 10/03/2026"))
    assert message.startswith("Étape introuvable : « Et la lettre 48N a ete reçue")
    assert "ligne 7 de essai.feature" in message
    assert "« la lettre 48N est reçue le … »" in message


def test_a_step_not_found_says_which_keyword_or_which_apostrophe():
    import tests.bdd.conftest  # noqa: F401

    under_when = etape_introuvable(_Scenario, _step("when", "Quand ", CONTEXT))
    assert "existe, mais sous « Étant donné »" in under_when
    curly = etape_introuvable(_Scenario, _step("when", "Quand ", "l’agent tente d’ouvrir un "
                                                                  "dossier de stage volontaire"))
    assert "« l'agent tente d'ouvrir un dossier de stage volontaire »" in curly
    column = etape_introuvable(_Scenario, _step("when", "Quand ", "la lettre 48N est reçue le "
                                                                  "<reception>"))
    assert "<reception> n'est remplacé par aucune colonne" in column


def test_a_misspelled_step_fails_its_scenario_in_the_report_too(tmp_path):
    """End to end: pytest on a feature file whose second step is misspelled; the Cucumber JSON
    (what the HTML report and the designers' runs read) has the scenario failed, with the
    French message, and the good scenario passed."""
    feature = _file(tmp_path, HEAD + f"  Scénario: Faute de frappe\n    Étant donné {CONTEXT}\n"
                                     "    Et la lettre 48N a ete reçue le 10/03/2026\n\n"
                                     f"  Scénario: Sans faute\n    Étant donné {CONTEXT}\n")
    report = tmp_path / "cucumber.json"
    env = {**os.environ, "BDD_FEATURES": str(feature)}
    env.pop("TEST_DATABASE_URL", None)  # SQLite: the check is about the report, not the base
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "tests/bdd/test_fonctionnalites.py", f"--cucumberjson={report}"],
                   cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)
    results = {r.name: r for r in parse_cucumber(report)}
    assert results["Faute de frappe"].status == "failed"
    assert "Étape introuvable" in json.dumps(json.loads(report.read_text("utf-8")),
                                             ensure_ascii=False)
    assert results["Sans faute"].status == "passed"


def test_an_impossible_date_in_a_step_is_said_in_french():
    import pytest

    from tests.bdd.outils import jour

    with pytest.raises(AssertionError, match="Date impossible : « 31/02/2026 »"):
        jour("31/02/2026")
    assert jour("28/02/2026").day == 28
