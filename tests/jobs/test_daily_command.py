"""The daily job's command (`mentoring/jobs/worker.py`): `flask send-reminders`."""

from __future__ import annotations

from datetime import date

from tests.factories import vetted_mentor


def test_send_reminders_command_runs_the_daily_job(runner, db, world):
    vetted_mentor(db, world.dartford)
    today = date.today().isoformat()
    result = runner.invoke(args=["send-reminders", "--date", today])
    assert result.exit_code == 0, result.output
    assert f"{today}: 0 reminders sent" in result.output
    assert "1 became matchable" in result.output
    bad = runner.invoke(args=["send-reminders", "--date", "3/3/2026"])
    assert bad.exit_code != 0
    assert "--date must be a date like 2026-03-27" in bad.output
