"""422 for every endpoint that takes input: wrong types, missing or unknown fields, impossible
dates, out-of-range values and unknown references inside a body, each named by its flat dotted
path with a French message; a rule refusal cites its rule id; and nothing is stored."""

from __future__ import annotations

import copy

import pytest

from tests.api_errors_support import CENTRE, NUM, World, assert_problem, unchanged

DEL = object()  # remove the field

LICENCE = {"number": "120175200777", "probation": "classic", "obtained_on": "2025-09-01",
           "formation_complementaire": False, "balance": {"points": 6, "on": "2025-09-01"},
           "holder": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2004-05-02"}}
INFRACTION = {"committed_on": "2026-02-01", "points": 3, "offence_class": "C4",
              "label": "Excès de vitesse", "decision_on": "2026-02-01",
              "established_on": "2026-02-01",
              "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": "2026-02-01"}}
INVALIDATION = {"decision_on": "2026-02-10", "notified_on": "2026-02-12"}
CENTRE_BODY = {"agrement": "R2401300030", "name": "Centre Marseille", "departement": "13",
               "valid_until": "2030-12-31"}
SESSION = {"centre": CENTRE, "day1": "2026-06-12", "day2": "2026-06-13", "capacity": 20,
           "driving_sequence": False}
CANCEL = {"on": "2026-03-02", "reason": "effectif insuffisant"}
ATTENDANCE = {"records": [{"licence": NUM, "day1": "present", "day2": "present"}]}
MANDATORY = {"kind": "obligatoire", "licence": "{num2}", "infraction": "{inf2}",
             "letter_48n": {"sent_on": "2026-02-25", "receipt": "signed",
                            "received_on": "2026-03-02"}}
ENROLLMENT = {"session": "{s}"}
ATTESTATION = {"received_on": "2026-06-06"}
COMPLETE = {"data": {"decision": "valider"}}
DAYS = "D12|R31"
NUM2 = "120175200456"


@pytest.fixture
def world(api):
    """Clock 02/03/2026; licence NUM with a 3-point infraction ({inf}) that triggers a 48N;
    a mandatory case ({c}) on it waiting for an enrollment; a session of CENTRE ({s});
    licence NUM2 with a 3-point infraction ({inf2}) that has no case yet."""
    w = World(api)
    case = w.mandatory_case()
    session = w.session()
    api.licence(NUM2)
    inf2 = api.infraction(NUM2, "01/02/2026", points=3)
    assert inf2["triggers_48n"] is True
    w.ids = {"num": NUM, "inf": case["infraction"], "c": case["id"], "s": session["id"],
             "num2": NUM2, "inf2": inf2["id"]}
    return w


@pytest.fixture
def held(world):
    """The case enrolled in the session, clock on day 2 (06/06/2026): attendance is due."""
    world.api.enroll(world.ids["c"], world.ids["s"])
    world.api.set_today("06/06/2026")
    return world


@pytest.fixture
def attested(held):
    """The session held, NUM present both days: an attestation issued on 06/06/2026."""
    held.api.attendance(held.ids["s"], [(NUM, "present", "present")])
    return held


@pytest.fixture
def task(attested):
    attested.api.attestation(attested.ids["c"], "06/06/2026")
    attested.ids["t"] = attested.api.task(attested.ids["c"], "verification_attestation")["id"]
    return attested


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def mutate(body, changes: dict):
    """A copy of `body` with each dotted path set to its value (DEL removes it)."""
    body = copy.deepcopy(body)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is DEL:
            node.pop(last, None)
        else:
            node[last] = value
    return body


def row(fixture, method, path, base, changes, field, name, rule=None):
    return pytest.param(fixture, method, path, base, changes, field, rule,
                        id=f"{method} {path.split('?')[0]} {name}")


