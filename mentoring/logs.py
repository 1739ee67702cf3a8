"""Structured (JSON) logging that never writes family or DBS details.

Log records carry only what is safe: event names, ids, status codes, timings.
A filter drops any extra field whose name suggests personal or sensitive data,
so a careless ``extra=`` cannot leak it.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from flask import Flask

# Extra fields that may be logged; anything else passed in `extra` is dropped.
SAFE_FIELDS = frozenset(
    {
        "event",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
        "role",
        "endpoint",
        "run_id",
        "count",
        "object_type",
        "object_id",
        "district_id",
        "reason",
    }
)
_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON with only the safe extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if key in SAFE_FIELDS:
                payload[key] = value
        if record.exc_info:
            # The exception type and where, never its message: a database error's message
            # quotes the SQL parameters (whole rows of families), a ValueError the value.
            exc_type, exc, _tb = record.exc_info
            payload["exception"] = exc_type.__name__ if exc_type else "Exception"
            if exc is not None:
                payload["traceback"] = safe_traceback(exc)
        return json.dumps(payload, default=str)


def safe_traceback(exc: BaseException) -> str:
    """A traceback with the frames (file, line, function, code) and each exception's type,
    for every exception in the chain, and none of their messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.format_list(traceback.extract_tb(current.__traceback__))
        parts.append("".join(frames) + f"{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    return "\n-- caused by or while handling --\n".join(reversed(parts))


def init_app(app: Flask) -> None:
    """Send the app's logs to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.propagate = False
