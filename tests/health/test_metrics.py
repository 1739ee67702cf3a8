"""Prometheus metrics at /metrics (mentoring/health/metrics.py)."""


def test_metrics_need_the_token(client, app):
    assert client.get("/metrics").status_code == 404  # no token configured: no page
    app.config["METRICS_TOKEN"] = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 404
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", headers=wrong).status_code == 404


def test_metrics_give_latency_per_endpoint_jobs_and_the_queue(client, app, db):
    from mentoring.jobs import runner

    app.config["METRICS_TOKEN"] = "s3cret-metrics-token"
    client.get("/sign-in")
    with app.test_request_context():
        runner.start(db, "matching_run", params={"district_ids": ["x"]}, actor_id=None)
    body = client.get(
        "/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"}
    ).get_data(as_text=True)
    assert 'mentor_match_http_request_duration_seconds_bucket{endpoint="auth.sign_in"' in body
    assert 'mentor_match_job_failures_total{kind="matching_run"} 1.0' in body
    assert 'mentor_match_job_seconds_count{kind="matching_run"} 1.0' in body
    assert "mentor_match_job_queue_depth" in body