ROWS = [
    # ---- POST /licences
    row("world", "POST", "/api/v1/licences", LICENCE, {"holder.birth_date": "2026-02-30"},
        "holder.birth_date", "impossible birth date"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"obtained_on": "2025-13-01"},
        "obtained_on", "month 13"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"obtained_on": 20250901},
        "obtained_on", "date as a number"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"obtained_on": "01/09/2025"},
        "obtained_on", "French date format"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"number": DEL}, "number", "missing number"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"number": 120175200777}, "number",
        "number as integer"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"number": None}, "number", "null number"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"number": "1201 752"}, "number",
        "number with a space"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"number": ""}, "number", "empty number"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"holder": "Martin"}, "holder",
        "holder as text"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"holder": DEL}, "holder",
        "missing holder"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"holder.last_name": DEL},
        "holder.last_name", "missing last name"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"holder.first_name": "x" * 500},
        "holder.first_name", "first name too long"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"holder.surnom": "Lili"},
        "holder.surnom", "unknown holder field"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"couleur": "rose"}, "couleur",
        "unknown field"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"probation": "longue"}, "probation",
        "unknown probation"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"formation_complementaire": "oui"},
        "formation_complementaire", "boolean as text"),
    row("world", "POST", "/api/v1/licences", LICENCE,
        {"probation": "none", "formation_complementaire": True, "balance": None},
        "formation_complementaire", "complementary training without probation"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"balance.points": 13}, "balance.points",
        "balance above 12"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"balance.points": 2.5}, "balance.points",
        "fractional balance"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"balance.points": True}, "balance.points",
        "boolean balance"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"balance.on": "2026-02-30"}, "balance.on",
        "impossible balance date"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"balance.on": "2025-08-01"}, "balance.on",
        "balance before the licence"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"balance": 7}, "balance",
        "balance as a number"),
    row("world", "POST", "/api/v1/licences", LICENCE, {"holder.birth_date": "2025-10-01"},
        "holder.birth_date", "born after obtaining the licence"),
    # ---- GET /licences/{n}/balance
    row("world", "GET", "/api/v1/licences/{num}/balance", None, {}, "on", "missing on"),
    row("world", "GET", "/api/v1/licences/{num}/balance?on=2026-02-30", None, {}, "on",
        "impossible on"),
    row("world", "GET", "/api/v1/licences/{num}/balance?on=2026-03-01&x=1", None, {}, "x",
        "unknown query parameter"),
    # ---- POST /licences/{n}/infractions
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"points": 0},
        "points", "zero points"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"points": 9},
        "points", "nine points"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"points": "trois"},
        "points", "points as text"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"points": 2.5},
        "points", "fractional points"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"points": True},
        "points", "boolean points"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"offence_class": "C6"}, "offence_class", "unknown class"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"label": ""},
        "label", "empty label"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"committed_on": "2026-02-30"}, "committed_on", "impossible date"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"decision_on": DEL}, "decision_on", "missing decision"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"decision_on": "2026-01-15"}, "decision_on", "decision before the offence"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"established_on": "2026-01-15"}, "established_on", "established before the offence"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"fine.kind": "x"},
        "fine.kind", "unknown fine kind"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"fine.amount": -1},
        "fine.amount", "negative fine"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"fine.amount": "cent"}, "fine.amount", "fine as text"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"fine.paid_on": "2026-02-31"}, "fine.paid_on", "impossible payment date"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"fine": "135"},
        "fine", "fine as text"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION,
        {"fine.devise": "EUR"}, "fine.devise", "unknown fine field"),
    row("world", "POST", "/api/v1/licences/{num}/infractions", INFRACTION, {"vitesse": 50},
        "vitesse", "unknown field"),
    # ---- POST /licences/{n}/invalidation
    row("world", "POST", "/api/v1/licences/{num}/invalidation", INVALIDATION,
        {"decision_on": DEL}, "decision_on", "missing decision"),
    row("world", "POST", "/api/v1/licences/{num}/invalidation", INVALIDATION,
        {"decision_on": "2026-02-30"}, "decision_on", "impossible date"),
    row("world", "POST", "/api/v1/licences/{num}/invalidation", INVALIDATION,
        {"notified_on": "2026-02-01"}, "notified_on", "notified before the decision"),
    row("world", "POST", "/api/v1/licences/{num}/invalidation", INVALIDATION,
        {"motif": "solde nul"}, "motif", "unknown field"),
    # ---- POST /centres
    row("world", "POST", "/api/v1/centres", CENTRE_BODY, {"agrement": DEL}, "agrement",
        "missing agrement"),
    row("world", "POST", "/api/v1/centres", CENTRE_BODY, {"agrement": 2401300030}, "agrement",
        "agrement as a number"),
    row("world", "POST", "/api/v1/centres", CENTRE_BODY, {"departement": "99"}, "departement",
        "unknown departement"),
    row("world", "POST", "/api/v1/centres", CENTRE_BODY, {"valid_until": "2030-02-30"},
        "valid_until", "impossible date"),
    row("world", "POST", "/api/v1/centres", CENTRE_BODY, {"name": ""}, "name", "empty name"),
    row("world", "POST", "/api/v1/centres", CENTRE_BODY, {"siret": "123"}, "siret",
        "unknown field"),
    # ---- POST /sessions
    row("world", "POST", "/api/v1/sessions", SESSION, {"centre": "R0000000000"}, "centre",
        "unknown centre"),
    row("world", "POST", "/api/v1/sessions", SESSION, {"centre": DEL}, "centre",
        "missing centre"),
    row("world", "POST", "/api/v1/sessions", SESSION, {"day1": "2026-02-30"}, "day1",
        "impossible date"),
    row("world", "POST", "/api/v1/sessions", SESSION, {"capacity": 0}, "capacity",
        "zero capacity"),
    row("world", "POST", "/api/v1/sessions", SESSION, {"capacity": 21}, "capacity",
        "capacity over 20"),
    row("world", "POST", "/api/v1/sessions", SESSION, {"capacity": "vingt"}, "capacity",
        "capacity as text"),
    row("world", "POST", "/api/v1/sessions", SESSION, {"driving_sequence": "peut-être"},
        "driving_sequence", "boolean as text"),
    row("world", "POST", "/api/v1/sessions", SESSION, {"salle": "B"}, "salle", "unknown field"),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2026-06-06", "day2": "2026-06-07"}, "day2", "day 2 on a Sunday", DAYS),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2026-06-07", "day2": "2026-06-08"}, "day1", "day 1 on a Sunday", DAYS),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2026-07-13", "day2": "2026-07-14"}, "day2", "day 2 on 14 July", DAYS),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2026-05-01", "day2": "2026-05-02"}, "day1", "day 1 on 1 May", DAYS),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2026-06-12", "day2": "2026-06-15"}, "day2", "non-consecutive days", DAYS),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2026-06-13", "day2": "2026-06-12"}, "day2", "day 2 before day 1", DAYS),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2026-12-25", "day2": "2026-12-27"}, "day1", "holiday and not consecutive", DAYS),
    row("world", "POST", "/api/v1/sessions", SESSION,
        {"day1": "2031-01-10", "day2": "2031-01-11"}, "centre", "agrement expired"),
    # ---- GET /sessions
    row("world", "GET", "/api/v1/sessions?from=2026-02-30", None, {}, "from", "impossible from"),
    row("world", "GET", "/api/v1/sessions?to=demain", None, {}, "to", "to as text"),
    row("world", "GET", "/api/v1/sessions?from=2027-01-01&to=2026-01-01", None, {}, "to",
        "period ending before it starts"),
    row("world", "GET", "/api/v1/sessions/export?from=2027-01-01&to=2026-01-01", None, {}, "to",
        "export: period ending before it starts"),
    row("world", "GET", "/api/v1/sessions?per_page=201", None, {}, "per_page", "per_page > 200"),
    row("world", "GET", "/api/v1/sessions?page=0", None, {}, "page", "page 0"),
    row("world", "GET", "/api/v1/sessions?page=un", None, {}, "page", "page as text"),
    row("world", "GET", "/api/v1/sessions?salle=B", None, {}, "salle", "unknown parameter"),
    # ---- POST /sessions/{id}/cancel
    row("world", "POST", "/api/v1/sessions/{s}/cancel", CANCEL, {"on": DEL}, "on", "missing on"),
    row("world", "POST", "/api/v1/sessions/{s}/cancel", CANCEL, {"on": "2026-02-30"}, "on",
        "impossible date"),
    row("world", "POST", "/api/v1/sessions/{s}/cancel", CANCEL, {"reason": ""}, "reason",
        "empty reason"),
    row("world", "POST", "/api/v1/sessions/{s}/cancel", CANCEL, {"reason": 42}, "reason",
        "reason as a number"),
    row("world", "POST", "/api/v1/sessions/{s}/cancel", CANCEL, {"par": "centre"}, "par",
        "unknown field"),
    # ---- POST /sessions/{id}/attendance
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE, {"records": DEL},
        "records", "missing records"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE, {"records": "tous"},
        "records", "records as text"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE,
        {"records.0.day1": "peut-être"}, "records.0.day1", "unknown presence"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE,
        {"records.0.day2": None}, "records.0.day2", "null presence"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE,
        {"records.0.licence": DEL}, "records.0.licence", "missing licence"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE,
        {"records.0.note": "ok"}, "records.0.note", "unknown record field"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE,
        {"records.0.licence": "999999999999"}, "records.0.licence", "unknown licence"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE, {"records": []},
        "records", "an enrolled trainee missing"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE,
        {"records": [{"licence": NUM, "day1": "present", "day2": "present"},
                     {"licence": NUM, "day1": "absent", "day2": "absent"}]},
        "records.1.licence", "a trainee twice"),
    row("held", "POST", "/api/v1/sessions/{s}/attendance", ATTENDANCE, {"records.0": "x"},
        "records.0", "record as text"),
    # ---- POST /cases
    row("world", "POST", "/api/v1/cases", MANDATORY, {"licence": "999999999999"}, "licence",
        "unknown licence"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"licence": DEL}, "licence",
        "missing licence"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"infraction": 999}, "infraction",
        "unknown infraction"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"infraction": "dix-sept"}, "infraction",
        "infraction as text"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"infraction": DEL}, "infraction",
        "mandatory without infraction"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n": DEL}, "letter_48n",
        "mandatory without letter"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"kind": "facultatif"}, "kind",
        "unknown kind"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.received_on": "2026-02-30"},
        "letter_48n.received_on", "impossible reception date"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.sent_on": DEL},
        "letter_48n.sent_on", "missing sending date"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.receipt": "perdu"},
        "letter_48n.receipt", "unknown receipt"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.received_on": "2026-02-20"},
        "letter_48n.received_on", "received before sent"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.receipt": "npai"},
        "letter_48n.received_on", "NPAI with a reception date"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.received_on": None},
        "letter_48n.received_on", "signed without reception date"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.received_on": "2026-03-20"},
        "letter_48n.received_on", "reception in the future"),
    row("world", "POST", "/api/v1/cases", MANDATORY,
        {"letter_48n.sent_on": "2026-03-03", "letter_48n.received_on": None,
         "letter_48n.receipt": "npai"}, "letter_48n.sent_on", "sent in the future"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n.facteur": "x"},
        "letter_48n.facteur", "unknown letter field"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"letter_48n": "2026-03-02"},
        "letter_48n", "letter as text"),
    row("world", "POST", "/api/v1/cases", MANDATORY, {"urgence": True}, "urgence",
        "unknown field"),
    # ---- GET /cases, GET /cases/{id}/events
    row("world", "GET", "/api/v1/cases?per_page=0", None, {}, "per_page", "per_page 0"),
    row("world", "GET", "/api/v1/cases?overdue=peut-etre", None, {}, "overdue",
        "overdue as text"),
    row("world", "GET", "/api/v1/cases?tri=nom", None, {}, "tri", "unknown parameter"),
    row("world", "GET", "/api/v1/cases/{c}/events?per_page=201", None, {}, "per_page",
        "per_page > 200"),
    # ---- POST /cases/{id}/enrollment
    row("world", "POST", "/api/v1/cases/{c}/enrollment", ENROLLMENT, {"session": DEL},
        "session", "missing session"),
    row("world", "POST", "/api/v1/cases/{c}/enrollment", ENROLLMENT, {"session": "douze"},
        "session", "session as text"),
    row("world", "POST", "/api/v1/cases/{c}/enrollment", ENROLLMENT, {"session": 999},
        "session", "unknown session"),
    row("world", "POST", "/api/v1/cases/{c}/enrollment", ENROLLMENT, {"place": 3}, "place",
        "unknown field"),
    # ---- POST /cases/{id}/attestation
    row("attested", "POST", "/api/v1/cases/{c}/attestation", ATTESTATION, {"received_on": DEL},
        "received_on", "missing date"),
    row("attested", "POST", "/api/v1/cases/{c}/attestation", ATTESTATION,
        {"received_on": "2026-06-31"}, "received_on", "impossible date"),
    row("attested", "POST", "/api/v1/cases/{c}/attestation", ATTESTATION,
        {"received_on": "2026-06-20"}, "received_on", "in the future"),
    row("attested", "POST", "/api/v1/cases/{c}/attestation", ATTESTATION,
        {"received_on": "2026-06-05"}, "received_on", "before the attestation"),
    row("attested", "POST", "/api/v1/cases/{c}/attestation", ATTESTATION, {"copie": True},
        "copie", "unknown field"),
    # ---- GET /tasks, POST /tasks/{id}/complete
    row("world", "GET", "/api/v1/tasks?per_page=201", None, {}, "per_page", "per_page > 200"),
    row("world", "GET", "/api/v1/tasks?state=perdue", None, {}, "state", "unknown state"),
    row("world", "GET", "/api/v1/tasks?case=abc", None, {}, "case", "case as text"),
    row("world", "GET", "/api/v1/tasks?mine=peut-etre", None, {}, "mine", "mine as text"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"data": DEL}, "data",
        "missing data"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"data": "valider"}, "data",
        "data as text"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"data.decision": "peut-être"},
        "data.decision", "unknown decision"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"data.decision": DEL},
        "data.decision", "missing decision"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"data.decision": "refuser"},
        "data.motif", "refusal without motif"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"data.decision": 1},
        "data.decision", "decision as a number"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"data.note": "ok"},
        "data.note", "unknown data field"),
    row("task", "POST", "/api/v1/tasks/{t}/complete", COMPLETE, {"commentaire": "ok"},
        "commentaire", "unknown field"),
    # ---- GET /processes
    row("world", "GET", "/api/v1/processes?per_page=500", None, {}, "per_page",
        "per_page > 200"),
    # ---- PUT /clock
    row("world", "PUT", "/api/v1/clock", {}, {}, "today", "neither today nor now"),
    row("world", "PUT", "/api/v1/clock", {"today": "2026-03-05"},
        {"now": "2026-03-05T10:00:00+01:00"}, "today", "both today and now"),
    row("world", "PUT", "/api/v1/clock", {"today": "2026-03-05"}, {"today": "2026-02-30"},
        "today", "impossible date"),
    row("world", "PUT", "/api/v1/clock", {"now": "2026-03-05T10:00:00+01:00"},
        {"now": "2026-03-05T10:00:00"}, "now", "instant without offset"),
    row("world", "PUT", "/api/v1/clock", {"now": "2026-03-05T10:00:00+01:00"},
        {"now": "demain"}, "now", "instant as text"),
    row("world", "PUT", "/api/v1/clock", {"today": "2026-03-05"}, {"fuseau": "UTC"}, "fuseau",
        "unknown field"),
]


