"""Schemathesis over the whole REST API, through WSGI, as an admin (every role check passes, so
every operation's validation and state checks are reached): positive and negative cases made
from the OpenAPI document, with a fixed seed and a bounded number of examples per operation
(the run takes about a minute). No answer may be a 5xx, and every answer must be one the
document declares: its status, its content type (problem+json for errors), its schema and
its headers."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.db import db
from services.design import scenario_runs

CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance,
          content_type_conformance, response_schema_conformance, response_headers_conformance]
SEED = 20261204
EXAMPLES = 80  # per operation and generation mode (positive, negative); 41 operations
BUDGET_SECONDS = 75  # no operation starts after this (a slow machine tests fewer cases)


@pytest.fixture
def fuzzed_api(api, monkeypatch):
    """The API of a small world (a licence, a case, a session), its test runs never started."""
    monkeypatch.setattr(scenario_runs, "start", lambda run_id: None)
    api.set_today("02/03/2026")
    api.licence("120175200123")
    api.infraction("120175200123", "01/02/2026", points=1)  # R29: needs a retrait
    api.voluntary_case("120175200123")
    api.session("05/06/2026", "06/06/2026", fill=0)
    return api


def test_no_5xx_and_every_answer_as_documented(fuzzed_api):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_api.app)
    token = {"Authorization": f"Bearer {fuzzed_api.tokens['admin']}"}
    started = time.monotonic()
    cases, statuses, failures, skipped = 0, Counter(), [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    # positive cases of every operation first: a run cut by the budget still went everywhere
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            if time.monotonic() - started > BUDGET_SECONDS:
                skipped.append(f"{operation.label} {mode.value}")
                continue

            @seed(SEED)
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                nonlocal cases
                cases += 1
                try:
                    response = case.call_and_validate(headers=token, checks=CHECKS)
                    statuses[response.status_code] += 1
                finally:
                    db.session.remove()  # as a request's teardown: the next reads fresh data

            try:
                run()
            except Exception as exc:  # noqa: BLE001 - every operation is tried, then reported
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:3000])
    elapsed = time.monotonic() - started
    print(f"\nschemathesis {schemathesis.__version__}: {cases} cas générés en {elapsed:.1f} s "
          f"(graine {SEED}), statuts {dict(sorted(statuses.items()))}, contrôles : "
          f"{', '.join(c.__name__ for c in CHECKS)}; non testés faute de temps : "
          f"{len(skipped)}")
    assert not failures, "\n\n".join(failures)
    assert not any(status >= 500 for status in statuses)
    assert len(operations) >= 40 and cases >= len(operations), (len(operations), cases)
