"""Where a notification goes: pluggable channels, each sending one outbox job's payload.

"email" sends through SMTP (smtplib; settings SMTP_* from the environment, services/settings.py)
with the job's key as Message-ID, so that a job sent again after a crash (services/outbox.py)
is recognised as the same message. "courrier_pdf" lays a letter out (services/letters).
"journal" sends nothing: the notification is only recorded
on the case (no job is written for it). Another channel is one class with `send(job)` passed to
`register`."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from flask import current_app


class Channel(Protocol):
    def send(self, job) -> None:
        """Deliver `job.payload` ({to, subject, body}); raise on failure (retried later)."""


class EmailChannel:
    def message(self, job) -> EmailMessage:
        cfg = current_app.config
        msg = EmailMessage()
        msg["Message-ID"] = job.key
        msg["From"] = cfg["SMTP_FROM"]
        msg["To"] = job.payload["to"]
        msg["Subject"] = job.payload["subject"]
        msg.set_content(job.payload["body"])
        return msg

    def send(self, job) -> None:
        cfg = current_app.config
        with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg["SMTP_USER"]:
                smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
            smtp.send_message(self.message(job))


class LetterPdfChannel:
    """Not a message: the layout of a letter as a PDF, after the command that wrote its text
    (services/letters.make_pdf). Run again after a crash, it finds the PDF made and stops."""

    def send(self, job) -> None:
        from services import letters  # letters enqueue these jobs: imported when one runs

        letters.make_pdf(job.payload["letter_id"])


_CHANNELS: dict[str, Channel] = {"email": EmailChannel(), "courrier_pdf": LetterPdfChannel()}


def register(name: str, channel: Channel) -> None:
    _CHANNELS[name] = channel


def get(name: str) -> Channel | None:
    return _CHANNELS.get(name)


def configured() -> str:
    """The channel notifications go through (NOTIFICATION_CHANNEL)."""
    return current_app.config.get("NOTIFICATION_CHANNEL", "email")