@pytest.mark.parametrize(("fixture", "method", "path", "base", "changes", "field", "rule"),
                         ROWS)
def test_invalid_input_is_422_naming_the_field_and_stores_nothing(
        request, fixture, method, path, base, changes, field, rule):
    w = request.getfixturevalue(fixture)
    body = None if base is None else mutate(_fill(base, w.ids), changes)
    as_ = "designer" if "/processes" in path else "agent"
    if method == "PUT":
        as_ = "admin"
    with unchanged():
        resp = w.api.request(method, path.format(**w.ids), body, as_=as_)
        assert_problem(resp, 422, field, rule=rule)


# ---- named cases of the contract ---------------------------------------------------------------

def test_post_cases_unknown_licence_is_422_naming_licence(world):
    body = _fill(mutate(MANDATORY, {"licence": "999999999999"}), world.ids)
    with unchanged():
        assert_problem(world.api.post("/api/v1/cases", body, as_="agent"), 422, "licence")


def test_post_cases_infraction_of_another_licence_is_422_naming_infraction(world):
    world.api.licence("120175200888")
    other = world.api.infraction("120175200888", "01/02/2026", points=3)
    body = _fill(mutate(MANDATORY, {"infraction": other["id"]}), world.ids)
    with unchanged():
        assert_problem(world.api.post("/api/v1/cases", body, as_="agent"), 422, "infraction")


