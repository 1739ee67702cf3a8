"""Mentor Match: volunteer mentors and role models for families in the programme."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from mentoring.config import ROOT, load_config
from mentoring.numbers import MAX_ID


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the app; `config` overrides settings from the environment."""
    app = Flask(
        __name__,
        instance_path=str((config or {}).get("INSTANCE_PATH") or ROOT / "instance"),
        static_folder="static",
    )
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a council's load balancer: believe its X-Forwarded-For and -Proto, and
        # only that many hops, so the throttle and the audit see each real address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from mentoring import audit, db, logs, sentry
    from mentoring.extensions import csrf, login_manager, register_council_client, wtforms_helpers
    from mentoring.security import init_throttle, make_nonce, set_security_headers

    logs.init_app(app)
    sentry.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    wtforms_helpers.init_app(app)
    init_throttle(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    if app.config.get("OIDC_ISSUER") and app.config.get("OIDC_CLIENT_ID"):
        register_council_client(app)  # single sign-on, only when configured

    from mentoring import cli, templating
    from mentoring.admin import bp as admin_bp
    from mentoring.auth import bp as auth_bp
    from mentoring.auth.views import check_session_age, session_expires_in
    from mentoring.errors import register_error_handlers
    from mentoring.main import bp as main_bp
    from mentoring.security import enforce_roles

    # URL numbers above what the databases store are not found (404), never an overflow.
    app.url_map.converters["int"] = BoundedIntConverter
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    from mentoring.families import bp as families_bp

    app.register_blueprint(families_bp, url_prefix="/families")
    from mentoring.mentors import bp as mentors_bp
    from mentoring.mentors.apply import bp as apply_bp

    app.register_blueprint(mentors_bp, url_prefix="/mentors")
    app.register_blueprint(apply_bp)
    from mentoring.coordination import bp as coordination_bp
    from mentoring.mentor_portal import bp as mentor_bp

    app.register_blueprint(coordination_bp, url_prefix="/matching")
    app.register_blueprint(mentor_bp, url_prefix="/my")
    from mentoring.safeguarding import bp as safeguarding_bp

    app.register_blueprint(safeguarding_bp, url_prefix="/safeguarding")
    from mentoring.reports import bp as reports_bp

    app.register_blueprint(reports_bp, url_prefix="/reports")
    from mentoring.health import bp as health_bp
    from mentoring.health import metrics as health_metrics
    from mentoring.jobs import runner, schedule
    from mentoring.jobs.worker import daily_command, worker_command
    from mentoring.progress import bp as progress_bp

    runner.init_app(app)
    health_metrics.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(progress_bp, url_prefix="/jobs")
    app.cli.add_command(worker_command)
    app.cli.add_command(daily_command)
    register_error_handlers(app)
    templating.init_app(app)
    cli.init_app(app)
    if not app.testing and app.config["DAILY_JOB_IN_PROCESS"] and not app.config.get("REDIS_URL"):
        _started: list[bool] = []

        @app.before_request
        def _daily_in_process() -> None:
            if not _started:
                _started.append(True)
                schedule.start_in_process(app)

    app.before_request(make_nonce)
    app.before_request(_start_timer)
    app.before_request(check_session_age)
    app.context_processor(
        lambda: {
            "session_expires_in": session_expires_in(),
            "session_warning_seconds": app.config["SESSION_WARNING_SECONDS"],
        }
    )
    app.before_request(enforce_roles)
    app.after_request(audit.audit_page_view)
    app.after_request(set_security_headers)
    app.after_request(_log_request)
    return app


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Any) -> Any:
    """Log method, path (never the query string: it may hold names), status and timing."""
    if request.endpoint == "static":
        return response
    from flask import current_app
    from flask_login import current_user

    started = g.get("request_started", time.perf_counter())
    current_app.logger.info(
        "request",
        extra={
            "event": "request",
            "method": request.method,
            # A link's secret is never logged: such paths are logged as their route.
            "path": request.url_rule.rule
            if request.url_rule is not None and "token" in (request.view_args or {})
            else request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": current_user.id if current_user.is_authenticated else None,
        },
    )
    return response


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` limited to positive database ids (1 to 2**31 - 1)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
