"""Prometheus metrics at /metrics, for ``Authorization: Bearer <METRICS_TOKEN>`` only.

Request latency histograms per endpoint (prometheus-flask-exporter), background job
durations and failures by kind, and the job queue's depth. Without METRICS_TOKEN the page
is not found. Under gunicorn, set PROMETHEUS_MULTIPROC_DIR so every worker is counted.
"""

from __future__ import annotations

import hmac
import os

from flask import Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_flask_exporter import PrometheusMetrics

from mentoring.health import bp
from mentoring.security import public


class JobMetrics:
    """What the job runner reports (it finds this in ``app.extensions["job_metrics"]``)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.duration = Histogram(
            "mentor_match_job_seconds",
            "Time a background job took, by kind",
            ["kind"],
            registry=registry,
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
        )
        self.failures = Counter(
            "mentor_match_job_failures_total",
            "Background jobs that failed, by kind",
            ["kind"],
            registry=registry,
        )

    def finished(self, kind: str, seconds: float, *, failed: bool) -> None:
        self.duration.labels(kind=kind).observe(seconds)
        if failed:
            self.failures.labels(kind=kind).inc()


def init_app(app: Flask) -> None:
    """Count requests per endpoint in this app's own registry (never the global one)."""
    registry = CollectorRegistry()
    PrometheusMetrics(
        app,
        path=None,
        registry=registry,
        group_by="endpoint",
        defaults_prefix="mentor_match",
        excluded_paths=["^/static/", "^/metrics$", "^/healthz$", "^/readyz$"],
    )
    depth = Gauge("mentor_match_job_queue_depth", "Jobs waiting to run", registry=registry)
    depth.set_function(lambda: float(app.extensions["jobs"].queue_depth()))
    app.extensions["metrics_registry"] = registry
    app.extensions["job_metrics"] = JobMetrics(registry)


@bp.route("/metrics")
@public
def metrics() -> Response:
    """The metrics, in Prometheus's text format, for the holder of METRICS_TOKEN."""
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(given.encode(), str(token).encode()):
        abort(404)
    registry = current_app.extensions["metrics_registry"]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
