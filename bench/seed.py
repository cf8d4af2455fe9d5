"""Bulk seeding: clone template cases (made through the services, so they are real) with plain
SQL inserts: licence, infraction, case, process instance, open tasks and events per copy."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from services.db import db

CHUNK = 5000
TABLES = ("licences", "infractions", "cases", "process_instances", "human_tasks", "case_events")


def _rows(table, col, value):
    return [dict(r._mapping) for r in db.session.execute(select(table).where(col == value))]


def template(case_id: int) -> dict:
    t = db.metadata.tables
    case = _rows(t["cases"], t["cases"].c.id, case_id)[0]
    return {
        "licences": _rows(t["licences"], t["licences"].c.id, case["licence_id"]),
        "infractions": _rows(t["infractions"], t["infractions"].c.id, case["infraction_id"]),
        "cases": [case],
        "process_instances": _rows(t["process_instances"], t["process_instances"].c.case_id,
                                   case_id),
        "human_tasks": [r for r in _rows(t["human_tasks"], t["human_tasks"].c.case_id, case_id)
                        if r["state"] == "open"],
        "case_events": _rows(t["case_events"], t["case_events"].c.case_id, case_id),
    }


def clone(mix: list[tuple[dict, int]], state_json: str | None = None,
          due_at: dt.datetime | None | str = "keep", prefix: str = "8") -> int:
    """Insert `count` copies of each template in `mix`; returns how many cases were inserted.
    `state_json` replaces the instance blob (a shared one keeps big datasets small);
    `due_at` overrides next_timer_due_at of open instances."""
    t = db.metadata.tables
    conn = db.session.connection()
    base = {name: conn.scalar(select(func.coalesce(func.max(t[name].c.id), 0)))
            for name in ("licences", "infractions", "cases")}
    k = 0
    buf: dict[str, list] = {name: [] for name in TABLES}

    def flush():
        for name in TABLES:
            if buf[name]:
                conn.execute(t[name].insert(), buf[name])
                buf[name] = []

    for tpl, count in mix:
        for _ in range(count):
            k += 1
            lic_id, inf_id, case_id = base["licences"] + k, base["infractions"] + k, \
                base["cases"] + k
            for r in tpl["licences"]:
                buf["licences"].append({**r, "id": lic_id, "number": f"{prefix}{k:011d}"})
            for r in tpl["infractions"]:
                buf["infractions"].append({**r, "id": inf_id, "licence_id": lic_id})
            for r in tpl["cases"]:
                buf["cases"].append({**r, "id": case_id, "licence_id": lic_id,
                                     "infraction_id": inf_id, "credited_enrollment_id": None,
                                     "reference": f"B{prefix}-{k:09d}"})
            for r in tpl["process_instances"]:
                row = {**r, "case_id": case_id}
                row.pop("id")
                if state_json is not None:
                    row["state_json"] = state_json
                if due_at != "keep" and row["next_timer_due_at"] is not None:
                    row["next_timer_due_at"] = due_at
                buf["process_instances"].append(row)
            for r in tpl["human_tasks"]:
                row = {**r, "case_id": case_id, "guid": str(uuid.uuid4())}
                row.pop("id")
                buf["human_tasks"].append(row)
            for r in tpl["case_events"]:
                row = {**r, "case_id": case_id}
                row.pop("id")
                buf["case_events"].append(row)
            if k % CHUNK == 0:
                flush()
    flush()
    db.session.commit()
    return k
