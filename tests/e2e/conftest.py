"""Fixtures: one real app server for the session, headless Debian Chromium, a fresh page per test."""
import os

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import CHROMIUM, chromium, streamlit_server


@pytest.fixture(scope="session")
def server():
    with streamlit_server() as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)  # charts mount one by one after the script run ends
    yield p
    context.close()
