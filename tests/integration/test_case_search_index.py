"""The case search reads an index, not every case: PostgreSQL's trigram indexes (0019_search,
0024_search_folded), SQLite's FTS5 trigram tables (0023_sqlite_search, 0024_search_folded), kept
by triggers. The same answers either way, for the reference, the licence number and the holder's
names, whatever their case and accents, each word of the text found on its own."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app
from services import text_search
from services.db import db

HOLDERS = {"120175200201": ("Lefèvre", "Élodie"), "120175200202": ("Martin", "Léa"),
           "120175200203": ("Nguyen", "Marc")}


@pytest.fixture
def holders(api):
    api.set_today("02/03/2026")
    cases = {}
    for number, (last, first) in HOLDERS.items():
        body = {"number": number, "holder": {"last_name": last, "first_name": first,
                                             "birth_date": "2004-05-02"},
                "obtained_on": "2025-09-01", "probation": "classic",
                "formation_complementaire": False}
        api.ok(api.post("/api/v1/licences", body), 201)
        api.infraction(number, "01/02/2026", points=1)  # R29: a voluntary case needs a retrait
        cases[number] = api.voluntary_case(number)
    return cases


def _found(api, q):
    return {c["licence"] for c in api.ok(api.get("/api/v1/cases", q=q, per_page=200))["items"]}


@pytest.mark.parametrize(("q", "found"), [
    ("lefè", {"120175200201"}), ("LEFÈVRE", {"120175200201"}), ("élodie", {"120175200201"}),
    ("mar", {"120175200202", "120175200203"}), ("2002", set(HOLDERS)),
    ("200203", {"120175200203"}), ("guy", {"120175200203"}), ("xyz", set()),
    ("ma", {"120175200202", "120175200203"}),  # shorter than a trigram: read row by row
])
def test_the_search_finds_names_and_numbers_whatever_their_case(api, holders, q, found):
    assert _found(api, q) == found


@pytest.mark.parametrize(("q", "found"), [
    ("lefevre", {"120175200201"}), ("ELODIE", {"120175200201"}), ("Léà", {"120175200202"}),
    ("élodie lefèvre", {"120175200201"}), ("Lefevre  Elodie", {"120175200201"}),
    ("lea 200202", {"120175200202"}), ("mart lea", {"120175200202"}),
    ("le ma", {"120175200202"}),  # two words shorter than a trigram, both in « Martin Léa »
    ("nguyen lea", set()),  # every word, in one holder's names or number
    ("elodie martin", set()),
])
def test_accents_and_the_words_order_do_not_matter(api, holders, q, found):
    """A clerks' QA finding: « Ines » did not find « Inès », nor « Inès Petit » « PETIT Inès »."""
    assert _found(api, q) == found


def test_a_reference_is_found_by_a_part_of_it(api, holders):
    reference = holders["120175200202"]["reference"]
    assert _found(api, reference[-6:].lower()) == {"120175200202"}


def _rename(app, last_name):
    """The holder of 120175200203 renamed, with the folded key the application keeps."""
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE licences SET last_name = :last, search_key = :key "
                              "WHERE number = '120175200203'"),
                         {"last": last_name,
                          "key": text_search.search_key("120175200203", last_name, "Marc")})


def test_a_changed_name_is_found_by_its_new_spelling_only(app, api, holders):
    _rename(app, "Durand-Nguyen")
    assert _found(api, "durand") == {"120175200203"}
    assert _found(api, "nguyen") == {"120175200203"}  # still in the new name
    _rename(app, "Durand")
    assert _found(api, "nguyen") == set()


def test_the_search_reads_the_index_on_sqlite(app, holders):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL: the trigram indexes are checked in test_migrations")
        statement = text_search.matching_ids("martin").compile(db.engine)
        with db.engine.connect() as conn:
            plan = " | ".join(row[3] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", tuple(statement.params.values())))
            short = text_search.matching_ids("ma").compile(db.engine)
            short_plan = " | ".join(row[3] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {short}", tuple(short.params.values())))
    assert "search_licences VIRTUAL TABLE" in plan and "search_cases VIRTUAL TABLE" in plan
    assert "SCAN licences" not in plan and "SCAN cases" not in plan, plan
    assert "SCAN licences" in short_plan  # two characters: no trigram to read


LONE_LICENCE = ("INSERT INTO licences (id, number, last_name, first_name, birth_date, "
                "obtained_on, probation, formation_complementaire, created_at) VALUES "
                "(:id, :number, 'Zidane', 'Inès', '2004-05-02', '2025-09-01', 'classic', "
                "false, '2026-03-02 10:00:00')")


def test_a_deleted_row_leaves_the_index(app, holders):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's FTS tables only")
        with db.engine.begin() as conn:
            def indexed():
                return [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                        for t in ("search_cases", "search_licences")]
            assert indexed() == [len(HOLDERS), len(HOLDERS)]
            conn.execute(text(LONE_LICENCE), {"id": 900, "number": "120175200299"})
            assert indexed() == [len(HOLDERS), len(HOLDERS) + 1]
            conn.execute(text("DELETE FROM licences WHERE id = 900"))
            assert indexed() == [len(HOLDERS), len(HOLDERS)]


def test_the_migration_indexes_the_rows_already_there(tmp_path):
    """Downgraded then upgraded again, a SQLite database finds the cases it held before."""
    url = f"sqlite:///{tmp_path / 'search.sqlite'}"
    app = create_app({"DATABASE_URL": url, "CLOCK_MODE": "manual", "SECRET_KEY": "test",
                      "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text(LONE_LICENCE), {"id": 7, "number": "120175200299"})
        downgrade(revision="admin_events")
        with db.engine.connect() as conn:
            assert not db.inspect(conn).has_table("search_licences")
        upgrade()
        with db.engine.connect() as conn:
            found = conn.execute(text("SELECT rowid FROM search_licences "
                                      "WHERE search_licences MATCH '\"zida\"'")).scalars().all()
            # 0024_search_folded filled the key of the row written before it, accents folded
            key = conn.execute(text("SELECT search_key FROM licences WHERE id = 7")).scalar()
            by_words = conn.execute(text_search.licence_ids("INES zidane")).scalars().all()
        db.session.remove()
        db.engine.dispose()
    assert found == [7]
    assert key == "120175200299 zidane ines" and by_words == [7]


@pytest.mark.parametrize(("q", "found"), [("lefè", {"Lefèvre"}), ("ÉLODIE", {"Lefèvre"}),
                                          ("mar", {"Martin", "Nguyen"}), ("ng", {"Nguyen"})])
def test_the_licence_search_finds_the_same_holders(app, holders, q, found):
    from services import licences

    with app.app_context():
        rows, total = licences.search(q)
    assert {r.last_name for r in rows} == found and total == len(found)
