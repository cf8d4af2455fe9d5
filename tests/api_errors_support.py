"""Shared checks for the API error tests: problem+json shape, French messages, flat dotted
`errors`, and a snapshot of every stored row to prove that a rejected write stored nothing."""

from __future__ import annotations

import re

from sqlalchemy import select

from services.db import db
from tests.helpers import CENTRE, OTHER_CENTRE, d

__all__ = ["CENTRE", "OTHER_CENTRE", "NUM", "ROLE_OF", "assert_problem", "endpoint_id",
           "forbidden", "send", "snapshot", "unchanged", "World", "d"]

NUM = "120175200123"
OTHER_NUM = "120175200999"

# The error tests' endpoint tables are (method, path with {id} fields, body, roles allowed):
# a body in bytes is sent as BPMN XML, a dict as JSON. The users they try, with their role:
ROLE_OF = {"agent": "agent", "designer": "designer", "centre75": "centre"}


def endpoint_id(endpoint) -> str:
    return f"{endpoint[0]} {endpoint[1].split('?')[0]}"


def forbidden(endpoints) -> list[tuple]:
    """(endpoint, user) for every user of ROLE_OF whose role the endpoint does not allow."""
    return [(e, user) for e in endpoints for user, role in ROLE_OF.items() if role not in e[3]]


def send(api, endpoint, ids, as_, raw=None, headers=None, **query):
    """Call an endpoint of such a table, its path's {fields} filled from `ids`; `raw` replaces
    the body's bytes."""
    method, path, body = endpoint[:3]
    path = path.format(**ids)
    if isinstance(body, bytes):
        return api.request(method, path, as_=as_, raw=body if raw is None else raw,
                           headers={"Content-Type": "application/xml", **(headers or {})},
                           **query)
    return api.request(method, path, body, as_=as_, raw=raw, headers=headers, **query)

# Words marshmallow, webargs, werkzeug or jsonschema would use in English; none is French.
ENGLISH = re.compile(
    r"\b(not a valid|missing data|unknown field|field may not|must be|may not be|is not|"
    r"is required|invalid input|longer than|shorter than|greater than|less than|the|"
    r"failed to decode|bad request|not found|unauthorized|forbidden|conflict|"
    r"too large|internal server error|expected|should|none of)\b", re.IGNORECASE)
# Tables whose rows a request may legitimately touch without storing anything: the throttling
# counters, which count refused requests (a centre's refused enrolments: that is their point).
IGNORED_TABLES: set[str] = {"rate_counters"}


def assert_french(text: str) -> None:
    assert isinstance(text, str) and text.strip(), text
    assert not ENGLISH.search(text), f"message not in French: {text!r}"


def assert_problem(resp, status: int, *fields: str, rule: str | None = None) -> dict:
    """`resp` is a problem+json of `status`; each of `fields` is a key of its flat `errors`."""
    text = resp.get_data(as_text=True)
    assert resp.status_code == status, (resp.status_code, text[:2000])
    assert resp.mimetype == "application/problem+json", (resp.mimetype, text[:500])
    body = resp.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    assert_french(body["title"])
    assert_french(body["detail"])
    errors = body.get("errors") or {}
    assert isinstance(errors, dict)
    for key, messages in errors.items():
        assert isinstance(key, str) and "{" not in key, body
        assert isinstance(messages, list) and messages, body
        for message in messages:
            assert isinstance(message, str), body  # flat: never a nested object
            assert_french(message)
    for field in fields:
        assert field in errors, (field, body)
    if status == 422:
        assert errors, body
    if rule:
        assert re.search(rf"\b(?:{rule})\b", body["detail"]), (rule, body["detail"])
    return body


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order (run inside the app context)."""
    db.session.rollback()  # read the committed state, not this session's cache
    out = {}
    for table in db.metadata.sorted_tables:
        if table.name in IGNORED_TABLES:
            continue
        rows = db.session.execute(select(table)).all()
        out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    db.session.rollback()
    return out


class unchanged:  # noqa: N801 - reads as a sentence: `with unchanged(): ...`
    """`with unchanged(): resp = ...` asserts that the database holds the same rows after."""

    def __enter__(self):
        self.before = snapshot()
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            after = snapshot()
            changed = {t for t in after if after[t] != self.before.get(t)}
            assert not changed, f"rows changed by a rejected request in: {sorted(changed)}"
        return False


class World:
    """A small set of stored resources the error tests refer to (built on demand)."""

    def __init__(self, api):
        self.api = api

    def licence(self, number=NUM, **kw):
        return self.api.licence(number, **kw)

    def mandatory_case(self, number=NUM, received="02/03/2026"):
        """A mandatory case waiting for an enrollment (clock: 02/03/2026)."""
        self.api.licence(number)
        inf = self.api.infraction(number, "01/02/2026", points=3)
        assert inf["triggers_48n"] is True
        self.api.set_today(received)
        return self.api.mandatory_case(number, inf["id"], received)

    def session(self, centre=CENTRE, day1="05/06/2026", day2="06/06/2026", capacity=20, fill=0):
        return self.api.session(day1, day2, centre=centre, capacity=capacity, fill=fill)

    def attended_case(self, day1="absent", day2="present"):
        """A mandatory case whose session is held (clock moved to day 2)."""
        case = self.mandatory_case()
        session = self.session()
        self.api.enroll(case["id"], session["id"])
        self.api.set_today("06/06/2026")
        self.api.attendance(session["id"], [(NUM, day1, day2)])
        return case, session

    def verification_task(self):
        """A case whose attestation was received: its `verification_attestation` task is open."""
        case, _session = self.attended_case("present", "present")
        self.api.set_today("10/06/2026")
        self.api.attestation(case["id"], "10/06/2026")
        return case, self.api.task(case["id"], "verification_attestation")
