"""How a page module declares its routes without a blueprint of its own: it records them on a
`Pages`, and `web.ui.init_ui` registers each module's `Pages` on the UI blueprint by name, so the
list of the UI's pages is written in one place instead of following from imports."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint


class Pages:
    def __init__(self) -> None:
        self._deferred: list[Callable[[Blueprint], None]] = []

    def route(self, rule: str, **options):
        def decorate(view):
            self._deferred.append(lambda blp: blp.route(rule, **options)(view))
            return view
        return decorate

    def app_template_global(self, name: str | None = None):
        def decorate(function):
            self._deferred.append(lambda blp: blp.add_app_template_global(function, name))
            return function
        return decorate

    def register(self, blp: Blueprint) -> None:
        for deferred in self._deferred:
            deferred(blp)
