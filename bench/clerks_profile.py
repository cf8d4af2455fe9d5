"""The pure parts of the clerks' day (bench/clerks_day.py): what a clerk does and how often,
how each answer is judged, the data each task takes. No locust and no application import, so
that the load tool's virtualenv and the unit tests (tests/unit/test_clerks_profile.py) both
read it.

The mix is written from a clerk's day at the prefecture: most of the time is spent reading
(the task list, filtered and paged; a case, in the API and on its HTML page; its history; a
search by licence number or reference; the dashboard; the monthly figures; a licence's
ledger; the sessions), then claiming a task from the list, completing the tasks one holds
(the contract's three forms), recording an attestation's receipt, enrolling a waiting case,
and now and then opening a new case (licence, infraction, case from its 48N). Centre
operators declare their sessions' attendance beside them."""

from __future__ import annotations

# Think time between two actions of one clerk, in seconds (uniform). A real clerk reads a page
# for tens of seconds; 1-5 s (3 s on average) compresses the day so that 50 clerks send what
# a few hundred would at a human pace, which is what this 2-core machine has to answer.
THINK_SECONDS = (1.0, 5.0)
CLERKS = 50
CENTRE_OPERATORS = 3
CENTRE_THINK_SECONDS = (5.0, 15.0)  # an operator fills a grid before sending it

# Weights of a clerk's actions, in % of the actions (locust @task weights). READ actions send
# one GET; a COMMAND action sends its command, sometimes after the read that finds its target
# (counted as a read under its own name).
READS = {
    "tasks": 12,               # GET /tasks (the whole open list, page 1)
    "tasks_by_key_page": 10,   # GET /tasks?key=…&page=N
    "my_tasks": 8,             # GET /tasks?mine=true
    "case": 14,                # GET /cases/{id}
    "case_html": 8,            # GET /ui/dossiers/{id}
    "case_events": 4,          # GET /cases/{id}/events
    "search": 8,               # GET /cases?q=<licence number or reference>
    "dashboard_html": 6,       # GET /ui/tableau-de-bord
    "statistics": 3,           # GET /statistics
    "licence": 4,              # GET /licences/{number}
    "sessions": 3,             # GET /sessions?centre=…
}
COMMANDS = {
    "claim": 6,                # POST /tasks/{id}/claim, a task seen in the last list
    "complete": 7,             # POST /tasks/{id}/complete, one of mine (or one seen: claims it)
    "unclaim": 1,              # POST /tasks/{id}/unclaim, one of mine given back
    "attestation": 2,          # POST /cases/{id}/attestation, a case waiting for it
    "enrollment": 2,           # POST /cases/{id}/enrollment, a waiting case in a future session
    "creation": 2,             # POST /licences, /licences/{n}/infractions, /cases
}
MIX = {**READS, **COMMANDS}

# The request names the report groups by: "read: …" and "command: …".
READ_PREFIX, COMMAND_PREFIX = "read: ", "command: "

# A 409 the contract promises when two people act on the same thing: another clerk claimed or
# completed the task first, the attestation was already recorded, the case was enrolled
# meanwhile or the session is full, the session's attendance was already declared. The clerk
# is told (in French) and goes on: "conflict told", not a failure.
CONFLICT_TOLD = {
    "command: claim", "command: complete", "command: unclaim", "command: attestation",
    "command: enrollment", "command: attendance",
}
SUCCESS = {"command: creation licence": (201,), "command: creation infraction": (201,),
           "command: creation case": (201,)}


def kind(name: str) -> str:
    """'read' or 'command', from a request's name."""
    if name.startswith(READ_PREFIX):
        return "read"
    if name.startswith(COMMAND_PREFIX):
        return "command"
    raise ValueError(f"request name without a kind: {name!r}")


def classify(name: str, status: int) -> str:
    """'ok', 'conflict' (told to the clerk, expected) or 'failure' (any 5xx, any status the
    action does not expect, a 409 where no conflict is possible)."""
    if status in SUCCESS.get(name, (200,) if kind(name) == "read" else (200, 201)):
        return "ok"
    if status == 409 and name in CONFLICT_TOLD:
        return "conflict"
    return "failure"


def completion_data(task_key: str) -> dict:
    """What a clerk sends for each of the contract's tasks (API.md: the task keys)."""
    if task_key == "verification_attestation":
        return {"decision": "valider"}
    if task_key == "signalement_parquet":
        return {"decision": "ne_pas_signaler", "motif": "Stage suivi après l'échéance."}
    if task_key == "examen_manuel":
        return {"decision": "crediter", "motif": "Conforme après examen."}
    raise KeyError(task_key)


def read_share() -> float:
    return sum(READS.values()) / sum(MIX.values())
