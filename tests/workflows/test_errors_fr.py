"""French explanations of the exception kinds designers and admins read (workflows/errors_fr.py):
a QA finding showed Python's English alone in incidents and the outbox."""

from __future__ import annotations

import smtplib
import socket

import pytest

from workflows.errors_fr import described, explain


@pytest.mark.parametrize(("exc", "french"), [
    (NameError("name 'motif' is not defined"), "variable inconnue"),
    (KeyError("x"), "clé absente"),
    (IndexError("list index out of range"), "indice hors limites"),
    (TypeError("unsupported operand"), "type inattendu"),
    (ZeroDivisionError("division by zero"), "division par zéro"),
    (ConnectionRefusedError(111, "Connection refused"), "connexion refusée"),
    (TimeoutError("timed out"), "délai dépassé"),
    (socket.gaierror(-2, "Name or service not known"), "serveur introuvable"),
    (smtplib.SMTPRecipientsRefused({}), "adresse du destinataire"),
    (smtplib.SMTPServerDisconnected("gone"), "coupé la connexion"),
    (smtplib.SMTPResponseException(550, "no"), "erreur du serveur de messagerie"),  # parent's
])
def test_a_common_kind_is_explained_in_french_before_pythons_text(exc, french):
    assert french in explain(exc)
    told = described(exc)
    assert told.startswith(french) or told.startswith(explain(exc))
    assert f"détail technique ({type(exc).__name__})" in told  # the technical text stays


def test_an_unknown_kind_keeps_its_technical_text_alone():
    class Odd(Exception):
        pass

    assert explain(Odd("x")) is None
    assert described(Odd("x")) == "(Odd) : x"
