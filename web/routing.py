"""URL converters of every route (API and UI)."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from web.api.schemas import MAX_INT


class BoundedInt(IntegerConverter):
    """<int:…>: a number PostgreSQL's INTEGER cannot hold matches no route (a French 404)
    instead of reaching the database, which raises on it (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)
