"""Impossible facts are 422 with French field errors, every one at once, and nothing written
(QA pass: dates of licences and infractions; R5's amounts), through the API and the clerks'
forms alike."""

from __future__ import annotations

import pytest

from tests.api_errors_support import assert_problem, unchanged
from tests.ui_support import UiClient, field_errors, summary

NUM = "120175200123"
LICENCE = {"number": NUM, "holder": {"last_name": "Martin", "first_name": "Léa",
                                     "birth_date": "2004-05-02"},
           "obtained_on": "2025-09-01", "probation": "classic"}


def infraction(**kw) -> dict:
    body = {"label": "Excès de vitesse", "offence_class": "C4", "points": 3,
            "committed_on": "2026-02-01", "decision_on": "2026-02-10",
            "established_on": "2026-02-01",
            "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": "2026-02-01"}}
    return {**body, **kw}


@pytest.fixture
def today(api):
    api.set_today("02/03/2026")


@pytest.fixture
def ui(api, today):
    client = UiClient(api.app)
    client.login("agent")
    return client


def post_infraction(api, body):
    return api.post(f"/api/v1/licences/{NUM}/infractions", body)


def test_licence_obtained_in_the_future_is_422_on_obtained_on(api, today):
    with unchanged():
        resp = api.post("/api/v1/licences", {**LICENCE, "obtained_on": "2026-03-03"})
    body = assert_problem(resp, 422, "obtained_on")
    assert "futur" in body["errors"]["obtained_on"][0]


def test_licence_the_clocks_today_is_accepted(api, today):
    api.ok(api.post("/api/v1/licences", {**LICENCE, "obtained_on": "2026-03-02"}), 201)


def test_licence_every_date_error_at_once(api, today):
    body = {**LICENCE, "obtained_on": "2026-06-01", "formation_complementaire": True,
            "probation": "none", "holder": {**LICENCE["holder"], "birth_date": "2026-07-01"},
            "balance": {"points": 8, "on": "2026-05-01"}}
    with unchanged():
        resp = api.post("/api/v1/licences", body)
    problem = assert_problem(resp, 422, "obtained_on", "holder.birth_date",
                             "formation_complementaire", "balance.on")
    # balance.on is both before the obtention and after today: two messages on that field
    assert problem["detail"].startswith("5 erreurs")
    assert len(problem["errors"]["balance.on"]) == 2


def test_infraction_before_the_licence_or_in_the_future_is_refused(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(committed_on="2025-08-31",
                                               established_on=None, fine=None))
    assert "01/09/2025" in assert_problem(resp, 422, "committed_on")["errors"]["committed_on"][0]
    with unchanged():
        resp = post_infraction(api, infraction(committed_on="2026-03-03",
                                               decision_on="2026-03-03",
                                               established_on=None, fine=None))
    assert assert_problem(resp, 422, "committed_on")["errors"] == {
        "committed_on": ["La date de l'infraction ne peut être dans le futur "
                         "(aujourd'hui : 02/03/2026)."],
        "decision_on": ["La date de décision du retrait ne peut être dans le futur "
                        "(aujourd'hui : 02/03/2026)."]}


def test_fine_paid_before_the_infraction_and_every_error_at_once(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(
            committed_on="2026-02-01", decision_on="2026-01-20", established_on="2026-01-25",
            fine={"amount": 135, "kind": "forfaitaire", "paid_on": "2026-01-31"}))
    assert_problem(resp, 422, "decision_on", "established_on", "fine.paid_on")
    api.ok(post_infraction(api, infraction()), 201)


def test_R5_a_delit_withdraws_six_points(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(offence_class="delit", points=4))
    assert "R5" in assert_problem(resp, 422, "points")["errors"]["points"][0]
    with unchanged():
        resp = post_infraction(api, infraction(points=7))
    assert "R5" in assert_problem(resp, 422, "points")["errors"]["points"][0]
    api.ok(post_infraction(api, infraction(offence_class="delit", points=6)), 201)


def test_R5_simultaneous_infractions_cumulate_within_eight_points(api, today):
    api.ok(api.post("/api/v1/licences", {**LICENCE, "obtained_on": "2020-01-01",
                                         "probation": "none"}), 201)
    api.ok(post_infraction(api, infraction(offence_class="delit", points=6)), 201)
    with unchanged():
        resp = post_infraction(api, infraction(points=3))
    assert "au plus 2" in assert_problem(resp, 422, "points")["errors"]["points"][0]
    api.ok(post_infraction(api, infraction(points=2)), 201)
    api.ok(post_infraction(api, infraction(points=3, committed_on="2026-02-02",
                                           established_on="2026-02-02",
                                           fine=None)), 201)


