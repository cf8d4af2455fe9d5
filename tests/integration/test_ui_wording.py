"""Texts a clerk reads on the pages and exports, as a reviewer of the French UI found them: a
flag's rule shown twice (« R32 R32 : … »), Python's `True`/`False`, an ISO duration, a timer's
count, a refund's raw fields, the ledger's internal references, and a diagram overlay whose date
was not the deadline the page shows. The stored data is unchanged: only the words are."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.ui_support import UiClient, logged_in, text

NUM = "120175200501"
OTHER = "120175200502"


@pytest.fixture
def ui(api) -> UiClient:
    return logged_in(api.app, "agent")


def page(ui, path: str) -> str:
    resp = ui.get(path)
    assert resp.status_code == 200, text(resp)[:500]
    return html.unescape(text(resp))


def small_session_attested(api) -> tuple[dict, dict]:
    """Two mandatory cases whose course was held with 2 trainees (R32: too few), their
    attestations received: both wait for verification."""
    api.set_today("20/03/2026")
    session = api.session("05/06/2026", "06/06/2026", fill=0)
    cases = []
    for number in (NUM, OTHER):
        api.licence(number, obtained="01/09/2025")
        inf = api.infraction(number, "01/02/2026")
        case = api.mandatory_case(number, inf["id"], received="10/03/2026", sent="05/03/2026")
        api.enroll(case["id"], session["id"])
        cases.append(case)
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(NUM, "present", "present"), (OTHER, "present", "present")])
    for case in cases:
        api.attestation(case["id"], "06/06/2026")
    return cases[0], session


def test_a_flags_rule_is_read_once_on_the_case_session_and_batch_pages(api, ui):
    """A QA finding: « R32 R32 : session tenue… » (the rule's badge, then the message that
    begins with it) on the case and session pages, « R32 : R32 : … » in the batch's facts."""
    case, session = small_session_attested(api)
    message = "session tenue avec 2 stagiaires présents (attendu entre 6 et 20)"
    for path in (f"/ui/dossiers/{case['id']}", f"/ui/sessions/{session['id']}"):
        body = page(ui, path)
        assert f'fr-badge--no-icon">R32</span> {message}' in body, path
        assert "R32 R32" not in re.sub(r"<[^>]+>", "", body), path
    batch = page(ui, "/ui/taches/attestations")
    assert f"R32 : {message}" in batch and "R32 : R32" not in batch


def test_the_legal_switches_read_oui_non_and_french_dates(api):
    """A QA finding: /ui/a-propos showed Python's `True` / `False`."""
    body = page(UiClient(api.app), "/ui/a-propos")
    rows = dict(re.findall(r"<tr><td><code>(CFG_\w+)</code></td><td>([^<]*)</td>", body))
    assert rows["CFG_EXTEND_TO_NEXT_WORKING_DAY"] == "non"
    assert rows["CFG_UNCLAIMED_AR_IS_NOTIFIED"] == "oui"
    assert rows["CFG_R223_8_IV_VERSION_DATE"] == "01/04/2026"
    assert rows["CFG_ONE_YEAR_RULE"] == "SAME_DATE"  # the setting's own value, as it is set
    assert not {"True", "False"} & set(rows.values())


def history_rows(ui, case_id: int) -> list[str]:
    from tests.integration.test_ui_exports import read_csv

    return [row[3] for row in read_csv(ui.get(f"/ui/dossiers/{case_id}/historique.csv"))[1:]]


def test_the_history_tells_a_decision_and_a_timer_in_french(api, ui):
    """A QA finding: « delai_relance = « P7D » » (an ISO duration) and « minuteurs : 1 ; à : … »
    in the case history."""
    case = api.case_at_referral(NUM)
    body = page(ui, f"/ui/dossiers/{case['id']}")
    decision = ("Décision « Délai de relance du signalement » : règle 1 retenue (Attestation "
                "délivrée : non) → Délai de relance : 7 jours")
    timer = re.compile(r"1 minuteur arrivé à échéance le 11/07/2026 à \d\d:\d\d")
    for shown in (body, "\n".join(history_rows(ui, case["id"]))):  # the page and its export
        assert decision in shown and timer.search(shown)
        assert "P7D" not in shown and "minuteurs :" not in shown
        assert "→ delai_relance" not in shown  # the output's label, not its variable


