"""Debian's Chromium through Playwright, for the browser tests: one launch recipe and one skip rule."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls around it are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)),
        reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set PLAYWRIGHT_CHROMIUM)",
    ),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def serious_violations(page) -> list[str]:
    """What axe-core reports as critical or serious on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])}× e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def overflow(page) -> int:
    """How many pixels the page is wider than its viewport (0 or less: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


class Screens:
    """Collects what axe and the width check found on each screen, so one run reports every fault."""

    def __init__(self, page, width):
        self.page, self.width, self.faults = page, width, {}

    def check(self, name):
        found = serious_violations(self.page)
        if (extra := overflow(self.page)) > 0:
            found.append(f"{extra}px wider than the {self.width}px screen")
        if found:
            self.faults[name] = found
