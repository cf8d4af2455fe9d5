"""A QA finding: a case whose course (08–09/12) ended within its 10/12 deadline showed
« Échéance … dépassée de 36 jours » and sat in the dashboard's overdue deadlines, while its
crediting deadline (D4), which was the late one, was not marked. A course that met the
deadline (R19, D1) ends its count on the case page, the dashboard and `?overdue=true` alike;
the crediting deadline is marked late where the dashboard lists it (R39, D4)."""

from __future__ import annotations

import re

from tests.integration.test_journey_mandatory import open_case
from tests.ui_support import UiClient, text

OTHER = "120175200124"


def _badge(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</dd>', page, re.S)
    assert found, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _late_course_and_late_case(api):
    """A case whose course met its 10/07/2026 deadline, its attestation received on 01/07 and
    not verified (crediting due 01/08, D4); and a case with no course. Today: 15/08/2026."""
    case = open_case(api)  # notified 10/03/2026, deadline 10/07/2026 (D1)
    api.licence(OTHER, obtained="01/09/2025")
    inf = api.infraction(OTHER, "01/02/2026", points=3)
    late = api.mandatory_case(OTHER, inf["id"], "10/03/2026")
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(case["licence"], "present", "present")])
    api.set_today("01/07/2026")
    api.attestation(case["id"], "01/07/2026")
    api.set_today("15/08/2026")
    return case, late


def test_R19_D1_D4_a_course_in_time_is_not_an_overdue_deadline_anywhere(api):
    case, late = _late_course_and_late_case(api)
    ui = UiClient(api.app)
    ui.login("agent")

    page = text(ui.get(f"/ui/dossiers/{case['id']}"))
    deadline = _badge(page, "deadline")
    assert "dépassée" not in deadline
    assert "respectée : stage achevé le 06/06/2026" in deadline
    assert _badge(page, "credit-due") == "01/08/2026 dépassé de 14 jours"  # D4: the late one

    other = text(ui.get(f"/ui/dossiers/{late['id']}"))  # no course: overdue, as before
    assert "dépassée de 36 jours" in _badge(other, "deadline")

    dashboard = text(ui.get("/ui/tableau-de-bord"))
    near = dashboard.split('id="echeances"')[1].split("</section>")[0]
    assert late["reference"] in near and case["reference"] not in near
    late_credits = dashboard.split('id="attestations-en-retard"')[1].split("</section>")[0]
    assert case["reference"] in late_credits

    overdue = api.ok(api.get("/api/v1/cases", overdue="true"))["items"]
    assert [c["id"] for c in overdue] == [late["id"]]
