"""Fixtures for the provider's pages: a signed-in member of provider staff."""

from __future__ import annotations

import pytest

from mentoring.models import Role


@pytest.fixture
def staff(client, make_user, sign_in):
    user = make_user(Role.PROVIDER)
    sign_in(user)
    return user
