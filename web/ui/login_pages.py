"""Logging in and out, the UI's root, and the page of the legal switches in force."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from services import users
from services.clock import clock
from services.rules.config import SWITCHES
from web.auth import current_user
from web.ui.nav import home_url
from web.ui.routes import Pages
from web.ui.security import log_in, log_out, login_required, login_throttled, safe_next

pages = Pages()


@pages.route("/connexion", methods=["GET", "POST"])
@login_throttled
def login():
    error, status = None, 200
    username = request.form.get("username", "")
    if request.method == "GET" and (user := current_user()) is not None:
        # already logged in (a bookmark, the back button): where the login would have led
        return redirect(safe_next(request.args.get("next"), home_url(user)))
    if request.method == "POST":
        password = request.form.get("password", "")
        if not username.strip() or not password:
            # nothing to check: said as such, and not counted as a failed attempt (422)
            error, status = "Saisissez votre identifiant et votre mot de passe.", 422
        else:
            user = users.check_password(username, password)
            if user is not None and user.active:
                log_in(user)
                return redirect(safe_next(request.args.get("next"), home_url(user)))
            error, status = "Identifiant ou mot de passe incorrect.", 401
    return render_template("ui/login.html", error=error, username=username), status


@pages.route("/deconnexion", methods=["POST"])
def logout():
    log_out()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("ui.login"))


@pages.route("/")
@login_required()
def index():
    return redirect(home_url(current_user()))


@pages.route("/a-propos")
def about():
    """The legal switches in force (DOMAIN.md's CFG_*), readable without logging in."""
    rules = current_app.config["RULES"].as_dict()
    return render_template("ui/about.html", now=clock().now(), mode=clock().mode,
                           switches=[(s, rules[s.env]) for s in SWITCHES])