def test_licence_form_shows_every_date_error_on_its_field(api, ui):
    form = {"number": NUM, "holder.last_name": "Martin", "holder.first_name": "Léa",
            "holder.birth_date": "2026-07-01", "obtained_on": "2026-06-01",
            "probation": "classic"}
    with unchanged():
        resp = ui.post("/ui/permis/nouveau", form)
    assert resp.status_code == 422
    errors = field_errors(resp)
    assert set(errors) == {"obtained_on", "holder-birth_date"}
    assert "futur" in errors["obtained_on"][0]
    assert len(summary(resp)) == 2


def test_infraction_form_shows_every_date_error_on_its_field(api, ui):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    form = {"label": "Excès de vitesse", "offence_class": "delit", "points": "4",
            "committed_on": "2026-03-05", "decision_on": "2026-03-05",
            "fine.amount": "135", "fine.kind": "forfaitaire", "fine.paid_on": "2026-03-04"}
    with unchanged():
        resp = ui.post(f"/ui/permis/{NUM}/infraction", form)
    assert resp.status_code == 422
    errors = field_errors(resp)
    assert set(errors) == {"committed_on", "decision_on", "fine-paid_on", "points"}
    assert "futur" in errors["decision_on"][0]
    assert "avant l'infraction" in errors["fine-paid_on"][0]
    assert "futur" in errors["committed_on"][0]
    assert "R5" in errors["points"][0]


# ---- second pass (docs/legal-decisions.md, LD14, LD15) ----------------------------------------

def test_R8_decision_and_reality_after_today_are_refused(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(established_on="2026-03-03",
                                               decision_on="2026-03-04", fine=None))
    errors = assert_problem(resp, 422, "decision_on", "established_on")["errors"]
    assert errors["decision_on"] == ["La date de décision du retrait ne peut être dans le futur "
                                     "(aujourd'hui : 02/03/2026)."]
    assert "futur" in errors["established_on"][0]
    # the clock's today is accepted for both
    api.ok(post_infraction(api, infraction(established_on="2026-03-02", decision_on="2026-03-02",
                                           fine=None)), 201)