def test_post_cases_infraction_without_48n_is_422_citing_R15(world):
    small = world.api.infraction(NUM, "02/02/2026", points=1)
    assert small["triggers_48n"] is False
    body = _fill(mutate(MANDATORY, {"licence": NUM, "infraction": small["id"]}), world.ids)
    with unchanged():
        assert_problem(world.api.post("/api/v1/cases", body, as_="agent"), 422, "infraction",
                       rule="R15")


@pytest.mark.parametrize("kind", ["obligatoire", "volontaire"])
def test_post_cases_on_invalidated_licence_is_422_citing_R42(world, kind):
    world.api.ok(world.api.post(f"/api/v1/licences/{NUM}/invalidation",
                                {"decision_on": "2026-03-01", "notified_on": "2026-03-02"}), 201)
    world.api.licence("120175200888")
    inf = world.api.infraction("120175200888", "01/02/2026", points=3)
    world.api.ok(world.api.post("/api/v1/licences/120175200888/invalidation",
                                {"decision_on": "2026-03-01", "notified_on": "2026-03-02"}), 201)
    body = ({"kind": "volontaire", "licence": NUM} if kind == "volontaire" else
            _fill(mutate(MANDATORY, {"licence": "120175200888", "infraction": inf["id"]}),
                  world.ids))
    with unchanged():
        assert_problem(world.api.post("/api/v1/cases", body, as_="agent"), 422, "licence",
                       rule="R42")


