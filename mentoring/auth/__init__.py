"""Signing in and out, emailed links, two-factor sign-in, single sign-on and Your account."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from mentoring.auth import account, links, sso, two_factor, views  # noqa: E402,F401
