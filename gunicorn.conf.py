"""gunicorn settings: `gunicorn 'mentoring:create_app()'` (or `make serve`).

Everything can be overridden with GUNICORN_CMD_ARGS or the environment variables below.
The access log is one JSON line per request (no query strings: they may hold names).
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Two workers per core plus one, as gunicorn advises; WEB_CONCURRENCY sets it outright.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# Long work runs as background jobs, so a request never needs long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Each worker creates its app after the fork: no database connections shared across it.
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = (
    '{"time": "%(t)s", "event": "access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s}'
)