def test_post_cases_rejected_leaves_no_case_no_instance_no_event(world, app):
    from sqlalchemy import func, select

    from services.db import db
    from services.models import Case, CaseEvent, ProcessInstance

    def counts():
        db.session.rollback()
        return [db.session.scalar(select(func.count()).select_from(m))
                for m in (Case, ProcessInstance, CaseEvent)]

    before = counts()
    small = world.api.infraction(NUM, "02/02/2026", points=1)
    before = counts()
    body = _fill(mutate(MANDATORY, {"licence": NUM, "infraction": small["id"]}), world.ids)
    assert_problem(world.api.post("/api/v1/cases", body, as_="agent"), 422, rule="R15")
    assert counts() == before


@pytest.mark.parametrize(("day1", "day2", "why"), [
    ("2026-06-06", "2026-06-07", "dimanche"),
    ("2026-07-13", "2026-07-14", "férié"),
    ("2026-06-10", "2026-06-12", "consécutifs"),
], ids=["sunday", "public-holiday", "not-consecutive"])
def test_post_sessions_bad_days_is_422_citing_D12_or_R31(world, day1, day2, why):
    body = dict(SESSION, day1=day1, day2=day2)
    with unchanged():
        problem = assert_problem(world.api.post("/api/v1/sessions", body, as_="centre75"), 422)
    assert "D12" in problem["detail"] or "R31" in problem["detail"], problem
    assert set(problem["errors"]) <= {"day1", "day2"}, problem


