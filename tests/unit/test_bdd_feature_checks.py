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
    French message, and the good scenario passed. The same run: a failed check and an
    impossible date are said in French with their file, line, scenario and step, without
    pytest's traceback nor the captured log; a file outside features/ with a tag no file of
    features/ has still runs (its tags are markers too)."""
    feature = _file(tmp_path, HEAD + f"  Scénario: Faute de frappe\n    Étant donné {CONTEXT}\n"
                                     "    Et la lettre 48N a ete reçue le 10/03/2026\n\n"
                                     f"  @brouillon\n  Scénario: Sans faute\n"
                                     f"    Étant donné {CONTEXT}\n\n"
                                     f"  Scénario: Mauvais solde\n    Étant donné {CONTEXT}\n"
                                     "    Alors le solde du permis est de 4 points\n\n"
                                     "  Scénario: Date impossible\n"
                                     "    Étant donné un permis probatoire obtenu le "
                                     "31/02/2025\n")
    report = tmp_path / "cucumber.json"
    env = {**os.environ, "BDD_FEATURES": str(feature)}
    env.pop("TEST_DATABASE_URL", None)  # SQLite: the check is about the report, not the base
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/bdd/test_fonctionnalites.py", f"--cucumberjson={report}"],
                         cwd=ROOT, env=env, capture_output=True, timeout=300, check=False,
                         text=True)
    results = {r.name: r for r in parse_cucumber(report)}
    assert results["Faute de frappe"].status == "failed"
    assert "Étape introuvable" in json.dumps(json.loads(report.read_text("utf-8")),
                                             ensure_ascii=False)
    assert results["Sans faute"].status == "passed"
    wrong = ("Solde attendu : 4 points ; solde obtenu : 3 points (ligne 14 de essai.feature, "
             "scénario « Mauvais solde », étape « Alors le solde du permis est de 4 points »).")
    assert results["Mauvais solde"].message.endswith(wrong)
    assert "Date impossible : « 31/02/2025 » (février 2025 n'a que 28 jours) (ligne 17 de " \
           "essai.feature" in results["Date impossible"].message
    assert wrong in run.stdout
    for noise in ("Traceback", "fixturefunc", "def verifier", "alembic", "Captured"):
        assert noise not in run.stdout, noise


def test_an_impossible_date_in_a_step_is_said_in_french():
    import pytest

    from tests.bdd.outils import jour

    with pytest.raises(AssertionError, match="Date impossible : « 31/02/2026 »"):
        jour("31/02/2026")
    assert jour("28/02/2026").day == 28


def test_a_date_not_written_jj_mm_aaaa_is_given_back_rewritten():
    import tests.bdd.conftest  # noqa: F401

    iso = etape_introuvable(_Scenario, _step("given", "Et ", "la lettre 48N a été reçue le "
                                                             "2026-03-01"))
    assert "« 01/03/2026 » et non « 2026-03-01 »" in iso
    assert "écrivez « la lettre 48N a été reçue le 01/03/2026 »" in iso
    short = etape_introuvable(_Scenario, _step("when", "Quand ", "le temps passe jusqu'au "
                                                                 "1/7/26"))
    assert "écrivez « le temps passe jusqu'au 01/07/2026 »" in short
    # a date rewritten that still matches nothing: the closest phrases as well
    typo = etape_introuvable(_Scenario, _step("when", "Quand ", "le temps pase jusqu'au "
                                                                "2026-07-01"))
    assert "« 01/07/2026 » et non « 2026-07-01 »" in typo and "phrases proches" in typo


def test_an_impossible_date_says_why():
    import pytest

    from tests.bdd.outils import jour

    for texte, why in (("31/04/2026", "avril 2026 n'a que 30 jours"),
                       ("29/02/2027", "février 2027 n'a que 28 jours"),
                       ("03/13/2026", "il n'y a pas de mois 13 : une date s'écrit JJ/MM/AAAA, "
                                      "le jour avant le mois"),
                       ("00/01/2026", "le jour va de 01 à 31 en janvier 2026")):
        with pytest.raises(AssertionError) as raised:
            jour(texte)
        assert str(raised.value) == f"Date impossible : « {texte} » ({why})"
    assert jour("29/02/2028").day == 29


def test_a_tag_that_names_no_rule_is_named_with_its_line(tmp_path):
    path = _file(tmp_path, HEAD + "  @R99 @r17 @R5@R9 @concepteurs @Q10 @D12\n  Scénario: X\n"
                                  f"    Étant donné {CONTEXT}\n")
    found = problems(path)
    assert len(found) == 3 and all(p.startswith("ligne 4 :") for p in found)
    assert "« @R99 » ne désigne aucune règle de DOMAIN.md" in found[0]
    assert "« @r17 » : écrivez « @R17 »" in found[1]
    assert "« @R5@R9 » : séparez les étiquettes par une espace (« @R5 @R9 »)" in found[2]


def test_the_closest_phrases_are_shown_in_their_plain_wording():
    from tests.bdd.etapes_dossier import le_temps_passe  # noqa: F401
    from tests.bdd.outils import _lisible

    assert _lisible(r"le temps passe jusqu(?:'|’)au (?P<date>\d{2}/\d{2}/\d{4})") == \
        "le temps passe jusqu'au …"
    assert _lisible(r"une infraction de (?P<points>\d+) points? (?:de classe (?P<classe>C[1-5]|"
                    r"délit) )?commise le (?P<c>\d{2}/\d{2}/\d{4})(?:, décidée le "
                    r"(?P<d>\d{2}/\d{2}/\d{4}))? est enregistrée") == \
        "une infraction de … points commise le … est enregistrée"
    assert _lisible(r"la lettre 48N (?:est |a été )?reçue le (?P<date>\d{2}/\d{2}/\d{4})") == \
        "la lettre 48N est reçue le …"
    assert _lisible(r"un permis (?P<t>probatoire|probatoire AAC) obtenu le (?P<o>\d+)") == \
        "un permis probatoire obtenu le …"


def _normalised(text: str) -> str:
    """A phrase with its values as « … »: JJ/MM/AAAA, N, a rule id, a setting, « texte »."""
    import re

    text = re.sub(r"\d{2}/\d{2}/\d{4}|JJ/MM/AAAA", "…", text.replace("`", ""))
    text = re.sub(r"«[^«»]*»", "« … »", text)
    text = re.sub(r"\bN\b|\b\d+\b|CFG_\w*…?|\b[RDQ]\d+\b", "…", text)
    text = text.replace("(code)", "(…)")
    return " ".join(text.split())


def test_every_step_is_in_the_analysts_guide():
    """The vocabulary (tests/bdd) and features/LISEZMOI.md agree: each phrase, in its plain
    wording (the one « phrases proches » shows), is in the guide; a QA pass found six phrases
    the analysts could not know of."""
    from pytest_bdd.steps import step_function_context_registry

    import tests.bdd.conftest  # noqa: F401
    from tests.bdd.outils import _lisible

    guide = _normalised((ROOT / "features" / "LISEZMOI.md").read_text(encoding="utf-8"))
    missing = sorted({phrase for phrase in (_lisible(c.parser.name) for c in
                                            step_function_context_registry.values())
                      if _normalised(phrase) not in guide})
    assert not missing, "absentes de features/LISEZMOI.md : " + " ; ".join(missing)


def test_a_failed_step_says_where_and_a_python_error_says_it_is_no_writing_mistake():
    from tests.bdd.outils import echec_d_etape

    step = _step("then", "Alors ", "le solde du permis est de 6 points")
    checked = echec_d_etape(_Scenario, step, AssertionError("Solde attendu : 6 points ; solde "
                                                            "obtenu : 9 points"))
    assert checked == ("Solde attendu : 6 points ; solde obtenu : 9 points (ligne 7 de "
                       "essai.feature, scénario « Un essai », étape « Alors le solde du permis "
                       "est de 6 points »).")
    bug = echec_d_etape(_Scenario, step, KeyError("balance"))
    assert bug.startswith("Erreur inattendue (ligne 7 de essai.feature, scénario « Un essai », "
                          "étape « Alors le solde du permis est de 6 points ») : KeyError : ")
    assert "n'est pas une faute d'écriture du scénario" in bug
