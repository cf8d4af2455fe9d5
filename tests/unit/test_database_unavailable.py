"""Which database errors the web layer answers with a 503 « la base de données ne répond pas »
(services/db.unreachable) and which stay a 500 with their traceback logged: SQLite reports a
missing table or column, and a statement that does not parse, as an OperationalError like a
missing file or a lock timeout, but those are the code's fault (or a migration not run)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from services.db import unreachable


def _error(url: str, sql: str) -> OperationalError:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    except OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError(f"{sql!r} did not fail")


@pytest.mark.parametrize("sql", ["SELECT * FROM missing_table", "SELECT missing FROM (SELECT 1)",
                                 "SELEC 1", "INSERT INTO nowhere VALUES (1)"])
def test_a_statement_the_code_got_wrong_is_not_the_database_being_down(sql):
    assert unreachable(_error("sqlite://", sql)) is False


def test_a_database_file_that_cannot_be_opened_is_unavailable(tmp_path):
    missing = tmp_path / "no-such-directory" / "app.db"
    assert unreachable(_error(f"sqlite:///{missing}", "SELECT 1")) is True


def test_a_locked_database_is_unavailable(tmp_path):
    path = tmp_path / "locked.db"
    holder = create_engine(f"sqlite:///{path}")
    waiter = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    with holder.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
        conn.commit()
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
        try:
            with waiter.connect() as other:
                other.exec_driver_sql("SELECT * FROM t")
        except OperationalError as exc:
            assert "locked" in str(exc.orig) and unreachable(exc) is True
        else:
            raise AssertionError("the exclusive lock did not hold")
        conn.rollback()
    holder.dispose()
    waiter.dispose()


def test_other_errors_are_bugs():
    assert unreachable(ProgrammingError("SELECT", {}, Exception("x"))) is False
    assert unreachable(ValueError("x")) is False


def test_a_transaction_of_its_own_is_refused_inside_a_command(tmp_path):
    """services/db.own_transaction (the throttling counters') inside a command would wait on
    SQLite for the write lock that command holds: refused at once."""
    from services.db import _write_intent, own_transaction

    engine = create_engine(f"sqlite:///{tmp_path / 'own.db'}")
    with own_transaction(engine) as conn:  # outside a command: fine
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    token = _write_intent.set(True)  # what services.db.transaction() sets for a command
    try:
        with pytest.raises(RuntimeError, match="inside a command"):
            with own_transaction(engine):
                pass
    finally:
        _write_intent.reset(token)
        engine.dispose()
