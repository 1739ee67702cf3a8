"""The timeout warning's server side (issue 22, point 5): signed-in pages carry the time
left, "Stay signed in" starts the idle time again, signed-out pages have no warning."""

import re
from datetime import timedelta

from mentoring.models import Role, utcnow


def test_signed_in_pages_carry_the_warning_with_the_time_left(client, make_user, sign_in, app):
    assert 'id="timeout-warning"' not in client.get("/sign-in").get_data(as_text=True)
    sign_in(make_user(Role.PROVIDER))
    page = client.get("/").get_data(as_text=True)
    assert 'id="timeout-warning"' in page and "Stay signed in" in page
    left = int(re.search(r'data-expires-in="(\d+)"', page).group(1))
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    assert idle - 5 <= left <= idle
    assert f'data-warn-before="{app.config["SESSION_WARNING_SECONDS"]}"' in page


def test_stay_signed_in_starts_the_idle_time_again(client, make_user, sign_in, app):
    sign_in(make_user(Role.COORDINATOR))
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    with client.session_transaction() as s:
        s["last_seen"] = (utcnow() - idle + timedelta(seconds=60)).isoformat()
    response = client.post("/session/keep-alive")
    assert response.status_code == 200
    assert response.get_json()["expires_in"] >= idle.total_seconds() - 5
    # The next page counts from the keep-alive, not from before it.
    page = client.get("/").get_data(as_text=True)
    left = int(re.search(r'data-expires-in="(\d+)"', page).group(1))
    assert left >= idle.total_seconds() - 5


def test_keep_alive_after_the_limit_signs_out(client, make_user, sign_in, app):
    sign_in(make_user(Role.COORDINATOR))
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    with client.session_transaction() as s:
        s["last_seen"] = (utcnow() - idle - timedelta(seconds=5)).isoformat()
    response = client.post("/session/keep-alive")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_keep_alive_needs_a_signed_in_user(client):
    assert client.post("/session/keep-alive").status_code in (302, 401, 403)
