"""Instants as the API writes them: ISO 8601 with the Paris offset of their day (API.md's
examples: « 2026-03-10T09:00:00+01:00 », « 2026-07-11T00:00:00+02:00 »)."""

from __future__ import annotations

from marshmallow import fields

from services.clock import PARIS


class Instant(fields.DateTime):
    """A stored instant is read back in UTC and a fresh one carries the clock's Paris offset:
    each is written with the Paris offset, so the same instant always reads the same, in the
    answer of the command that made it and in every read after it."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(PARIS)
        return super()._serialize(value, attr, obj, **kwargs)
