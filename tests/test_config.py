"""Configuration: safe defaults, and no start in production without a secret."""

import secrets

import pytest

from mentoring import create_app
from mentoring.config import ConfigError, load_config


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORING_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


STRONG = secrets.token_hex(32)


@pytest.mark.parametrize(
    "key", ["a" * 40, "ab" * 32, "password" * 5, "Kent2026Kent!" * 3, "3f9a0c2e7b1d4a68"]
)
def test_production_refuses_a_secret_key_with_under_128_bits(tmp_path, key):
    with pytest.raises(ConfigError, match="too weak"):
        load_config(tmp_path, {"MENTORING_ENV": "production", "SECRET_KEY": key})


def test_production_accepts_a_random_secret_key(tmp_path):
    for _ in range(20):
        key = secrets.token_hex(32)
        assert load_config(tmp_path, {"MENTORING_ENV": "production", "SECRET_KEY": key})
    assert load_config(
        tmp_path, {"MENTORING_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(32)}
    )


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="at least 32"):
        load_config(tmp_path, {"MENTORING_ENV": "production", "SECRET_KEY": "short"})


def test_development_generates_a_secret_key_and_keeps_it(tmp_path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    second = load_config(tmp_path, {})["SECRET_KEY"]
    assert len(first) >= 64
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    assert load_config(tmp_path, {})["DATABASE_URL"] == f"sqlite:///{tmp_path / 'mentoring.sqlite'}"


def test_postgresql_urls_use_psycopg(tmp_path):
    config = load_config(tmp_path, {"DATABASE_URL": "postgresql://u@h/db"})
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_production_cookies_are_secure(tmp_path):
    config = load_config(tmp_path, {"MENTORING_ENV": "production", "SECRET_KEY": STRONG})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["HSTS"] is True


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="MENTORING_ENV"):
        load_config(tmp_path, {"MENTORING_ENV": "staging"})
