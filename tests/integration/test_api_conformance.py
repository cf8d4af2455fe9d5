"""What API.md says of its fields and documents, checked where an audit found the answer
differed: each test names the line of API.md it holds the implementation to."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tests.helpers import d

PARIS = ZoneInfo("Europe/Paris")


def instant(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text is not None else None


def test_each_recorded_movement_says_when_it_was_recorded(api):
    """API.md: `movements: [{"kind", "points", "effective_on", "recorded_at", "ref"}]`. The
    licence's balance, a retrait and a course's credit were each recorded at an instant of the
    clock: `recorded_at` gives it (it was always null)."""
    number = "120175200123"
    api.set_today("02/09/2025")
    api.licence(number, obtained="01/09/2025")
    api.set_today("03/02/2026")
    infraction = api.infraction(number, "01/02/2026", points=3)
    api.set_today("10/03/2026")
    case = api.mandatory_case(number, infraction["id"], "10/03/2026")
    session = api.session("05/06/2026", "06/06/2026")
    api.enroll(case["id"], session["id"])
    api.set_today("06/06/2026")
    api.attendance(session["id"], [(number, "present", "present")])
    api.attestation(case["id"], "06/06/2026")
    api.set_today("08/06/2026")
    api.complete(case["id"], "verification_attestation", decision="valider")

    movements = api.ok(api.get(f"/api/v1/licences/{number}"))["movements"]
    by_kind = {m["kind"]: m for m in movements}
    assert instant(by_kind["solde"]["recorded_at"]) == dt.datetime(2025, 9, 2, tzinfo=PARIS)
    assert by_kind["retrait"]["ref"] == f"infraction:{infraction['id']}"
    assert instant(by_kind["retrait"]["recorded_at"]) == dt.datetime(2026, 2, 3, tzinfo=PARIS)
    assert by_kind["stage"]["effective_on"] == d("07/06/2026")
    assert instant(by_kind["stage"]["recorded_at"]) == dt.datetime(2026, 6, 8, tzinfo=PARIS)
