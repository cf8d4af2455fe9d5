"""A QA finding: the referral task's reminder (R21) was due 1 µs after Paris midnight, stored in
UTC (« 2027-01-25T23:00:00.000001+00:00 »), and the clock set to that midnight did not fire it.
It is due at the start of the Paris day, with the Paris offset, like the deadline timer (D1)."""

from __future__ import annotations

from tests.integration.test_journey_mandatory import open_case


def test_R21_the_referral_reminder_is_due_at_paris_midnight_and_fires_then(api):
    case = open_case(api)
    api.set_today("11/07/2026")  # the day after the deadline (D1): the referral task (R21)
    api.run_timers()
    timers = {t["name"]: t["due_at"] for t in api.case(case["id"])["timers"]}
    assert timers["relance_signalement"] == "2026-07-18T00:00:00+02:00"  # P7D, the DMN's delay

    api.set_today("18/07/2026")  # exactly that midnight
    assert api.run_timers() == 1
    [task] = api.case(case["id"])["tasks"]
    assert task["key"] == "signalement_parquet"
    assert any(f["rule"] == "relance" for f in api.case(case["id"])["flags"])
