"""Browser tests: the app served on a free port, driven by headless chromium via Playwright.

Debian's chromium (/usr/bin/chromium, or CHROMIUM) is used; Playwright never downloads one.
Screenshots of failing tests are saved under test-output/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlmodel import Session
from werkzeug.serving import make_server

from demo.data import DEMO_PASSWORD, load_demo_data
from mentoring import create_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

pytestmark = pytest.mark.browser


class LiveServer:
    def __init__(self, app, tmp: Path) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
        self.app.extensions["db_engine"].dispose()


@pytest.fixture
def live_config() -> dict[str, object]:
    """Settings over the live server's own: a test module may override this."""
    return {}


@pytest.fixture
def live_server(
    sqlite_template: Path, tmp_path: Path, live_config: dict[str, object]
) -> Iterator[LiveServer]:
    """The real app (CSRF on) on a copy of the migrated database with a small demo data set."""
    db_path = tmp_path / "live.sqlite"
    shutil.copyfile(sqlite_template, db_path)
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "browser-test-secret-" + "y" * 32,
            "DATABASE_URL": f"sqlite:///{db_path}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            **live_config,
        }
    )
    with Session(app.extensions["db_engine"]) as session:
        load_demo_data(session, seed=7, families=80, mentors=40)
    server = LiveServer(app, tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make test` (it installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg):  # type: ignore[no-untyped-def]
        # Network-level resets from the test server are not the app's errors; HTTP errors
        # on sub-resources are caught below, CSP violations and script errors here.
        if msg.type == "error" and "net::ERR_" not in msg.text:
            if "Failed to load resource" not in msg.text:
                errors.append(msg.text)

    def on_response(response):  # type: ignore[no-untyped-def]
        if response.request.resource_type != "document" and response.status >= 400:
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{request.node.name}-failed.png"), full_page=True)
    context.close()
    assert errors == [], f"errors in the browser console: {errors}"


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under test-output/screenshots for people to look at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in_as(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
