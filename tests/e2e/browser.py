"""Headless Chromium (Debian's package) driven by Playwright, recording what a page asks the network for.

Every page is checked the same way: no console errors, no request leaving 127.0.0.1 (anything else is aborted and
recorded), and a screenshot under tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("FAULTLINES_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (FAULTLINES_REQUIRE_BROWSER): apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it)")
    return path


@dataclass
class Visit:
    page: object
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)  # "404 http://..."

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def screenshot_of(self, selector: str, name: str) -> Path:
        """One element (a chart's section, say), as people would look at it."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.locator(selector).screenshot(path=str(path))
        return path


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("file", "data", "blob", "about") or parts.hostname in ("127.0.0.1", "localhost")


@contextlib.contextmanager
def visit(url: str, viewport=(1280, 900)) -> Iterator[Visit]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            page = context.new_page()
            record = Visit(page)

            def route(route):
                record.requests.append(route.request.url)
                if _is_local(route.request.url):
                    route.continue_()
                else:
                    record.outside_requests.append(route.request.url)
                    route.abort()

            context.route("**/*", route)
            page.on("console", lambda message: message.type == "error" and record.console_errors.append(message.text))
            page.on("pageerror", lambda error: record.console_errors.append(str(error)))
            page.on("response", lambda response: response.status >= 400 and record.failed_responses.append(
                f"{response.status} {response.url}"))
            page.goto(url, wait_until="load")
            yield record
        finally:
            browser.close()
