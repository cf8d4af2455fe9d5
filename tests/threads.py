"""Concurrent workers in tests: works in several threads at once, each in its own app
context (its own session and connection), as separate worker processes would be."""

from __future__ import annotations

import threading

from services.db import db


def in_app_threads(app, work, n: int = 2, timeout: float = 180) -> list:
    """`work()`'s results, one per thread; the first error a thread raised is raised here."""
    results: list = []
    side_by_side(app, *[lambda: results.append(work())] * n, timeout=timeout)
    return results


def side_by_side(app, *works, timeout: float = 30) -> None:
    """Run each of `works` in its own thread and app context (its own session) at once; the
    first error a thread raised is raised here. The works coordinate themselves (events)."""
    errors = []

    def run(work):
        try:
            with app.app_context():
                work()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - raised in the test's thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
