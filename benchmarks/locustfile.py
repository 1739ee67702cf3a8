"""The load benchmark's users (run by benchmarks/load.py; see its docstring).

Coordinators read their dashboard, family list and family pages; mentors read the portal
and record contacts; provider staff page through the mentor board; one administrator
starts a county-wide matching run part-way through and follows it to done. Accounts come
from LOAD_ACCOUNTS (a JSON file written by benchmarks/load.py).
"""
# ruff: noqa: S311, E501 - random choices of pages, not security

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from datetime import date

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())  # noqa: SIM115, PTH123
PASSWORD = ACCOUNTS["password"]
RUN_AFTER_SECONDS = float(os.environ.get("LOAD_RUN_AFTER", "30"))
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
_coordinators = itertools.cycle(ACCOUNTS["coordinators"])
_mentors = itertools.cycle(ACCOUNTS["mentors"])


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    return next(g for g in found.groups() if g) if found else ""


class _SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    account: dict

    def sign_in(self, account: dict) -> None:
        self.account = account
        page = self.client.get("/sign-in", name="sign-in page").text
        response = self.client.post(
            "/sign-in",
            data={"email": account["email"], "password": PASSWORD, "csrf_token": _csrf(page)},
            name="sign-in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"sign-in failed for a benchmark account: {response.status_code}")


class Coordinator(_SignedIn):
    weight = 5

    def on_start(self) -> None:
        self.sign_in(next(_coordinators))

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/reports/districts/{self.account['district_id']}", name="dashboard")

    @task(4)
    def family_list(self) -> None:
        page = random.randint(1, 5)
        self.client.get(f"/families/?page={page}", name="family list")

    @task(4)
    def family_page(self) -> None:
        family_id = random.choice(self.account["family_ids"])
        self.client.get(f"/families/{family_id}", name="family page")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")


class Mentor(_SignedIn):
    weight = 3

    def on_start(self) -> None:
        self.sign_in(next(_mentors))

    @task(3)
    def my_families(self) -> None:
        self.client.get("/my/families", name="mentor: families")

    @task(2)
    def record_contact(self) -> None:
        url = f"/my/families/{self.account['match_id']}"
        page = self.client.get(url, name="mentor: family").text
        today = date.today()
        self.client.post(
            url,
            data={
                "csrf_token": _csrf(page),
                "contact_on": [str(today.day), str(today.month), str(today.year)],
                "kind": "phone",
                "duration_minutes": "30",
                "note": "Benchmark contact",
            },
            name="mentor: record contact",
        )


class Provider(_SignedIn):
    weight = 2

    def on_start(self) -> None:
        self.sign_in(ACCOUNTS["provider"])

    @task
    def board(self) -> None:
        self.client.get(f"/mentors/?page={random.randint(1, 20)}", name="mentor board")


class CountyRun(_SignedIn):
    """One administrator: a county-wide matching run, started part-way through."""

    fixed_count = 1
    wait_time = between(5, 5)
    started = False

    def on_start(self) -> None:
        self.sign_in(ACCOUNTS["admin"])
        self.began = time.monotonic()

    @task
    def run_once(self) -> None:
        if CountyRun.started or time.monotonic() - self.began < RUN_AFTER_SECONDS:
            return
        CountyRun.started = True
        page = self.client.get("/matching/", name="matching: start page").text
        started = time.monotonic()
        response = self.client.post(
            "/matching/",
            data={"csrf_token": _csrf(page), "scope": "all"},
            name="matching: start the run",
            allow_redirects=False,
        )
        job_url = response.headers.get("Location", "")
        status = "no job"
        while job_url.startswith("/jobs/"):
            time.sleep(2)
            body = self.client.get(job_url, name="matching: job page").text
            if 'data-testid="job-status">Done' in body:
                status = "done"
                break
            if "This did not work" in body:
                status = "failed"
                break
        events.request.fire(
            request_type="RUN",
            name=f"county matching run ({status})",
            response_time=(time.monotonic() - started) * 1000,
            response_length=0,
            exception=None if status == "done" else RuntimeError(status),
            context={},
        )
