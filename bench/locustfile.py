"""Locust scenario for bench/http.py: each simulated clerk runs complete mandatory-course
lifecycles through the REST API, a group of GROUP cases at a time (R32: a session is held with 6
to 20 present): licence, infraction, case from its 48N, session, enrolments, attendance,
attestations, then the verification task completed (points credited, refund decided, closed).

Runs in the load tool's own virtualenv (bench/requirements.txt), so it imports nothing from the
application: dates and tokens come from bench/http.py through BENCH_PLAN (JSON)."""

from __future__ import annotations

import itertools
import json
import os

from locust import HttpUser, constant, events, task

PLAN = json.loads(os.environ.get("BENCH_PLAN", "{}"))
GROUP = 6
_numbers = itertools.count(1)
LIFECYCLES = {"done": 0}


@events.request.add_listener
def _count(name, exception, **_):
    if name == "POST /tasks/[id]/complete" and exception is None:
        LIFECYCLES["done"] += 1


@events.quitting.add_listener
def _report(environment, **_):
    path = os.environ.get("BENCH_LIFECYCLES_FILE")
    if path:
        with open(path, "w") as fh:
            json.dump(LIFECYCLES, fh)


class Clerk(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.admin = {"Authorization": f"Bearer {PLAN['admin']}"}
        self.agent = {"Authorization": f"Bearer {PLAN['agent']}"}
        self.worker = os.getpid()

    def _post(self, path, body, name, headers=None, expect=(200, 201)):
        with self.client.post(path, json=body, headers=headers or self.admin, name=name,
                              catch_response=True) as resp:
            if resp.status_code not in expect:
                resp.failure(f"{resp.status_code}: {resp.text[:200]}")
                raise RuntimeError(f"{name} → {resp.status_code}")
            return resp.json()

    @task
    def lifecycle_group(self):
        p = PLAN
        cases = []
        for _ in range(GROUP):
            number = f"3{self.worker % 100:02d}{next(_numbers):09d}"
            self._post("/api/v1/licences", {
                "number": number, "obtained_on": p["obtained_on"], "probation": "classic",
                "holder": {"last_name": "Martin", "first_name": "Léa",
                           "birth_date": "2004-05-02"}}, "POST /licences")
            inf = self._post(f"/api/v1/licences/{number}/infractions", {
                "committed_on": p["infraction_on"], "points": 3, "offence_class": "C4",
                "label": "Excès de vitesse", "decision_on": p["infraction_on"],
                "established_on": p["infraction_on"],
                "fine": {"amount": 135, "kind": "forfaitaire", "paid_on": p["infraction_on"]}},
                "POST /licences/[n]/infractions")
            case = self._post("/api/v1/cases", {
                "kind": "obligatoire", "licence": number, "infraction": inf["id"],
                "letter_48n": {"sent_on": p["sent_on"], "receipt": "signed",
                               "received_on": p["received_on"]}}, "POST /cases")
            cases.append((case["id"], number))
        session = self._post("/api/v1/sessions", {"centre": p["centre"], "day1": p["day1"],
                                                  "day2": p["day2"], "capacity": 20},
                             "POST /sessions")
        for cid, _ in cases:
            self._post(f"/api/v1/cases/{cid}/enrollment", {"session": session["id"]},
                       "POST /cases/[id]/enrollment")
        self._post(f"/api/v1/sessions/{session['id']}/attendance", {"records": [
            {"licence": n, "day1": "present", "day2": "present"} for _, n in cases]},
            "POST /sessions/[id]/attendance")
        for cid, _ in cases:
            self._post(f"/api/v1/cases/{cid}/attestation", {"received_on": p["today"]},
                       "POST /cases/[id]/attestation")
        for cid, _ in cases:
            resp = self.client.get(f"/api/v1/tasks?case={cid}&key=verification_attestation",
                                   headers=self.agent, name="GET /tasks?case=[id]")
            task_id = resp.json()["items"][0]["id"]
            self._post(f"/api/v1/tasks/{task_id}/complete", {"data": {"decision": "valider"}},
                       "POST /tasks/[id]/complete", headers=self.agent)
