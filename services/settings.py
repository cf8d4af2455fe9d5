"""Application settings from the environment; a missing or invalid one stops start-up, named."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from services.db import url_without_password
from services.rules.config import FALSE_WORDS, TRUE_WORDS, ConfigError, RulesConfig

CLOCK_MODES = ("system", "manual")
# bounds of WeasyPrint's layout of one letter, in its child process (services/letters/layout.py,
# docs/security.md): 10 s is well under gunicorn's 30 (a download answers 409 first); a layout
# may add 512 MiB (2,000 pages took about 180); a letter has a few pages, hundreds is a
# page-break mistake
LETTER_LAYOUT_TIMEOUT_SECONDS, LETTER_LAYOUT_MEMORY_MB, LETTER_LAYOUT_MAX_PAGES = 10.0, 512, 100


class SettingsError(RuntimeError):
    pass


def _default_database_url(instance_path: str) -> str:
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'stages.sqlite'}"


def _check_database_url(url: str) -> None:
    """A URL SQLAlchemy cannot read (a port that is no number, an unknown driver) is named at
    start-up, not met later as a traceback."""
    try:
        make_url(url).get_dialect()
    except (ArgumentError, ValueError):
        raise SettingsError(f"DATABASE_URL : URL illisible ou pilote inconnu "
                            f"« {url_without_password(url)} »") from None


def load_settings(instance_path: str, env: Mapping[str, str] | None = None,
                  overrides: Mapping[str, object] | None = None) -> dict:
    """Build the Flask config: environment first, then explicit overrides (tests)."""
    env = dict(os.environ if env is None else env)
    env.update({k: v for k, v in (overrides or {}).items() if isinstance(v, str)})
    merged: dict[str, object] = {**env, **(overrides or {})}

    url = str(merged.get("DATABASE_URL") or _default_database_url(instance_path))
    if not url.startswith(("sqlite://", "postgresql")):
        raise SettingsError(
            f"DATABASE_URL : URL non prise en charge « {url.split(':')[0]} » "
            "(attendu sqlite:/// ou postgresql+psycopg://)")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    _check_database_url(url)

    mode = str(merged.get("CLOCK_MODE") or "system")
    if mode not in CLOCK_MODES:
        raise SettingsError(f"CLOCK_MODE : valeur invalide « {mode} » (attendu system ou manual)")

    secret = _secret_key(instance_path, merged.get("SECRET_KEY"))

    # Secure: the browser sends the UI's session cookie over HTTPS only. Off by default so that
    # the local http://127.0.0.1 works; on in production behind TLS (README).
    cookie_secure = _flag("SESSION_COOKIE_SECURE", merged.get("SESSION_COOKIE_SECURE"), False)

    try:
        rules = RulesConfig.from_mapping({k: v for k, v in merged.items() if k.startswith("CFG_")})
    except ConfigError as exc:
        raise SettingsError(str(exc)) from None

    bpmn_dir = str(merged.get("BPMN_DIR") or "")
    if bpmn_dir and not Path(bpmn_dir).is_dir():
        raise SettingsError(f"BPMN_DIR : dossier introuvable « {bpmn_dir} »")

    sandbox_timeout = _positive_int(merged, "SANDBOX_TIMEOUT", 900, "nombre de secondes")
    sandbox_max_runs = _positive_int(merged, "SANDBOX_MAX_RUNS", 1, "nombre de bacs à sable")
    # processes of one scenario run, each on a share of the features (services/design/sandbox.py)
    sandbox_parts = _positive_int(merged, "SANDBOX_PARTS", max(1, min(2, os.cpu_count() or 1)),
                                  "nombre de processus")
    proxies = merged.get("PROXY_FIX_X_FOR") or 0
    try:
        proxies = int(proxies)
        if proxies < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise SettingsError(f"PROXY_FIX_X_FOR : nombre de mandataires attendu (0 ou plus), reçu "
                            f"« {merged.get('PROXY_FIX_X_FOR')} »") from None
    sandbox_max_queue = _positive_int(merged, "SANDBOX_MAX_QUEUE", 10, "nombre de tests")
    # bounds of every BPMN script, condition and timer expression, per evaluation
    # (workflows/script_env.py; docs/designers.md)
    bpmn_bounds = {name: _positive_int(merged, name, default, what) for name, default, what in (
        ("BPMN_MAX_STEPS", 100_000, "nombre de lignes exécutées"),
        ("BPMN_MAX_MILLISECONDS", 1000, "nombre de millisecondes"),
        ("BPMN_MAX_MEMORY_MB", 256, "nombre de Mio"))}
    # past them, a letter's layout is refused (LETTER_LAYOUT_* above)
    letter_layout = {
        "LETTER_LAYOUT_TIMEOUT_SECONDS": _positive_number(
            merged, "LETTER_LAYOUT_TIMEOUT_SECONDS", LETTER_LAYOUT_TIMEOUT_SECONDS,
            "nombre de secondes"),
        **{name: _positive_int(merged, name, default, what) for name, default, what in (
            ("LETTER_LAYOUT_MEMORY_MB", LETTER_LAYOUT_MEMORY_MB, "nombre de Mio"),
            ("LETTER_LAYOUT_MAX_PAGES", LETTER_LAYOUT_MAX_PAGES, "nombre de pages"))}}

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(url),
        "CLOCK_MODE": mode,
        "SECRET_KEY": secret,
        "RULES": rules,
        # where `processes deploy` reads the shipped definitions (default: bpmn/ of the project)
        "BPMN_DIR": bpmn_dir or None,
        # the designers' scenario runs: time limit (seconds), how many at once on the whole
        # deployment (every web process shares the limit, through the database); run inline
        # instead of in a thread
        "SANDBOX_TIMEOUT": sandbox_timeout,
        "SANDBOX_MAX_RUNS": sandbox_max_runs,
        "SANDBOX_PARTS": sandbox_parts,
        "SANDBOX_MAX_QUEUE": sandbox_max_queue,  # runs of the API waiting at once (then 429)
        "SANDBOX_SYNC": False,
        **bpmn_bounds,
        **letter_layout,
        # the letters' sender (services/letters/context.py; defaults there): the prefecture's
        # name, its service and its address (lines separated by "\n")
        **{name: str(merged[name]) for name in ("PREFECTURE_NOM", "PREFECTURE_SERVICE",
                                                "PREFECTURE_ADRESSE") if merged.get(name)},
        # the browser UI's session (web/ui/security.py): the cookie expires 8 hours after the
        # last request, is never readable by scripts, not sent with cross-site sub-requests or
        # form posts; it carries only the id of a server-side session (services/users.py), which
        # lapses 8 hours after its last request and 12 hours after the login however used
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=8),
        "SESSION_IDLE_TIMEOUT": dt.timedelta(hours=8),
        "SESSION_ABSOLUTE_LIFETIME": dt.timedelta(hours=12),
        # login throttling (web/ui/security.py): failed attempts per username and per client
        # address; counters in the application's database (database://, every process shares
        # them: services/rate_counters.py) unless RATELIMIT_STORAGE_URI names another store
        # (redis://…, memcached://…: the limits library's URIs; memory://: each process's own)
        "RATELIMIT_STORAGE_URI": str(merged.get("RATELIMIT_STORAGE_URI") or "database://"),
        # no X-RateLimit-* headers (no client reads them): each limited request would read every
        # counter again after counting it; a 429 says when to come back in its own Retry-After
        "RATELIMIT_HEADERS_ENABLED": False,
        # the store (the database included) stops answering: each process counts in its memory
        # meanwhile
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_LIMIT_PER_USERNAME": "10 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "50 per 15 minutes",
        # a centre's refused enrolments by licence number (web/throttling.py): past this, its
        # enrolments by licence number wait for the window's end (a licence number is no probe)
        "ENROLMENT_REFUSALS_PER_CENTRE": "30 per hour",
        # how many reverse proxies put the client's address in X-Forwarded-For (0: none, the
        # address is the connection's); the per-address login limit needs the real one
        "PROXY_FIX_X_FOR": proxies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": cookie_secure,
        # scrypt in production; the test-suite passes a cheap method (hashing is not under test)
        "PASSWORD_HASH_METHOD": "scrypt",
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,  # BPMN uploads; JSON bodies are capped at 1 MiB
        "MAX_JSON_BYTES": 1024 * 1024,
        "API_TITLE": "Stages de sensibilisation à la sécurité routière",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "JSON_SORT_KEYS": False,
        **_outbox_settings(merged),
    }
    for key, value in (overrides or {}).items():
        if key not in ("DATABASE_URL", "CLOCK_MODE", "SECRET_KEY", "BPMN_DIR", "SANDBOX_TIMEOUT",
                       "SESSION_COOKIE_SECURE", "SANDBOX_MAX_RUNS", "SANDBOX_PARTS",
                       "RATELIMIT_STORAGE_URI",
                       "PROXY_FIX_X_FOR") \
                and not key.startswith("CFG_"):
            config[key] = value
    return config


SECRET_KEY_FILE = "secret_key"  # in the instance folder; scripts/start.sh writes one
PUBLIC_SECRETS = ("dev-only-secret-change-me",)  # once the default: anyone can sign with it


def _secret_key(instance_path: str, given: object) -> str:
    """SECRET_KEY from the environment (or the caller), else the instance folder's secret_key
    file; without either the application does not start: there is no default key."""
    secret = str(given or "").strip()
    source = "SECRET_KEY"
    if not secret:
        path = Path(instance_path) / SECRET_KEY_FILE
        source = str(path)
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            secret = ""
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"SECRET_KEY : fichier {path} illisible ({exc})") from None
    if not secret:
        raise SettingsError(
            "SECRET_KEY : absente ; donnez une longue valeur aléatoire dans l'environnement "
            f"(production) ou dans le fichier {Path(instance_path) / SECRET_KEY_FILE} "
            "(scripts/start.sh en crée un pour la démonstration)")
    if secret in PUBLIC_SECRETS:
        raise SettingsError(f"SECRET_KEY : la valeur de {source} est publique (l'ancienne "
                            "valeur de développement) ; choisissez une longue valeur aléatoire")
    return secret


def _flag(name: str, raw: object, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS + FALSE_WORDS:
        return word in TRUE_WORDS
    raise SettingsError(f"{name} : valeur invalide « {raw} » (attendu true ou false)")


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _positive_number(merged: Mapping[str, object], name: str, default: float, what: str) -> float:
    try:
        value = float(merged.get(name) or default)
        if not 0 < value < float("inf"):
            raise ValueError
    except (TypeError, ValueError):
        raise SettingsError(f"{name} : {what} attendu, reçu « {merged.get(name)} »") from None
    return value


def _positive_int(merged: Mapping[str, object], name: str, default: int, what: str) -> int:
    try:
        value = int(merged.get(name) or default)
        if value <= 0:
            raise ValueError
    except (TypeError, ValueError):
        raise SettingsError(f"{name} : {what} attendu, reçu « {merged.get(name)} »") from None
    return value


# ---- reading the settings at run time: the one place services ask for them ------------------

def setting(name: str, default: object = None) -> object:
    """A setting of the running application (load_settings made it at start-up)."""
    value = current_app.config.get(name)
    return default if value is None else value


def rules_config() -> RulesConfig:
    """The legal switches in force (DOMAIN.md's CFG_*)."""
    return setting("RULES")


def _outbox_settings(merged: Mapping[str, object]) -> dict:
    """The notifications' channel and its SMTP server (services/channels.py): the channel
    "email" (SMTP) or "journal" (recorded on the case only); a bad port stops start-up."""
    channel = str(merged.get("NOTIFICATION_CHANNEL") or "email")
    if channel not in ("email", "journal"):
        raise SettingsError(f"NOTIFICATION_CHANNEL : « {channel} » inconnu (email ou journal)")
    try:
        port = int(merged.get("SMTP_PORT") or 25)
        timeout = float(merged.get("SMTP_TIMEOUT") or 10)
    except (TypeError, ValueError):
        raise SettingsError("SMTP_PORT / SMTP_TIMEOUT : nombre attendu") from None
    return {
        "NOTIFICATION_CHANNEL": channel,
        "SMTP_HOST": str(merged.get("SMTP_HOST") or "localhost"),
        "SMTP_PORT": port,
        "SMTP_TIMEOUT": timeout,
        "SMTP_FROM": str(merged.get("SMTP_FROM") or "ne-pas-repondre@prefecture.gouv.fr"),
        "SMTP_USER": str(merged.get("SMTP_USER") or ""),
        "SMTP_PASSWORD": str(merged.get("SMTP_PASSWORD") or ""),
        "SMTP_STARTTLS": _flag("SMTP_STARTTLS", merged.get("SMTP_STARTTLS"), False),
    }
