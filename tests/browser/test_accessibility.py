"""axe-core (WCAG 2.2 A and AA) on every kind of page each role reaches, desktop and phone.

Each role signs in to the demo data and follows the links it is shown (navigation and
page content, same site, GET only) breadth first; the first page of each kind (the path
with its numbers taken out) is checked at 1280 px and at 390 px wide. The suite fails on
any violation, listing the rule, the page and the elements. axe-core comes from npm
(package.json), so nothing is fetched at test time.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import sign_in_as

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
MAX_KINDS = 28
NOT_PAGES = re.compile(r"/sign-out|/static/|\.csv|/download|/export|/template|\.pdf")
ROLES = [
    "admin@example.org",
    "provider@example.org",
    "coordinator@example.org",
    "mentor@example.org",
    "safeguarding@example.org",
    None,  # signed out: sign-in, volunteering, forgotten password
]


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _violations(page: Page, url: str) -> list[str]:
    found = []
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text())
        result = page.evaluate(
            "options => axe.run(document, options)",
            {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]},
        )
        for v in result["violations"]:
            targets = ", ".join(str(n["target"][0]) for n in v["nodes"][:3])
            found.append(f"{name} {urlsplit(url).path}: {v['id']} ({v['impact']}) at {targets}")
    return found


def _links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], nav a[href], main a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    out = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#")[0]
        if url.startswith(base) and not NOT_PAGES.search(url):
            out.append(url)
    return out


@pytest.mark.parametrize("email", ROLES, ids=[(e or "signed-out").split("@")[0] for e in ROLES])
def test_every_page_a_role_reaches_has_no_accessibility_violations(
    browser: Browser, live_server, email
):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)
    page = context.new_page()
    base = live_server.url
    start = ["/sign-in", "/volunteer", "/forgotten-password"] if email is None else ["/"]
    if email:
        sign_in_as(page, base, email)
    queue = deque(base + path for path in start)
    seen_kinds: set[str] = set()
    problems: list[str] = []
    while queue and len(seen_kinds) < MAX_KINDS:
        url = queue.popleft()
        kind = _kind(urlsplit(url).path)
        if kind in seen_kinds:
            continue
        response = page.goto(url)
        if response is None or response.status >= 400 or not page.url.startswith(base):
            continue
        seen_kinds.add(kind)
        problems += _violations(page, url)
        page.set_viewport_size(VIEWPORTS["desktop"])
        queue.extend(_links(page, base))
    context.close()
    assert len(seen_kinds) >= (3 if email is None else 6), seen_kinds
    assert problems == [], "\n".join(problems)
