"""A clerk's and a centre's working day (issue 18) in Chromium: attestations validated by batch
(one refused with its reason, the others credited), a case and a licence printed without any
navigation, and the session pages' defects (a held session's count, the trainees table focusable
on a phone, a session late for its attendance). axe-core on desktop and at 390 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import (
    PASSWORD,
    SHOTS,
    TODAY,
    accessible,
    login,
    shot,
    tick,
)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def batch(server):
    """Three more attestations to verify (a course held three weeks ago, its attestations
    received), and a second clerk."""
    from services import cases, licences, sessions, users
    from services.db import transaction
    from services.demo import speeding

    out = {}
    with server.app.app_context():
        admin = users.get_by_name("admin")
        with transaction():
            users.create("agent2", "agent", PASSWORD)
            held = sessions.create({"centre": "R2407500010", "day1": TODAY - dt.timedelta(days=18),
                                    "day2": TODAY - dt.timedelta(days=17), "capacity": 20}, admin)
            made = []
            for i, (last, first) in enumerate((("Lefèvre", "Anna"), ("Moreau", "Yanis"),
                                               ("Girard", "Lina"), ("Remplir", "Un"),
                                               ("Remplir", "Deux"), ("Remplir", "Trois"))):
                lic = licences.create({
                    "number": f"1201758{i:05d}", "holder": {
                        "last_name": last, "first_name": first,
                        "birth_date": dt.date(2003, 5, 2)},
                    "obtained_on": TODAY - dt.timedelta(days=500), "probation": "classic",
                    "formation_complementaire": False, "balance": None}, "tests")
                inf = licences.add_infraction(lic, speeding(TODAY - dt.timedelta(days=60)),
                                              "tests")
                received = TODAY - dt.timedelta(days=30)
                case = cases.create({"kind": "obligatoire", "licence": lic.number,
                                     "infraction": inf.id, "letter_48n": {
                                         "sent_on": received - dt.timedelta(days=4),
                                         "receipt": "signed", "received_on": received}}, "tests")
                cases.enroll(case, held.id, admin)
                made.append(case)
            out["ids"] = [c.id for c in made[:3]]
            out["refs"] = [c.reference for c in made[:3]]
            out["session"] = held.id
        with transaction():
            s = sessions.get(held.id)
            sessions.record_attendance(s, [
                {"licence": e.case.licence.number, "day1": "present", "day2": "present"}
                for e in sessions.active_enrollments(s)], admin)
        with transaction():
            for case_id in out["ids"]:
                cases.receive_attestation(cases.get(case_id), TODAY - dt.timedelta(days=5),
                                          "tests")
    return out


# ---- batch validation -----------------------------------------------------------------------

def test_clerk_validates_three_attestations_by_batch_one_refused_with_its_reason(
        page, open_page, server, batch):
    refs = batch["refs"]
    login(page, "agent")
    page.goto("/ui/taches")
    page.get_by_role("link", name="Valider des attestations par lot").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Attestations à vérifier", level=1).is_visible()
    nav = page.get_by_role("navigation", name="Menu principal")
    assert nav.get_by_role("link", name="Liste des tâches").get_attribute("aria-current") == "page"
    for ref in refs:
        tick(page.get_by_label(f"Valider l'attestation du dossier {ref}"))
    # the facts of a case: in its disclosure, and (JavaScript) in the side panel
    row = page.locator("#batch-table tbody tr", has_text=refs[0])
    row.locator("summary").click()
    facts = row.locator("details dl")
    assert facts.is_visible()
    assert "présent" in facts.inner_text() and "avant l’échéance (R19)" in facts.inner_text()
    panel = page.locator("#panneau-faits")
    assert panel.is_visible()
    assert page.locator("#panneau-faits-titre").inner_text() == f"Faits du dossier {refs[0]}"
    assert "Lefèvre" in panel.inner_text()
    accessible(page, "attestations à vérifier")
    shot(page, "lot-01-attestations-a-verifier")

    # meanwhile another clerk takes the second one from the tasklist
    other = open_page()
    login(other, "agent2")
    other.goto("/ui/taches?filtre=unassigned&tache=verification_attestation")
    other.locator("#task-table tbody tr", has_text=refs[1]).get_by_role(
        "button", name="Prendre").click()
    other.wait_for_load_state()
    assert "Tâche prise" in other.locator(".fr-alert--success").inner_text()

    page.get_by_role("button", name="Valider les attestations cochées").click()
    page.wait_for_load_state()
    results = page.locator("#batch-results")
    assert results.get_by_role("heading").inner_text() == "2 attestations validées, 1 non validée"
    assert page.evaluate("document.activeElement.id") == "batch-results"
    done = page.locator("#batch-done").inner_text()
    assert refs[0] in done and refs[2] in done and refs[1] not in done
    refused = page.locator("#batch-refused").inner_text()
    assert refused.strip() == f"Dossier {refs[1]} : La tâche est prise par agent2."
    # the refused case stays to verify, taken by agent2: no box to tick for this clerk
    row = page.locator("#batch-table tbody tr", has_text=refs[1])
    assert "Prise par agent2" in row.inner_text()
    assert page.locator("#batch-table tbody tr", has_text=refs[0]).count() == 0
    accessible(page, "attestations validées par lot")
    shot(page, "lot-02-resultat")

    # each validated case is credited, with one history event; the refused one is not
    for case_id, validated in zip(batch["ids"], (True, False, True), strict=True):
        page.goto(f"/ui/dossiers/{case_id}")
        outcome = page.locator("#outcome").inner_text()
        if validated:
            assert re.match(r"\d+ points? crédités?", outcome), outcome
            assert page.locator("#history tbody tr", has_text="Tâche terminée").count() == 1
            assert page.locator("#ledger tbody tr", has_text="Stage").count() == 1
        else:
            assert outcome == "Aucun crédit de points décidé pour l'instant."
            assert page.get_by_role(
                "heading", name="Tâche à faire : Vérifier l'attestation de stage").is_visible()
    # the same through the API (the session's cookie is the clerk's)
    for case_id, validated in zip(batch["ids"], (True, False, True), strict=True):
        body = page.request.get(f"{server.url}/api/v1/cases/{case_id}").json()
        assert (body["outcome"]["points_credited"] is not None) == validated, body
        assert bool(body["outcome"]["points_credited"]) == validated


def test_batch_page_on_a_phone(open_page, server, batch):
    page = open_page(PHONE)
    login(page, "agent")
    page.goto("/ui/taches/attestations")
    assert page.locator("#batch-table").is_visible()
    assert not page.locator("#panneau-faits").is_visible()  # the disclosures are enough here
    page.locator("#batch-table tbody tr").first.locator("summary").click()
    assert page.locator("#batch-table tbody tr").first.locator("details dl").is_visible()
    accessible(page, "attestations à vérifier (téléphone)")
    page.get_by_role("button", name="Valider les attestations cochées").click()  # none ticked
    page.wait_for_load_state()
    assert page.locator("#batch-error").inner_text().endswith(
        "Cochez au moins une attestation à valider.")
    accessible(page, "attestations à vérifier, sélection vide (téléphone)")
    shot(page, "lot-03-telephone")


# ---- print --------------------------------------------------------------------------------------

def test_a_case_and_a_licence_print_without_navigation(page, server, batch):
    login(page, "agent")
    page.goto(f"/ui/dossiers/{server.data.petit}")
    assert page.get_by_role("button", name="Imprimer le dossier").is_visible()
    assert not page.locator("#printed-on").is_visible()  # on paper only
    accessible(page, "dossier (écran)")
    page.emulate_media(media="print")
    for selector in ("header.fr-header", "#navigation-principale", "footer.fr-footer",
                     ".fr-skiplinks", "form", ".fr-btn", "#bpmn"):
        hidden = page.locator(selector)
        assert all(not hidden.nth(i).is_visible() for i in range(hidden.count())), selector
    for selector in ("h1", "#h-driver", "#deadline", "#balance", "#h-outcome", "#outcome",
                     "#ledger", "#history"):
        assert page.locator(selector).first.is_visible(), selector
    assert page.locator("#printed-on").inner_text().startswith(
        f"Édité le {TODAY:%d/%m/%Y} par agent")
    assert page.locator("#history tbody tr").count() >= 3
    assert page.locator("#ledger tbody tr").count() >= 1
    # links stay readable: black and underlined
    link = page.locator("main a").first
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(22, 22, 22)"
    assert "underline" in link.evaluate("a => getComputedStyle(a).textDecorationLine")
    shot(page, "impression-01-dossier")
    pdf = page.pdf(format="A4", print_background=True)
    (SHOTS / "impression-dossier.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "le dossier tient sur une page A4"

    page.emulate_media(media="screen")
    page.goto(f"/ui/dossiers/{server.data.petit}")
    page.get_by_role("link", name=re.compile("permis n° ")).click()
    page.wait_for_load_state()
    page.emulate_media(media="print")
    for selector in ("header.fr-header", "footer.fr-footer", ".fr-breadcrumb", ".fr-btn"):
        hidden = page.locator(selector)
        assert all(not hidden.nth(i).is_visible() for i in range(hidden.count())), selector
    for selector in ("h1", "#balance", "#ledger", "#infractions", "#licence-cases"):
        assert page.locator(selector).first.is_visible(), selector
    pdf = page.pdf(format="A4", print_background=True)
    (SHOTS / "impression-permis.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "le permis tient sur une page A4"
    shot(page, "impression-02-permis")


# ---- the session pages' defects ------------------------------------------------------------------

def test_a_held_session_counts_its_trainees(page, server):
    login(page, "agent")
    page.goto("/ui/sessions")
    row = page.locator("#session-table tbody tr", has_text=f"Session n° {server.data.done}")
    assert "6 / 20" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator("#session-status").text_content().strip() == "Tenue"
    assert "; 6 inscrits sur 20 places." in page.locator("#session-summary").inner_text()
    assert page.locator("#enrollments tbody tr").count() == 6
    accessible(page, "session tenue")


def test_the_trainees_table_is_focusable_on_a_phone(open_page, server):
    page = open_page(PHONE)
    login(page, "centre75")
    page.goto(f"/ui/sessions/{server.data.done}")
    table = page.locator("#enrollments")
    # it scrolls sideways on a phone, and holds no link for a centre: it takes the focus itself
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    assert table.locator("a, button, input").count() == 0
    assert table.get_attribute("tabindex") == "0"
    table.focus()
    assert page.evaluate("document.activeElement.id") == "enrollments"
    assert page.evaluate("document.activeElement.querySelector('caption').textContent") \
        == "Inscriptions à la session"
    page.keyboard.press("ArrowRight")  # the keyboard scrolls it
    page.wait_for_function("() => document.getElementById('enrollments').scrollLeft > 0")
    accessible(page, "session tenue, centre, téléphone")
    shot(page, "session-01-telephone")


@pytest.mark.parametrize("username", ["agent", "centre75"])
def test_a_session_without_attendance_after_its_last_day_is_late(open_page, server, username):
    page = open_page()
    login(page, username)
    late = server.data.last  # Friday and Saturday, today is Monday: nothing recorded
    page.goto("/ui/sessions")
    badge = page.locator(f"#late-{late}")
    assert badge.text_content().strip() == "En retard : présences non saisies"
    row = page.locator("#session-table tbody tr", has=badge)
    assert "Planifiée" in row.text_content()
    assert page.locator("#session-table .fr-badge--warning").count() == 1  # only that one
    accessible(page, f"sessions avec une session en retard ({username})")
    row.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator("#session-late").text_content().strip() == \
        "En retard : présences non saisies"
    assert "la présence des stagiaires n'est pas saisie" in page.locator(
        "#late-warning").inner_text()
    accessible(page, f"session en retard ({username})")
    mobile = open_page(PHONE)
    login(mobile, username)
    mobile.goto(f"/ui/sessions/{late}")
    assert mobile.locator("#session-late").is_visible()
    accessible(mobile, f"session en retard, téléphone ({username})")
    mobile.goto("/ui/sessions")
    accessible(mobile, f"sessions, téléphone ({username})")
    shot(mobile, f"session-02-en-retard-{username}")
    # the API says so too, in the session's flags; its status stays planned
    body = page.request.get(f"{server.url}/api/v1/sessions/{late}").json() \
        if username == "centre75" else None
    if body is not None:
        assert body["status"] == "planned"
        assert {"rule": "R34", "message": "En retard : présences non saisies (dernier jour le "
                f"{TODAY - dt.timedelta(days=2):%d/%m/%Y})."} in body["flags"]
