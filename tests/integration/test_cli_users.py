"""The admin's commands: `users …` and `outbox run` as an admin reads them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services import outbox
from services.db import db, transaction
from services.models import OutboxJob, User
from tests import smtp_support
from tests.helpers import CENTRE
from tests.integration.test_service_actions import enrolled_case

smtp_server = smtp_support.smtp_server  # the fixture, for this module's tests


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _user(username: str) -> User | None:
    db.session.remove()
    return db.session.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize("role", ["agent", "designer", "admin"])
def test_a_centre_given_to_another_role_is_refused_not_dropped(api, runner, role):
    result = runner.invoke(args=["users", "create", "qa", "--role", role, "--centre", CENTRE,
                                 "--password-stdin"], input="motdepasse-qa\n")
    assert result.exit_code == 1, result.output
    assert f"Seul un utilisateur de rôle centre est rattaché à un centre : pas de centre " \
           f"avec le rôle {role}." in result.output
    assert _user("qa") is None
    changed = runner.invoke(args=["users", "role", "agent", "--role", role, "--centre", CENTRE])
    assert changed.exit_code == 1 and "Seul un utilisateur de rôle centre" in changed.output
    assert _user("agent").role == "agent"


def test_a_centre_user_needs_a_centre(api, runner):
    result = runner.invoke(args=["users", "create", "qa", "--role", "centre",
                                 "--password-stdin"], input="motdepasse-qa\n")
    assert result.exit_code == 1 and "doit être rattaché à un centre" in result.output
    made = runner.invoke(args=["users", "create", "qa", "--role", "centre", "--centre", CENTRE,
                               "--password-stdin"], input="motdepasse-qa\n")
    assert made.exit_code == 0, made.output
    assert _user("qa").centre.agrement == CENTRE


def test_outbox_run_tells_abandoned_sends_apart_from_retried_ones(api, app, runner, smtp_server):
    enrolled_case(api)
    enrolled_case_job = db.session.scalars(select(OutboxJob)).one().id
    app.config["SMTP_PORT"] = 1  # nothing listens there
    with transaction():
        db.session.get(OutboxJob, enrolled_case_job).attempts = outbox.MAX_ATTEMPTS - 1
    result = runner.invoke(args=["outbox", "run"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"0 envoi(s) fait(s), 0 échec(s) (réessayés plus tard), 1 abandonné(s) après "
        f"{outbox.MAX_ATTEMPTS} tentatives (à relancer par un administrateur)")


def test_no_token_for_a_deactivated_user(api, runner):
    assert runner.invoke(args=["users", "deactivate", "agent2"]).exit_code == 0
    refused = runner.invoke(args=["users", "token", "agent2"])
    assert refused.exit_code == 1
    assert refused.stdout == ""  # no token printed
    assert "« agent2 » est désactivé : aucun jeton d'API ne lui est délivré" in refused.output
    assert runner.invoke(args=["users", "activate", "agent2"]).exit_code == 0
    issued = runner.invoke(args=["users", "token", "agent2"])
    assert issued.exit_code == 0 and len(issued.stdout.strip()) > 20