def test_R7_R8_a_retrait_decided_before_the_reality_was_established_is_refused(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    with unchanged():
        resp = post_infraction(api, infraction(established_on="2026-02-15",
                                               decision_on="2026-02-10"))
    message = assert_problem(resp, 422, "decision_on")["errors"]["decision_on"][0]
    assert "R7/R8" in message and "15/02/2026" in message


def test_R49_a_fine_of_zero_or_above_its_class_maximum_is_refused(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    for amount, words in ((0, "positif"), (-10, "entre"), (751, "750 €")):  # -10: the schema
        with unchanged():
            resp = post_infraction(api, infraction(
                fine={"amount": amount, "kind": "forfaitaire", "paid_on": "2026-02-01"}))
        assert words in assert_problem(resp, 422, "fine.amount")["errors"]["fine.amount"][0]
    api.ok(post_infraction(api, infraction(
        fine={"amount": 750, "kind": "judiciaire", "paid_on": None})), 201)


def test_R2_a_holder_younger_than_14_when_the_licence_was_obtained_is_refused(api, today):
    with unchanged():
        resp = api.post("/api/v1/licences", {
            **LICENCE, "holder": {**LICENCE["holder"], "birth_date": "2011-09-02"}})
    assert "14 ans" in assert_problem(resp, 422, "holder.birth_date")["errors"][
        "holder.birth_date"][0]
    api.ok(api.post("/api/v1/licences", {
        **LICENCE, "holder": {**LICENCE["holder"], "birth_date": "2011-09-01"}}), 201)


def test_R4_an_imported_balance_above_the_cap_or_after_today_is_refused(api, today):
    # a classic licence obtained on 01/09/2025 carries 6 points at most until 01/09/2026 (R4)
    with unchanged():
        resp = api.post("/api/v1/licences", {**LICENCE,
                                             "balance": {"points": 8, "on": "2026-03-03"}})
    problem = assert_problem(resp, 422, "balance.points", "balance.on")
    assert "R4" in problem["errors"]["balance.points"][0]
    assert "6 points" in problem["errors"]["balance.points"][0]
    assert "futur" in problem["errors"]["balance.on"][0]
    assert problem["detail"].startswith("2 erreurs")
    api.ok(api.post("/api/v1/licences", {**LICENCE,
                                         "balance": {"points": 6, "on": "2026-03-02"}}), 201)


def test_R6_a_48si_decided_or_notified_after_today_is_refused(api, today):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    path = f"/api/v1/licences/{NUM}/invalidation"
    with unchanged():
        resp = api.post(path, {"decision_on": "2026-03-03", "notified_on": "2026-03-04"})
    errors = assert_problem(resp, 422, "decision_on", "notified_on")["errors"]
    assert all("futur" in messages[0] for messages in errors.values())
    with unchanged():
        resp = api.post(path, {"decision_on": "2025-08-01", "notified_on": None})
    assert "01/09/2025" in assert_problem(resp, 422, "decision_on")["errors"]["decision_on"][0]
    api.ok(api.post(path, {"decision_on": "2026-03-01", "notified_on": "2026-03-02"}), 201)


def _infraction_with_48n(api) -> int:
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    inf = api.ok(post_infraction(api, infraction(established_on="2026-02-01",
                                                 decision_on="2026-02-10")), 201)
    assert inf["triggers_48n"]
    return inf["id"]


def test_D11_R10_every_problem_of_the_48n_at_once(api, today):
    inf = _infraction_with_48n(api)
    body = {"kind": "obligatoire", "licence": NUM, "infraction": inf,
            "letter_48n": {"sent_on": "2026-02-05", "receipt": "npai",
                           "received_on": "2026-02-04"}}
    with unchanged():
        resp = api.post("/api/v1/cases", body)
    problem = assert_problem(resp, 422, "letter_48n.sent_on", "letter_48n.received_on")
    assert "R10" in problem["errors"]["letter_48n.sent_on"][0]
    assert len(problem["errors"]["letter_48n.received_on"]) == 2  # before sent; NPAI (D11)
    assert problem["detail"].startswith("3 erreurs")


def test_D11_a_48n_sent_and_received_after_today_is_refused_on_both_fields(api, today):
    inf = _infraction_with_48n(api)
    body = {"kind": "obligatoire", "licence": NUM, "infraction": inf,
            "letter_48n": {"sent_on": "2026-03-03", "receipt": "signed",
                           "received_on": "2026-03-05"}}
    with unchanged():
        resp = api.post("/api/v1/cases", body)
    errors = assert_problem(resp, 422, "letter_48n.sent_on", "letter_48n.received_on")["errors"]
    assert errors == {name: ["La date ne peut être dans le futur (aujourd'hui : 02/03/2026)."]
                      for name in ("letter_48n.sent_on", "letter_48n.received_on")}
    body["letter_48n"] |= {"sent_on": "2026-02-27", "received_on": "2026-03-02"}
    api.ok(api.post("/api/v1/cases", body), 201)


def test_the_48n_form_shows_every_problem_of_the_letter_on_its_field(api, ui):
    inf = _infraction_with_48n(api)
    with unchanged():
        resp = ui.post(f"/ui/permis/{NUM}/infractions/{inf}/dossier-48n", {
            "letter_48n.sent_on": "2026-02-05", "letter_48n.receipt": "signed",
            "letter_48n.received_on": "2026-03-04"})
    assert resp.status_code == 422
    errors = field_errors(resp)
    assert set(errors) == {"letter_48n-sent_on", "letter_48n-received_on"}
    assert "R10" in errors["letter_48n-sent_on"][0]
    assert "futur" in errors["letter_48n-received_on"][0]
    assert len(summary(resp)) == 2


def test_R23_D12_a_sessions_day_problems_and_expired_agrement_at_once(api, today):
    api.ok(api.post("/api/v1/centres", {"agrement": "R2607500077", "name": "Centre fermant",
                                        "departement": "75", "valid_until": "2026-03-07"}), 201)
    with unchanged():
        # Saturday 07/03 and Sunday 08/03/2026: day 2 on a Sunday (R31), after the agrément
        resp = api.post("/api/v1/sessions", {"centre": "R2607500077", "day1": "2026-03-07",
                                             "day2": "2026-03-08", "capacity": 20})
    problem = assert_problem(resp, 422, "day2", "centre")
    assert "R23" in problem["errors"]["centre"][0]


def refused_then_cancelled(api, day1: str, day2: str, refused_on: str, on: str) -> str:
    """A session of day1–day2 whose cancellation dated `refused_on` is refused (422 on `on`,
    nothing changed), then cancelled on `on`; the refusal's message."""
    session = api.ok(api.post("/api/v1/sessions", {"centre": "R2407500010", "day1": day1,
                                                   "day2": day2, "capacity": 20}), 201)
    path = f"/api/v1/sessions/{session['id']}/cancel"
    with unchanged():
        resp = api.post(path, {"on": refused_on, "reason": "effectif insuffisant"})
    message = assert_problem(resp, 422, "on")["errors"]["on"][0]
    assert api.ok(api.post(path, {"on": on, "reason": "effectif insuffisant"}))[
        "status"] == "cancelled"
    return message


def test_R36_a_session_cancelled_on_a_day_to_come_is_refused(api, today):
    assert "futur" in refused_then_cancelled(api, "2026-03-06", "2026-03-07", "2026-03-03",
                                             "2026-03-02")


def test_R36_LD15_an_announced_session_is_not_cancelled_before_it_was_recorded(api, today):
    """Recorded on 02/03/2026 for June: « annulée le 01/03/2026 » cannot be; a session the
    prefecture records after its days (catching up) may have been cancelled before."""
    assert "enregistrée que le 02/03/2026" in refused_then_cancelled(
        api, "2026-06-05", "2026-06-06", "2026-03-01", "2026-03-02")
    late = api.ok(api.post("/api/v1/sessions", {"centre": "R2407500010", "day1": "2026-02-27",
                                                "day2": "2026-02-28", "capacity": 20}), 201)
    assert api.ok(api.post(f"/api/v1/sessions/{late['id']}/cancel",
                           {"on": "2026-02-20", "reason": "formateur absent"}))[
        "status"] == "cancelled"


def test_Q5_a_negative_imported_balance_is_refused_when_balances_may_not_be_negative(api, today):
    import dataclasses
    body = {**LICENCE, "obtained_on": "2010-01-01", "probation": "none",
            "holder": {**LICENCE["holder"], "birth_date": "1990-01-01"},
            "balance": {"points": -2, "on": "2026-01-01"}}
    before = api.app.config["RULES"]
    api.app.config["RULES"] = dataclasses.replace(before, negative_balance=False)
    try:
        with unchanged():
            resp = api.post("/api/v1/licences", body)
        message = assert_problem(resp, 422, "balance.points")["errors"]["balance.points"][0]
        assert "CFG_NEGATIVE_BALANCE" in message
    finally:
        api.app.config["RULES"] = before
    api.ok(api.post("/api/v1/licences", body), 201)  # the default (Q5): accepted


# ---- a clerk's form: its field errors and its cross-field problems in one answer ----------------
# (a review: each form told its cross-field problems only once every field was right, so a clerk
# who made both kinds of mistakes met a second round of errors). The API keeps telling a body's
# schema errors first: its answer to the same body is checked unchanged.

def _both_at_once(ui, path: str, form: dict, expected: dict[str, str]) -> None:
    """`form` refused in one answer with, on each field of `expected`, one message starting
    with the text given; the summary at the top tells each of them."""
    with unchanged():
        resp = ui.post(path, form)
    assert resp.status_code == 422
    errors = field_errors(resp)
    assert set(errors) == set(expected), errors
    for field, start in expected.items():
        assert len(errors[field]) == 1 and errors[field][0].startswith(start), errors
    lines = summary(resp)
    assert len(lines) == len(expected)
    for messages in errors.values():
        assert any(line.endswith(messages[0]) for line in lines), (lines, messages)


def test_licence_form_tells_a_bad_number_and_a_birth_after_the_obtention_at_once(api, ui):
    form = {"number": "12 34", "holder.last_name": "Martin", "holder.first_name": "Léa",
            "holder.birth_date": "2026-01-01", "obtained_on": "2025-09-01",
            "probation": "none", "formation_complementaire": "on",
            "balance.points": "abc", "balance.on": "2025-08-01"}
    _both_at_once(ui, "/ui/permis/nouveau", form, {
        "number": "Chiffres et lettres seulement.",
        "holder-birth_date": "La date de naissance doit précéder l'obtention du permis.",
        "formation_complementaire": "La formation complémentaire ne concerne qu'un permis",
        "balance-points": "Nombre entier attendu.",
        "balance-on": "Le solde importé ne peut précéder l'obtention du permis."})
    body = {**LICENCE, "number": "12 34",
            "holder": {**LICENCE["holder"], "birth_date": "2026-01-01"}}
    with unchanged():  # the API: the schema's errors first, as before
        resp = api.post("/api/v1/licences", body)
    assert set(assert_problem(resp, 422, "number")["errors"]) == {"number"}
    # the obtention date refused: the checks that need it are skipped, not reported
    _both_at_once(ui, "/ui/permis/nouveau", {**form, "obtained_on": "2025-13-01"}, {
        "number": "Chiffres et lettres seulement.", "obtained_on": "Date invalide",
        "formation_complementaire": "La formation complémentaire ne concerne qu'un permis",
        "balance-points": "Nombre entier attendu."})


def test_infraction_form_tells_a_missing_label_and_a_decision_before_the_infraction_at_once(
        api, ui):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    path = f"/ui/permis/{NUM}/infraction"
    form = {"offence_class": "C4", "points": "3", "committed_on": "2026-02-01",
            "decision_on": "2026-01-20", "fine.amount": "900", "fine.paid_on": "2026-01-15"}
    _both_at_once(ui, path, form, {
        "label": "Champ obligatoire.",
        "decision_on": "La décision ne peut précéder l'infraction (R8).",
        "fine-kind": "Champ obligatoire.",
        "fine-amount": "Une contravention de 4e classe est punie d'une amende d'au plus 750 €",
        "fine-paid_on": "L'amende ne peut avoir été payée avant l'infraction"})
    with unchanged():  # the API: the schema's errors first, as before
        resp = post_infraction(api, infraction(label="", decision_on="2026-01-20"))
    assert set(assert_problem(resp, 422, "label")["errors"]) == {"label"}
    # the commission date refused: R8 and the payment's order are not judged
    _both_at_once(ui, path, {**form, "label": "Excès de vitesse", "committed_on": "2026-02-31"}, {
        "committed_on": "Date invalide", "fine-kind": "Champ obligatoire.",
        "fine-amount": "Une contravention de 4e classe est punie d'une amende d'au plus 750 €"})


def test_48si_form_tells_a_bad_decision_date_and_a_notification_to_come_at_once(api, ui):
    api.ok(api.post("/api/v1/licences", LICENCE), 201)
    _both_at_once(ui, f"/ui/permis/{NUM}/invalidation",
                  {"decision_on": "2026-02-30", "notified_on": "2026-03-05"},
                  {"decision_on": "Date invalide",
                   "notified_on": "La date de notification ne peut être dans le futur"})


def test_48n_form_tells_a_missing_receipt_and_the_letters_dates_out_of_order_at_once(api, ui):
    inf = _infraction_with_48n(api)
    path = f"/ui/permis/{NUM}/infractions/{inf}/dossier-48n"
    _both_at_once(ui, path, {"letter_48n.sent_on": "2026-02-05",
                             "letter_48n.received_on": "2026-02-04"}, {
        "letter_48n-receipt": "Champ obligatoire.",
        "letter_48n-sent_on": "R10 : la lettre 48N notifie le retrait décidé le 10/02/2026",
        "letter_48n-received_on": "La réception ne peut précéder l'envoi."})
    with unchanged():  # the API: the schema's errors first, as before
        resp = api.post("/api/v1/cases", {
            "kind": "obligatoire", "licence": NUM, "infraction": inf,
            "letter_48n": {"sent_on": "2026-02-05", "received_on": "2026-02-04"}})
    assert set(assert_problem(resp, 422)["errors"]) == {"letter_48n.receipt"}
    # the reception date refused: a signed letter is not told it lacks one
    _both_at_once(ui, path, {"letter_48n.sent_on": "2026-02-05", "letter_48n.receipt": "signed",
                             "letter_48n.received_on": "2026-02-40"}, {
        "letter_48n-received_on": "Date invalide",
        "letter_48n-sent_on": "R10 : la lettre 48N notifie le retrait décidé le 10/02/2026"})
