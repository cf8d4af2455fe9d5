"""Gunicorn configuration for production: `gunicorn -c gunicorn.conf.py "app:create_app()"`.

Every setting can be overridden from the environment:
  WEB_BIND            address to listen on (default 127.0.0.1:8000: put a reverse proxy with TLS
                      in front; never expose gunicorn directly)
  WEB_WORKERS         web processes (default: 2 x CPUs + 1, at most 8). Each opens its own pool of
                      database connections; on SQLite keep it small (writers queue on one lock)
  WEB_THREADS         threads per process (default 1: sync workers)
  WEB_TIMEOUT         seconds before a stuck worker is killed and replaced (default 30)
  WEB_GRACEFUL_TIMEOUT seconds a worker gets to finish its requests on restart (default 30)
  WEB_KEEPALIVE       seconds an idle keep-alive connection is held (default 5)
  WEB_MAX_REQUESTS    recycle a worker after this many requests (default 0: never), with jitter
  WEB_ACCESS_LOG      where the access log goes (default "-": standard output)
  WEB_LOG_LEVEL       gunicorn's log level (default info)

preload_app is off: each worker creates the app (and its database engine) after the fork, so no
connection is ever shared between processes. Timers are NOT run by the web processes: start any
number of `flask --app app timers run --loop` workers beside them.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = _int("WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("WEB_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("WEB_KEEPALIVE", 5)
max_requests = _int("WEB_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
preload_app = False
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
proc_name = "stages-points"
