"""The shipped voluntary-course process."""

from __future__ import annotations

import datetime as dt

from .conftest import UTC


def test_voluntary_happy_path(volontaire):
    h = volontaire
    run = h.view()
    assert run.waiting_timers() == []
    assert run.waiting_messages() == {"inscription", "invalidation_48si"}
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.calls == [("crediter_points", "crediter", "")]  # no refund for a voluntary course
    run = h.view()
    assert run.is_completed()
    assert "dossier_clos" in run.completed_element_ids()


def test_voluntary_absence_then_course(volontaire):
    h = volontaire
    h.take_course(attestation=False)
    assert "inscription" in h.view().waiting_messages()
    assert h.tick(dt.datetime(2027, 1, 1, tzinfo=UTC)) == 0
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.view().is_completed()


def test_voluntary_examen_manuel(volontaire):
    h = volontaire
    h.facts["examen_manuel_requis"] = True
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    h.complete("examen_manuel", decision="crediter", motif="session de 5 stagiaires (R32)")
    assert h.calls == [("crediter_points", "crediter", "session de 5 stagiaires (R32)")]
    assert h.view().is_completed()


def test_voluntary_invalidation_no_refund(volontaire):
    h = volontaire
    h.take_course()
    h.facts["stage_a_crediter"] = True
    assert h.send("invalidation_48si")
    assert h.open_keys() == ["examen_manuel"]
    h.complete("examen_manuel", decision="crediter", motif="")
    assert h.action_names() == ["constater_invalidation", "crediter_points"]
    run = h.view()
    assert run.is_completed()
    assert "dossier_clos_invalidation" in run.completed_element_ids()


def test_voluntary_credit_letter_and_no_refund_letter(volontaire):
    h = volontaire
    h.take_course()
    h.complete("verification_attestation", decision="valider", motif="")
    assert h.letters() == ["notification_credit_points"]  # no refund for a voluntary course (R20)


def test_voluntary_invalidation_credit_letter(volontaire):
    h = volontaire
    h.take_course()
    h.facts["stage_a_crediter"] = True
    assert h.send("invalidation_48si")
    h.complete("examen_manuel", decision="crediter", motif="")
    assert [c[0] for c in h.service_calls] == ["courrier_credit_points_invalidation"]
    assert h.letters() == ["notification_credit_points"]
