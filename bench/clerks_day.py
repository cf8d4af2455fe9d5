"""Locust profile of a clerks' day (bench/clerks_run.py seeds the database, starts gunicorn and
runs this): CLERKS agents with think time, mostly reading, claiming and completing tasks,
recording attestations, enrolling cases, now and then opening one; CENTRE_OPERATORS centre
users declaring their sessions' attendance. The mix, the think times and the judgement of
each answer are in bench/clerks_profile.py.

Runs in the load tool's own virtualenv: it imports nothing from the application. The tokens,
ids and dates come from bench/clerks_run.py through BENCH_PLAN (JSON); the conflicts told are
written to BENCH_CONFLICTS_FILE when locust quits."""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
import clerks_profile as profile  # noqa: E402

PLAN = json.loads(os.environ.get("BENCH_PLAN", "{}"))
_clerk_index = itertools.count()
_centre_index = itertools.count()
_numbers = itertools.count(1)
KEYS = ("verification_attestation", "signalement_parquet", "examen_manuel")


class Raw:
    """Every response time of the steady state (reset when all users are started, as locust's
    own statistics with --reset-stats), the conflicts told and the failures, per name."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.started = time.monotonic()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.conflicts: Counter = Counter()
        self.failures: Counter = Counter()
        self.failure_samples: dict[str, list[str]] = defaultdict(list)

    def record(self, name: str, ms: float, verdict: str, detail: str) -> None:
        self.times[name].append(ms)
        if verdict == "conflict":
            self.conflicts[name] += 1
        elif verdict == "failure":
            self.failures[name] += 1
            if len(self.failure_samples[name]) < 5:
                self.failure_samples[name].append(detail)


RAW = Raw()


@events.spawning_complete.add_listener
def _steady(user_count, **_):
    RAW.reset()


@events.quitting.add_listener
def _report(environment, **_):
    path = os.environ.get("BENCH_RAW_FILE")
    if path:
        with open(path, "w") as fh:
            json.dump({"times": RAW.times, "conflicts": RAW.conflicts, "failures": RAW.failures,
                       "failure_samples": RAW.failure_samples,
                       "steady_s": time.monotonic() - RAW.started}, fh)


class _Person(HttpUser):
    abstract = True

    def _send(self, method: str, path: str, name: str, body=None, params=None):
        """One request, judged by clerks_profile.classify; the JSON answer when it succeeded."""
        with self.client.request(method, path, name=name, json=body, params=params,
                                 headers=self.headers, catch_response=True,
                                 allow_redirects=False) as resp:
            verdict = profile.classify(name, resp.status_code)
            detail = f"{resp.status_code}: {resp.text[:200]}"
            RAW.record(name, resp.request_meta["response_time"], verdict, detail)
            if verdict == "failure":
                resp.failure(detail)
                return None
            resp.success()
            if verdict == "conflict":
                return None
            ctype = resp.headers.get("Content-Type", "")
            return resp.json() if "json" in ctype else True


class Clerk(_Person):
    weight = 1  # the operators are a fixed count; every other user is a clerk
    wait_time = between(*profile.THINK_SECONDS)

    def on_start(self):
        tokens = PLAN["clerks"]
        self.headers = {"Authorization": f"Bearer {tokens[next(_clerk_index) % len(tokens)]}"}
        self.rng = random.Random()
        self.seen: list[dict] = []   # the tasks of the last list this clerk read
        self.mine: list[dict] = []   # the tasks this clerk holds
        self.cases: list[int] = []   # cases met in the lists

    # ---- reads ------------------------------------------------------------------------------

    def _case_id(self) -> int:
        if self.cases and self.rng.random() < 0.7:
            return self.rng.choice(self.cases)
        return self.rng.choice(PLAN["case_ids"])

    def _remember(self, page) -> None:
        if page:
            self.seen = page["items"]
            self.cases = [t["case"] for t in page["items"]] or self.cases

    @task(profile.READS["tasks"])
    def task_list(self):
        self._remember(self._send("GET", "/api/v1/tasks", "read: tasks"))

    @task(profile.READS["tasks_by_key_page"])
    def tasks_by_key_page(self):
        key = self.rng.choices(KEYS, weights=(6, 3, 1))[0]
        page = self.rng.randint(1, PLAN["pages_per_key"].get(key, 1))
        self._remember(self._send("GET", "/api/v1/tasks", "read: tasks ?key&page",
                                  params={"key": key, "page": page}))

    @task(profile.READS["my_tasks"])
    def my_tasks(self):
        page = self._send("GET", "/api/v1/tasks", "read: tasks ?mine", params={"mine": "true"})
        if page:
            self.mine = page["items"]

    @task(profile.READS["case"])
    def case(self):
        self._send("GET", f"/api/v1/cases/{self._case_id()}", "read: case")

    @task(profile.READS["case_html"])
    def case_html(self):
        self._send("GET", f"/ui/dossiers/{self._case_id()}", "read: case page (HTML)")

    @task(profile.READS["case_events"])
    def case_events(self):
        self._send("GET", f"/api/v1/cases/{self._case_id()}/events", "read: case events")

    @task(profile.READS["search"])
    def search(self):
        q = self.rng.choice(PLAN["search_terms"])
        page = self._send("GET", "/api/v1/cases", "read: search", params={"q": q})
        if page and page["items"]:
            self.cases = [c["id"] for c in page["items"]]

    @task(profile.READS["dashboard_html"])
    def dashboard_html(self):
        self._send("GET", "/ui/tableau-de-bord", "read: dashboard (HTML)")

    @task(profile.READS["statistics"])
    def statistics(self):
        self._send("GET", "/api/v1/statistics", "read: statistics")

    @task(profile.READS["licence"])
    def licence(self):
        number = self.rng.choice(PLAN["licence_numbers"])
        self._send("GET", f"/api/v1/licences/{number}", "read: licence")

    @task(profile.READS["sessions"])
    def sessions(self):
        self._send("GET", "/api/v1/sessions", "read: sessions",
                   params={"centre": PLAN["centre"], "page": self.rng.randint(1, 5)})

    # ---- commands ---------------------------------------------------------------------------

    @task(profile.COMMANDS["claim"])
    def claim(self):
        free = [t for t in self.seen if t["assignee"] is None]
        if not free:
            self.tasks_by_key_page()
            return
        t = self.rng.choice(free)
        self.seen.remove(t)
        if self._send("POST", f"/api/v1/tasks/{t['id']}/claim", "command: claim"):
            self.mine.append(t)

    @task(profile.COMMANDS["complete"])
    def complete(self):
        if self.mine:
            t = self.mine.pop(self.rng.randrange(len(self.mine)))
        elif self.seen:  # completing an unclaimed task claims it (API.md)
            t = self.seen.pop(self.rng.randrange(len(self.seen)))
        else:
            self.tasks_by_key_page()
            return
        self._send("POST", f"/api/v1/tasks/{t['id']}/complete", "command: complete",
                   body={"data": profile.completion_data(t["key"])})

    @task(profile.COMMANDS["unclaim"])
    def unclaim(self):
        if self.mine:
            t = self.mine.pop(self.rng.randrange(len(self.mine)))
            self._send("POST", f"/api/v1/tasks/{t['id']}/unclaim", "command: unclaim")

    def _waiting(self, status: str) -> list[int]:
        page = self._send("GET", "/api/v1/cases", f"read: cases ?status={status}",
                          params={"status": status, "page": self.rng.randint(1, 3)})
        return [c["id"] for c in page["items"]] if page else []

    @task(profile.COMMANDS["attestation"])
    def attestation(self):
        waiting = self._waiting("en_attente_attestation")
        if waiting:
            self._send("POST", f"/api/v1/cases/{self.rng.choice(waiting)}/attestation",
                       "command: attestation", body={"received_on": PLAN["today"]})

    @task(profile.COMMANDS["enrollment"])
    def enrollment(self):
        waiting = self._waiting("en_attente_inscription")
        if waiting:
            self._send("POST", f"/api/v1/cases/{self.rng.choice(waiting)}/enrollment",
                       "command: enrollment",
                       body={"session": self.rng.choice(PLAN["future_sessions"])})

    @task(profile.COMMANDS["creation"])
    def creation(self):
        p = PLAN
        number = f"4{os.getpid() % 1000:03d}{next(_numbers):08d}"
        if not self._send("POST", "/api/v1/licences", "command: creation licence", body={
                "number": number, "obtained_on": p["obtained_on"], "probation": "classic",
                "holder": {"last_name": "Durand", "first_name": "Jules",
                           "birth_date": "2003-02-11"}}):
            return
        inf = self._send("POST", f"/api/v1/licences/{number}/infractions",
                         "command: creation infraction", body={
                             "committed_on": p["infraction_on"], "points": 3,
                             "offence_class": "C4", "label": "Excès de vitesse",
                             "decision_on": p["infraction_on"],
                             "established_on": p["infraction_on"],
                             "fine": {"amount": 135, "kind": "forfaitaire",
                                      "paid_on": p["infraction_on"]}})
        if inf:
            self._send("POST", "/api/v1/cases", "command: creation case", body={
                "kind": "obligatoire", "licence": number, "infraction": inf["id"],
                "letter_48n": {"sent_on": p["sent_on"], "receipt": "signed",
                               "received_on": p["received_on"]}})


class CentreOperator(_Person):
    """A centre's operator: looks at its sessions, opens one whose days are over and declares
    its attendance (nearly everyone present both days; now and then one absent)."""

    fixed_count = profile.CENTRE_OPERATORS
    wait_time = between(*profile.CENTRE_THINK_SECONDS)

    def on_start(self):
        i = next(_centre_index)
        self.headers = {"Authorization": f"Bearer {PLAN['centres'][i % len(PLAN['centres'])]}"}
        # the sessions to declare are shared out: two operators never hold the same one
        self.todo = PLAN["attendance_sessions"][i::profile.CENTRE_OPERATORS]
        self.rng = random.Random(i)

    @task
    def declare(self):
        self._send("GET", "/api/v1/sessions", "read: sessions (centre)",
                   params={"centre": PLAN["centre"], "page": self.rng.randint(1, 5)})
        if not self.todo:
            return
        session = self._send("GET", f"/api/v1/sessions/{self.todo.pop()}",
                             "read: session (centre)")
        if not session:
            return
        records = [{"licence": e["licence"], "day1": "present", "day2": "present"}
                   for e in session["enrollments"] if e["status"] == "enrolled"]
        if records and self.rng.random() < 0.3:
            records[-1]["day2"] = "absent"
        self._send("POST", f"/api/v1/sessions/{session['id']}/attendance",
                   "command: attendance", body={"records": records})
