"""Count the SQL statements a piece of code runs, by text, to prove a page reads a fixed number
of them whatever the number of rows it shows (no N+1)."""

from __future__ import annotations

import collections
import re
from contextlib import contextmanager

from sqlalchemy import event

from services.db import db

PG_PARAM = re.compile(r"%\(\w+\)s")  # psycopg's named parameters, as SQLite's "?"
IN_LIST = re.compile(r"\bIN \([^)]*\)")


@contextmanager
def counted():
    """The SQL statements run meanwhile, by text (parameters and IN lists aside)."""
    seen: collections.Counter = collections.Counter()

    def count(_conn, _cursor, statement, *_args):
        statement = IN_LIST.sub("IN (…)", PG_PARAM.sub("?", statement))
        seen[re.sub(r"\s+", " ", statement)] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
