"""`/`: a logged-out visitor goes to the login page, a logged-in one to the home of their role;
`/favicon.ico`: the icon."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from web.auth import current_user
from web.ui.nav import home_url

blp = Blueprint("home", __name__)


@blp.route("/")
def home():
    user = current_user()
    if user is None or not user.active:
        return redirect(url_for("ui.login"))
    return redirect(home_url(user))


@blp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the SVG icon the pages link to."""
    return redirect(url_for("ui.static", filename="favicon.svg"), 301)