def credited_case(api) -> dict:
    from tests.integration.test_shipped_letters import _validated_mandatory_course

    return _validated_mandatory_course(api, "15/06/2026", "15/06/2026")


def test_the_history_tells_the_refund_decided_as_a_sentence(api, ui):
    """A QA finding: « remboursement : possible : oui, montant (€) : 135, à demander au plus tard
    le : … »."""
    case = credited_case(api)
    expected = ("remboursement : possible, 135 €, demande à adresser au comptable public au plus "
                "tard le 24/06/2026")
    assert expected in page(ui, f"/ui/dossiers/{case['id']}")
    assert expected in history_rows(ui, case["id"])
    assert not any("possible : oui" in row for row in history_rows(ui, case["id"]))


def test_the_ledger_export_says_which_course_and_infraction_a_movement_is(api, ui):
    """A QA finding: its « Référence » column read `stage:2` and `infraction:6`."""
    from tests.integration.test_shipped_letters import NUM as LICENCE
    from tests.integration.test_ui_exports import read_csv

    case = credited_case(api)
    rows = read_csv(ui.get(f"/ui/permis/{LICENCE}/releve.csv"))
    assert rows[0][-1] == "Référence"
    references = {row[1]: row[-1] for row in rows[1:]}
    assert references["Stage"] == f"Stage du 05/06/2026 au 06/06/2026 (dossier {case['reference']})"
    assert references["Retrait"] == "Infraction du 01/02/2026 (Excès de vitesse)"
    assert not any(re.fullmatch(r"(stage|infraction):\d+", row[-1]) for row in rows[1:])


def test_the_diagrams_timer_says_the_deadline_the_page_shows(api, ui):
    """A QA finding: the overlay said « Échéance : 11/07/2026 00:00 » (the instant the timer
    fires, the start of the next day: D1) beside « Échéance de 4 mois 10/07/2026 »."""
    api.set_today("20/03/2026")
    api.licence(NUM, obtained="01/09/2025")
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], received="10/03/2026", sent="05/03/2026")
    body = page(ui, f"/ui/dossiers/{case['id']}")
    assert re.search(r'<dd id="deadline">10/07/2026', body)
    state = json.loads(re.search(r'<script type="application/json" id="bpmn-state">(.*?)'
                                 r"</script>", body, re.S).group(1))
    [timer] = state["timers"]
    assert timer["due_at"].startswith("2026-07-11T00:00")  # the engine's instant, unchanged
    assert timer["when"] == "10/07/2026 (minuteur le 11/07/2026 à 00:00)"
    assert "Échéance du délai de 4 mois (D1) : 10/07/2026 (minuteur le 11/07/2026 à 00:00)" \
        in body


def test_the_case_page_lists_the_current_steps_the_diagram_highlights(api, ui):
    """The diagram's text alternative (a QA finding on the diagram at narrow widths): the
    current steps by name, with the deadlines, in a list the diagram points at."""
    api.set_today("20/03/2026")
    api.licence(NUM, obtained="01/09/2025")
    inf = api.infraction(NUM, "01/02/2026")
    case = api.mandatory_case(NUM, inf["id"], received="10/03/2026", sent="05/03/2026")
    body = page(ui, f"/ui/dossiers/{case['id']}")
    text = re.search(r'<div id="parcours-texte">(.*?)</div>', body, re.S).group(1)
    steps = re.findall(r"<li>(.*?)</li>", re.search(r'<ul id="steps">(.*?)</ul>', text,
                                                    re.S).group(1))
    assert steps == ["48SI notifiée", "Échéance ou conformité ?", "Inscription à une session"]
    assert "Parcours du stage" not in text  # the sub-process around them is no step
    assert "Échéance du délai de 4 mois (D1) : 10/07/2026 (minuteur le 11/07/2026 à 00:00)" \
        in text
    assert 'id="bpmn" class="ui-bpmn ui-bpmn--navigable"' in body
    assert 'data-describedby="parcours-texte"' in body
