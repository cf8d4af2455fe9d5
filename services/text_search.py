"""The case and licence searches (« contient »): the ids of the cases whose reference, or whose
holder's licence number or names, hold the searched text, and of those licences;
case-insensitive, as typed (no wildcards).

PostgreSQL reads its trigram indexes (migration 0019_search) through `lower(…) LIKE`. SQLite
reads its FTS5 trigram tables (migration 0023_sqlite_search) for a text of 3 characters or more
(a trigram index cannot answer fewer); a shorter text, or a SQLite without FTS5, reads every
row through `lower(…) LIKE`."""

from __future__ import annotations

import weakref

from sqlalchemy import column, func, inspect, or_, select, table, union

from services.db import LIKE_ESCAPE, contains_pattern, db
from services.models import Case, Licence

TRIGRAM = 3  # the shortest text a trigram index answers
SEARCH_CASES = table("search_cases", column("rowid"), column("search_cases"))
SEARCH_LICENCES = table("search_licences", column("rowid"), column("search_licences"))

_has_fts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine → bool


def matching_ids(q: str):
    """A SELECT of the matching case ids: a UNION of one search per table, so that each reads
    its own index (one OR across the join could use none, and read every case)."""
    if _indexed(q):
        by_reference = select(SEARCH_CASES.c.rowid).where(
            SEARCH_CASES.c.search_cases.match(_phrase(q)))
    else:
        by_reference = select(Case.id).where(
            func.lower(Case.reference).like(contains_pattern(q.lower()), escape=LIKE_ESCAPE))
    return union(by_reference, select(Case.id).where(Case.licence_id.in_(licence_ids(q))))


def licence_ids(q: str):
    """A SELECT of the ids of the licences whose number or holder's names hold `q`."""
    if _indexed(q):
        return select(SEARCH_LICENCES.c.rowid).where(
            SEARCH_LICENCES.c.search_licences.match(_phrase(q)))
    like = contains_pattern(q.lower())  # % and _ are searched as typed, never wildcards
    return select(Licence.id).where(or_(
        func.lower(Licence.number).like(like, escape=LIKE_ESCAPE),
        func.lower(Licence.last_name).like(like, escape=LIKE_ESCAPE),
        func.lower(Licence.first_name).like(like, escape=LIKE_ESCAPE)))


def _phrase(q: str) -> str:
    return '"' + q.replace('"', '""') + '"'  # an FTS5 phrase: its text taken as typed


def _indexed(q: str) -> bool:
    return len(q) >= TRIGRAM and _sqlite_fts()


def _sqlite_fts() -> bool:
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return False
    found = _has_fts.get(engine)
    if found is None:  # once per engine: the migration made the tables, or could not
        found = _has_fts[engine] = inspect(engine).has_table("search_licences")
    return found
