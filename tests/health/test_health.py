"""/healthz and /readyz (mentoring/health), and pages when the database is down."""

import socket

from mentoring import create_app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_and_readyz_answer_json_without_sign_in(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "redis": "not configured",
        "worker": "in process",
    }


def test_readyz_says_migrations_are_behind(client, app):
    import sqlalchemy as sa

    engine = app.extensions["db_engine"]
    with engine.begin() as conn:
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["checks"]["migrations"] == "behind"
    finally:  # the PostgreSQL test database is reused by later tests
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def test_with_the_database_down_healthz_is_up_and_pages_answer_503(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{_closed_port()}/none",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"] == "unavailable"
    assert "nobody" not in ready.get_data(as_text=True)
    page = client.post("/sign-in", data={"email": "a@example.org", "password": "x" * 12})
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in text and "Traceback" not in text