def test_several_problems_of_a_session_are_told_as_sentences_in_the_detail(world):
    """A QA finding: the 422's `detail` ran its messages together (« …(20/12/2026 puis
    19/12/2026) R31 : … »); each now ends with its full stop, a space before the next."""
    body = dict(SESSION, day1="2026-12-20", day2="2026-12-19")  # a Sunday, then the Saturday
    with unchanged():
        problem = assert_problem(world.api.post("/api/v1/sessions", body, as_="agent"), 422)
    assert problem["detail"] == (
        "Dates de stage invalides : D12 : les deux journées doivent être consécutives "
        "(20/12/2026 puis 19/12/2026). R31 : le premier jour du stage (20/12/2026) est un "
        "dimanche.")


def test_post_sessions_unknown_centre_is_422_naming_centre(world):
    with unchanged():
        assert_problem(world.api.post("/api/v1/sessions", dict(SESSION, centre="R0000000000"),
                                      as_="agent"), 422, "centre")


def test_post_enrollment_unknown_session_is_422_naming_session(world):
    with unchanged():
        resp = world.api.post(f"/api/v1/cases/{world.ids['c']}/enrollment", {"session": 999},
                              as_="agent")
        assert_problem(resp, 422, "session")


def test_put_clock_errors_are_flat_and_french(world):
    with unchanged():
        resp = world.api.request("PUT", "/api/v1/clock", {"today": "2026-02-30", "x": 1})
        problem = assert_problem(resp, 422, "today", "x")
    assert all("." not in key for key in problem["errors"])


def test_post_processes_version_invalid_xml_is_422_with_errors(world):
    with unchanged():
        resp = world.api.request("POST", "/api/v1/processes/stage_obligatoire/versions",
                                 as_="designer", raw=b"<definitions><pas-ferme>",
                                 headers={"Content-Type": "application/xml"})
        assert_problem(resp, 422)


def test_post_processes_version_empty_body_is_422(world):
    with unchanged():
        resp = world.api.request("POST", "/api/v1/processes/stage_obligatoire/versions",
                                 as_="designer", raw=b"",
                                 headers={"Content-Type": "application/xml"})
        assert_problem(resp, 422)


def test_post_processes_version_multipart_without_bpmn_file_is_422(world):
    import io

    with unchanged():
        resp = world.api.http.post(
            "/api/v1/processes/stage_obligatoire/versions",
            headers={"Authorization": f"Bearer {world.api.tokens['designer']}"},
            data={"file": (io.BytesIO(b"hello"), "notes.txt")},
            content_type="multipart/form-data")
        assert_problem(resp, 422, "file")
