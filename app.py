"""Application factory: configuration, extensions, blueprints and command groups; nothing else."""

from __future__ import annotations

import os

from flask import Flask
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from services.clock import AppClock
from services.db import configure_engine, db
from services.settings import SettingsError, load_settings


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    try:
        app.config.update(load_settings(app.instance_path, overrides=config))
    except SettingsError as exc:
        raise SystemExit(f"Configuration invalide — {exc}") from None
    if app.config["PROXY_FIX_X_FOR"]:  # the client's address from the reverse proxy's header
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    db.init_app(app)
    Migrate(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
            render_as_batch=True)
    with app.app_context():
        configure_engine(db.engine)

    from workflows import ProcessEngine
    from workflows.script_env import configure_limits

    configure_limits(steps=app.config["BPMN_MAX_STEPS"],
                     seconds=app.config["BPMN_MAX_MILLISECONDS"] / 1000,
                     memory_bytes=app.config["BPMN_MAX_MEMORY_MB"] * 1024**2)
    app_clock = AppClock(app.config["CLOCK_MODE"])
    app.extensions["app_clock"] = app_clock
    app.extensions["process_engine"] = ProcessEngine(now=app_clock.now)

    import services.task_counters  # noqa: F401 - keeps the task counters with the task rows
    from web.api import init_api
    from web.cli import register_cli
    from web.home import blp as home_blp
    from web.routing import BoundedInt
    from web.server_header import hide_server_software
    from web.ui import init_ui

    app.url_map.converters["int"] = BoundedInt  # before any route is added
    init_api(app)
    app.register_blueprint(home_blp)
    init_ui(app)  # browser UI under /ui: session cookie (8 h), CSRF, French error pages
    register_cli(app)
    hide_server_software()  # dev server and gunicorn: `Server: stages`, no software or version
    return app
