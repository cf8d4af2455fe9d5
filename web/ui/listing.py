"""Query-string helpers of the list pages: page numbers, dates, page links."""

from __future__ import annotations

import datetime as dt

from flask import g, redirect, request, url_for

PER_PAGE = 20
MAX_PAGE = 100_000  # beyond, an OFFSET would overflow the database's integers (a 500)


def int_arg(name: str, default: int = 1) -> int:
    """A page number from the query string: 1 when absent or unreadable, at most MAX_PAGE."""
    try:
        return min(max(1, int(request.args.get(name, default))), MAX_PAGE)
    except ValueError:
        return default


def date_arg(name: str, label: str | None = None) -> dt.date | None:
    """A date filter (AAAA-MM-JJ); an unreadable one is left out, and said on the page when
    it has a `label` (ignored_filters)."""
    text = request.args.get(name, "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        if text and label:
            ignore_filter(label, text, "date illisible ou inexistante (dans l'adresse : "
                                       "AAAA-MM-JJ, un jour qui existe)")
        return None


def choice_arg(name: str, choices: dict[str, str], default: str, label: str) -> str:
    """A filter among `choices` (value → French label); an unknown value falls back to
    `default`, and the page says so rather than silently showing another list."""
    value = request.args.get(name, default)
    if value in choices:
        return value
    possible = ", ".join(f"« {v} »" for v in choices.values() if v)
    ignore_filter(label, value, f"valeur inconnue (valeurs possibles : {possible})")
    return default


def ignore_filter(label: str, value: str, why: str) -> None:
    """Record a query-string filter left out, for the page's warning (ui/base.html)."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    ignored_filters().append(f"Filtre « {label} » ignoré : « {shown} », {why}.")


def ignored_filters() -> list[str]:
    """The French sentences of the filters this request left out."""
    if "ignored_filters" not in g:
        g.ignored_filters = []
    return g.ignored_filters


def page_numbers(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def clamp(page: int, total: int, per_page: int = PER_PAGE) -> int:
    """A page number past the end shows the last page (a list that shrank, an edited URL)."""
    return min(page, page_numbers(total, per_page))


def past_the_end(page: int, total: int, param: str = "page"):
    """A page number past the end of a list read from the database (a list that shrank, an
    edited URL): a redirection to its last page, which the caller returns; None otherwise."""
    last = page_numbers(total)
    return redirect(page_url(last, param)) if page > last else None


def page_url(page: int, param: str = "page", anchor: str | None = None) -> str:
    """This page's URL with `param` set to `page`, the other arguments kept."""
    args = request.args.to_dict()
    args[param] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args,
                   **({"_anchor": anchor} if anchor else {}))


def window(items: list, page: int, per_page: int = PER_PAGE) -> list:
    """One page of a list already in memory (a ledger replayed, a history)."""
    return items[(page - 1) * per_page:page * per_page]


def paged(items: list, param: str, per_page: int = PER_PAGE) -> tuple[list, int, int]:
    """The page of `items` (in memory) that the query argument `param` asks for: its items,
    its number (the last page when past the end) and how many pages there are."""
    page = clamp(int_arg(param), len(items), per_page)
    return window(items, page, per_page), page, page_numbers(len(items), per_page)
