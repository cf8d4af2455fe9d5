"""The case and licence searches (« contient »): the ids of the cases whose reference, or whose
holder's licence number or names, hold the searched text, and of those licences; as typed (no
wildcards), but with neither case nor accents mattering, and each word of the text found on its
own: « ines petit » finds « PETIT Inès » (a clerk types a name as it comes).

A licence keeps its number and names folded in one column, `search_key` (filled
when the licence is written; migration 0024_search_folded), which the searches read:
PostgreSQL through its trigram index on it, SQLite through its FTS5 trigram table
`search_licences`, for each word of 3 characters or more (a trigram index cannot answer fewer);
a shorter word, or a database without the index, reads the rows through `LIKE`. A case's
reference is searched as one text, through `lower(reference)` (the trigram index of
0019_search on PostgreSQL, the FTS5 table `search_cases` of 0023_sqlite_search on SQLite)."""

from __future__ import annotations

import unicodedata
import weakref

from sqlalchemy import column, func, inspect, select, table, union

from services.db import LIKE_ESCAPE, contains_pattern, db
from services.models import Case, Licence

TRIGRAM = 3  # the shortest text a trigram index answers
SEARCH_CASES = table("search_cases", column("rowid"), column("search_cases"))
SEARCH_LICENCES = table("search_licences", column("rowid"), column("search_licences"))

_has_fts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine → bool


# what NFKD does not take apart: the ligatures, and the typographic apostrophes a name may be
# typed with (« D’Almeida » and « D'Almeida » are one name)
_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i",
                       "’": "'", "‘": "'", "ʼ": "'"})


def folded(text: str) -> str:
    """`text` as the searches compare it: without accents, case folded, blanks collapsed
    (« Élodie  D’Almeida » → « elodie d'almeida »)."""
    parts = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in parts if unicodedata.category(c) != "Mn")
    # folded again: a compatibility form may be a capital (« ℠ » is « SM »)
    return " ".join(bare.casefold().translate(_FOLD).split())


def search_key(number: str, last_name: str, first_name: str) -> str:
    """A licence's `search_key`: its number and its holder's names, folded."""
    return folded(f"{number} {last_name} {first_name}")


def matching_ids(q: str):
    """A SELECT of the matching case ids: a UNION of one search per table, so that each reads
    its own index (one OR across the join could use none, and read every case)."""
    text = folded(q)
    if _indexed(text):
        by_reference = select(SEARCH_CASES.c.rowid).where(
            SEARCH_CASES.c.search_cases.match(_phrase(text)))
    else:
        by_reference = select(Case.id).where(
            func.lower(Case.reference).like(contains_pattern(text), escape=LIKE_ESCAPE))
    return union(by_reference, select(Case.id).where(Case.licence_id.in_(licence_ids(q))))


def licence_ids(q: str):
    """A SELECT of the ids of the licences whose number or holder's names hold every word of
    `q`, each anywhere (% and _ searched as typed, never wildcards)."""
    words = folded(q).split() or [""]
    indexed = [w for w in words if _indexed(w)]
    if not indexed:
        return select(Licence.id).where(*map(_key_holds, words))
    by_index = select(SEARCH_LICENCES.c.rowid).where(
        SEARCH_LICENCES.c.search_licences.match(" AND ".join(map(_phrase, indexed))))
    short = [w for w in words if w not in indexed]
    if not short:
        return by_index
    return select(Licence.id).where(Licence.id.in_(by_index), *map(_key_holds, short))


def _key_holds(word: str):
    return Licence.search_key.like(contains_pattern(word), escape=LIKE_ESCAPE)


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
