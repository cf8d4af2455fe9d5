"""The statistics' roll-up counters (issue 18, services/stat_counters.py): every command adds
its difference in its own transaction, so the counters always equal a rebuild from the cases
(`flask stats rebuild`), when a figure's column changes back and forth too; a rolled-back
command adds nothing; the migration that creates the tables goes down and up again."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import inspect, select

from services.db import db
from tests.helpers import CENTRE, OTHER_CENTRE
from tests.integration.test_statistics import PERIOD, known, stats  # noqa: F401  (fixture)


def _stored_equals_rebuild():
    from services import stat_counters

    db.session.rollback()
    stat_counters.catch_up_all()  # what a read of the statistics does first
    assert stat_counters.pending_count() == 0
    stored = stat_counters.stored()
    rebuilt = stat_counters.contributions(None)
    assert stored[0] == +rebuilt[0], "monthly counters differ from a rebuild"
    assert stored[1] == +rebuilt[1], "step counters differ from a rebuild"
    return stored


def _figure(figure, month, centre_id=0):
    from services import stat_counters
    from services.models import StatCounter

    stat_counters.catch_up_all()  # as the statistics' reads
    return db.session.scalar(select(StatCounter.n).where(
        StatCounter.figure == figure, StatCounter.month == month,
        StatCounter.centre_id == centre_id)) or 0


def test_every_command_keeps_the_counters_equal_to_a_rebuild(app, api, known):  # noqa: F811
    monthly, steps = _stored_equals_rebuild()
    figures = {f for _, _, f in monthly}
    for name in ("letters_48n", "obligation:met", "obligation:not_met", "cases_opened:mandatory",
                 "cases_opened:voluntary", "courses:in_time", "courses:no_deadline",
                 "points:credited", "points:points", "refunds:granted", "refunds:amount_cents",
                 "referrals:candidates", "credit:credited", "credit_days:10"):
        assert name in figures, name
    # the centre's rows: the cases with a seat at that centre
    assert {c for c, _, _ in monthly} == {0, _centre_id(CENTRE)}
    assert any(k == "task" and e == "signalement_parquet" for _, k, e, _ in steps)
    api.complete(known["B"]["id"], "signalement_parquet", decision="signaler",
                 motif="Deuxième manquement")
    monthly, steps = _stored_equals_rebuild()
    assert monthly[(0, "2026-05", "referrals:referred")] == 1
    assert not any(k == "task" and e == "signalement_parquet" for _, k, e, _ in steps)


def _centre_id(agrement):
    from services.models import Centre

    return db.session.scalar(select(Centre.id).where(Centre.agrement == agrement))


def test_a_column_that_changes_moves_the_case_between_figures(app, api, known):  # noqa: F811
    """Obligation, deadline, letter date, kind, enrolment's session (centre), refund event:
    each change takes the case off the figure it leaves and adds it to the one it joins."""
    from services import audit
    from services.db import transaction
    from services.models import Case, CourseSession, Enrollment

    a_id, b_id = known["A"]["id"], known["B"]["id"]
    assert _figure("obligation:met", "2026-01") == 1
    assert _figure("obligation:not_met", "2026-01") == 1
    with transaction():  # a re-decision: counted once, in its new figure
        db.session.get(Case, a_id).obligation = "not_met"
    assert _figure("obligation:met", "2026-01") == 0
    assert _figure("obligation:not_met", "2026-01") == 2
    with transaction():  # and back
        db.session.get(Case, a_id).obligation = "met"
    assert _figure("obligation:met", "2026-01") == _figure("obligation:not_met", "2026-01") == 1
    _stored_equals_rebuild()

    with transaction():  # a course judged late once the deadline is earlier than its last day
        db.session.get(Case, a_id).deadline = dt.date(2026, 3, 1)
    assert _figure("courses:in_time", "2026-03") == 0 and _figure("courses:late", "2026-03") == 1
    with transaction():  # a letter dated in another month moves the cohort
        db.session.get(Case, b_id).letter_sent_on = dt.date(2026, 2, 3)
    assert _figure("letters_48n", "2026-01") == 1 and _figure("letters_48n", "2026-02") == 1
    assert _figure("obligation:not_met", "2026-02") == 1
    _stored_equals_rebuild()

    centre, other = _centre_id(CENTRE), _centre_id(OTHER_CENTRE)
    assert _figure("letters_48n", "2026-01", centre) == 1
    with transaction():  # the session moved to another centre: its trainees' figures follow
        enrolment = db.session.scalars(select(Enrollment).where(
            Enrollment.case_id == a_id)).one()
        db.session.get(CourseSession, enrolment.session_id).centre_id = other
    assert _figure("letters_48n", "2026-01", centre) == 0
    assert _figure("letters_48n", "2026-01", other) == 1
    assert _figure("courses:late", "2026-03", other) == 1
    assert _figure("credit:credited", "2026-03", other) == 1
    _stored_equals_rebuild()

    cents = _figure("refunds:amount_cents", "2026-03")
    with transaction():  # a history event (Core INSERT, no flush) counts too
        audit.record(db.session.get(Case, b_id), "remboursement_decide", "test",
                     refund={"eligible": True, "amount": 12.5})
    assert _figure("refunds:amount_cents", "2026-05") == 1250  # today is in May
    assert _figure("refunds:amount_cents", "2026-03") == cents
    with transaction():
        db.session.get(Case, b_id).kind = "volontaire"
    assert _figure("letters_48n", "2026-02") == 0
    assert _figure("cases_opened:voluntary", "2026-01") == 6
    _stored_equals_rebuild()


def test_a_rolled_back_command_adds_nothing(app, api, known):  # noqa: F811
    from services import stat_counters
    from services.db import transaction
    from services.models import Case

    stat_counters.catch_up_all()
    before = stat_counters.stored()
    with pytest.raises(RuntimeError), transaction():
        db.session.get(Case, known["A"]["id"]).obligation = "not_met"
        db.session.flush()
        raise RuntimeError("refused")
    assert stat_counters.pending_count() == 0  # not even marked
    assert stat_counters.stored() == before
    assert not db.session.info.get("stat_counters")


def test_the_api_reads_the_counters(app, api, known):  # noqa: F811
    """Counters changed behind the cases' back (as a stale table would be) are what the API
    shows, and `flask stats rebuild` puts them right."""
    from services.db import transaction
    from services.models import StatCounter

    body = api.ok(stats(api, **PERIOD))
    with transaction():
        db.session.execute(StatCounter.__table__.update().where(
            StatCounter.figure == "letters_48n").values(n=StatCounter.n + 40))
    assert api.ok(stats(api, **PERIOD))["letters_48n"][0] == body["letters_48n"][0] + 40
    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Compteurs recalculés" in result.output
    again = api.ok(stats(api, **PERIOD))
    assert {k: v for k, v in again.items() if k != "computed_at"} == {
        k: v for k, v in body.items() if k != "computed_at"}


def test_demo_data_rules_replay_and_rebuild_agree(app):
    """The demo's six months of journeys, then `flask rules replay` (re-decisions), then a
    rebuild: the counters kept command by command equal those computed from scratch."""
    from services import demo, stat_counters

    with app.app_context():
        demo.seed()
        kept = _stored_equals_rebuild()
        assert sum(n for (c, _, f), n in kept[0].items() if c == 0 and f == "letters_48n") > 0
        result = app.test_cli_runner().invoke(args=["rules", "replay"])
        assert result.exit_code == 0, result.output
        from services import replay  # the replay proposes (issue 16): an agent accepts each

        for case, _proposal in replay.pending_cases(limit=10_000)[0]:
            replay.accept(case.id, "agent")
        assert replay.pending_cases()[1] == 0
        kept = _stored_equals_rebuild()
        result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
        assert result.exit_code == 0, result.output
        assert stat_counters.stored() == kept


def test_the_migration_goes_down_and_up(app):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        db.session.remove()
        downgrade(revision="review_choices")
        names = inspect(db.engine).get_table_names()
        assert "stat_counters" not in names and "stat_steps" not in names
        upgrade()
        names = inspect(db.engine).get_table_names()
        assert "stat_counters" in names and "stat_steps" in names


def test_a_command_that_changes_no_figure_marks_nothing_and_one_that_does_reads_nothing(
        app, api, known, monkeypatch):  # noqa: F811
    """Issue 17: a claim changes who holds a task, which no figure reads: the case is not even
    marked. Completing the task changes figures: the command marks the case and reads no
    contribution; the catch-up reads it once, after the command."""
    from services import stat_counters

    stat_counters.catch_up_all()
    calls = []
    for name in ("contributions", "contributions_by_case"):
        real = getattr(stat_counters, name)
        monkeypatch.setattr(stat_counters, name, lambda ids=None, real=real, name=name: (
            calls.append((name, set(ids) if ids is not None else None)) or real(ids)))
    task = api.task(known["B"]["id"], "signalement_parquet")
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/claim", as_="agent"))
    api.ok(api.post(f"/api/v1/tasks/{task['id']}/unclaim", as_="agent"))
    assert calls == [] and stat_counters.pending_count() == 0
    api.complete(known["B"]["id"], "signalement_parquet", decision="signaler", motif="Manquement")
    assert calls == [] and stat_counters.pending_count() == 1
    assert stat_counters.catch_up_all() == 1
    assert calls == [("contributions_by_case", {known["B"]["id"]})]
    _stored_equals_rebuild()


def test_a_one_case_read_has_its_constants_written_in_and_reads_the_same(app, api, known):  # noqa: F811
    """Issue 17: a command reads one case's contribution with the statement's constants (about
    760 labels, formats, JSON paths) written into its SQL, one parameter to bind; it reads what
    the statement as built (the several-case one) reads, for every case, on both databases."""
    from services import stat_counters
    from services.models import Case

    stmt = stat_counters._cases_statement(True)
    assert set(stmt.compile(dialect=db.session.get_bind().dialect).binds) == {"id"}
    read = 0
    ids = db.session.scalars(select(Case.id)).all()
    by_case = stat_counters.contributions_by_case([*ids, -1])  # the catch-up's statement
    assert by_case.pop(-1) == (Counter(), Counter())
    for case_id in ids:
        one = stat_counters.contributions({case_id})
        assert one == stat_counters._of_cases([case_id, -1])  # -1: no case, the built statement
        assert by_case[case_id] == one
        read += bool(one[0]) + bool(one[1])
    assert read > 10


# ---- issue 17: the counters caught up after the command ------------------------------------------

def test_a_command_marks_its_case_and_a_read_of_the_statistics_catches_up_first(app, api, known):  # noqa: F811
    """The command leaves the counters as they are and marks the case; the next read of the
    statistics adds the difference before reading, so it shows the command at once."""
    from services import stat_counters

    body = api.ok(stats(api, **PERIOD))
    assert stat_counters.pending_count() == 0  # the read caught everything up
    stored = stat_counters.stored()
    api.complete(known["B"]["id"], "signalement_parquet", decision="signaler",
                 motif="Deuxième manquement")
    db.session.rollback()
    assert stat_counters.pending_count() == 1
    assert stat_counters.stored() == stored  # not yet
    again = api.ok(stats(api, **PERIOD))
    assert again["referrals"]["referred"][4] == body["referrals"]["referred"][4] + 1  # May
    assert stat_counters.pending_count() == 0
    _stored_equals_rebuild()


def test_a_case_not_caught_up_since_a_rebuild_is_read_before_its_first_change(
        app, api, known, monkeypatch):  # noqa: F811
    """A rebuild forgets what each case added (its counters are recomputed as a whole): the
    first command that changes a case then reads the case's contribution before changing it,
    once; the catch-up adds the difference against it."""
    from services import stat_counters
    from services.models import StatCaseParts

    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert db.session.query(StatCaseParts).count() == 0
    calls = []
    real = stat_counters.contributions
    monkeypatch.setattr(stat_counters, "contributions",
                        lambda ids=None: calls.append(ids) or real(ids))
    api.complete(known["B"]["id"], "signalement_parquet", decision="signaler", motif="Manquement")
    assert calls == [{known["B"]["id"]}]  # before the change, in the command
    db.session.rollback()
    row = db.session.get(StatCaseParts, known["B"]["id"])
    assert row.pending is not None and row.parts["m"]  # what the counters held of it
    result = app.test_cli_runner().invoke(args=["stats", "catch-up"])
    assert result.exit_code == 0, result.output
    assert "1 dossier(s) ajouté(s)" in result.output
    _stored_equals_rebuild()


def test_a_case_marked_again_while_it_is_caught_up_is_caught_up_again(
        app, api, known, monkeypatch):  # noqa: F811
    """A catch-up holds the marked rows (FOR UPDATE on PostgreSQL, the write lock on SQLite):
    a command that changes the same case meanwhile waits, marks it again after, and its change
    is added by the next catch-up, never lost nor added twice."""
    import threading
    import time

    from services import stat_counters
    from services.db import transaction
    from services.models import Case
    from tests.threads import side_by_side

    stat_counters.catch_up_all()
    api.complete(known["B"]["id"], "signalement_parquet", decision="signaler", motif="Manquement")
    db.session.rollback()
    assert stat_counters.pending_count() == 1
    reading = threading.Event()
    real = stat_counters.contributions_by_case

    def slow(ids):
        done["held_at"] = time.monotonic()
        reading.set()  # the catch-up holds the case's row: keep it a moment
        time.sleep(0.5)
        return real(ids)

    monkeypatch.setattr(stat_counters, "contributions_by_case", slow)
    done = {}

    def catch_up():
        done["caught_up"] = stat_counters.catch_up()

    def change():
        reading.wait(10)
        with transaction():
            db.session.get(Case, known["B"]["id"]).obligation = "met"
        done["changed_at"] = time.monotonic()

    side_by_side(api.app, catch_up, change)
    # the change waited for the catch-up's hold (0.5 s) to end: measured from the change's own
    # side, since the catch-up thread may be descheduled between its commit and its clock read
    # (a loaded machine once read the change 1.4 ms « before » the catch-up's end)
    assert done["caught_up"] == 1 and done["changed_at"] - done["held_at"] >= 0.5
    monkeypatch.setattr(stat_counters, "contributions_by_case", real)
    db.session.rollback()
    assert stat_counters.pending_count() == 1  # the change's mark survived the catch-up
    _stored_equals_rebuild()
