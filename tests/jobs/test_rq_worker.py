"""Jobs through a real RQ worker on the machine's Redis (skipped when there is none)."""

import pytest
import redis
from rq import SimpleWorker
from sqlmodel import Session

from mentoring import create_app
from mentoring.jobs import runner
from mentoring.jobs.backends import RQBackend
from mentoring.models import BackgroundJob, JobStatus
from tests.factories import ready_family, vetted_mentor

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def rq_app(database_url, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": REDIS_URL,
        }
    )
    yield app
    redis.Redis.from_url(REDIS_URL).flushdb()
    app.extensions["db_engine"].dispose()


def _work(app) -> None:
    backend = app.extensions["jobs"]
    assert isinstance(backend, RQBackend)
    with app.app_context():
        SimpleWorker([backend.queue], connection=backend.connection).work(burst=True)


def test_a_real_worker_runs_a_matching_job_and_a_failing_job(rq_app, db, world, coordinator):
    app = rq_app
    if True:
        vetted_mentor(db, world.dartford)
        ready_family(db, world.dartford)
        with app.test_request_context():
            good = runner.start(
                db,
                "matching_run",
                params={"district_ids": [world.dartford.id]},
                actor_id=coordinator.id,
            )
            bad = runner.start(db, "matching_run", params={"district_ids": ["x"]}, actor_id=1)
        assert app.extensions["jobs"].queue_depth() == 2
        assert db.get(BackgroundJob, good.id).status == JobStatus.QUEUED.value
    _work(app)
    with Session(app.extensions["db_engine"]) as db:
        done, failed = db.get(BackgroundJob, good.id), db.get(BackgroundJob, bad.id)
        assert done.status == JobStatus.DONE.value and done.result["run_id"]
        assert failed.status == JobStatus.FAILED.value and "Nothing was saved" in failed.message
    assert app.extensions["jobs"].queue_depth() == 0
