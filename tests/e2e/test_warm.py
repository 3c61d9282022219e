"""Results on arrival (issue 20, 5): the warm-up process trains a page's default view into the result
folder, and a server reading that folder shows the trained view to the first visitor without training."""
import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, ROOT, assert_no_exception, streamlit_server, wait_for_app, wait_for_charts


def test_a_warmed_default_view_is_shown_at_once_without_training(browser, tmp_path):
    env = {**os.environ, "DLVL_RESULTS": str(tmp_path), "DLVL_WARM": "0", "OMP_NUM_THREADS": "1"}
    warm = subprocess.run([sys.executable, "-m", "ui.warm", "momentum"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert warm.returncode == 0 and "momentum ready" in warm.stderr, warm.stderr[-2000:]
    assert "computing momentum.train" in warm.stderr  # the warm-up trained the default network
    assert list(tmp_path.rglob("*.pkl"))

    with streamlit_server(results=str(tmp_path), warm=False) as (url, proc):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/momentum")
        wait_for_app(page)
        wait_for_charts(page)
        assert_no_exception(page)
        expect(page.locator('[data-testid="stProgress"]')).to_have_count(0)
        expect(page.get_by_text("Showing the last run")).to_have_count(0)
        assert page.locator(CHARTS).count() >= 4
        page.close()
        log = Path(proc.log_path).read_text()
    assert "computing momentum.train" not in log, log[-2000:]
