"""Screenshots of every page in a real browser, for reviewing a change by eye.

    python -m bench.screenshots                      # every page, default view
    python -m bench.screenshots --presenter --train cnn "momentum?surface=saddle"

Each page is saved as 1400 x 1000 segments, top to bottom, under bench/screenshots/ (git-ignored):
`<page>[-presenter][-trained]-<n>.png`. With --train the page's Train button is pressed first and
the run awaited.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from tests.e2e.harness import CHARTS, chromium, streamlit_server, wait_for_app
from ui.lessons import available_lessons

OUT = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}


def shoot(browser, url: str, name: str, train: bool, presenter: bool) -> list[Path]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(300_000)
    sep = "&" if "?" in url else "?"
    page.goto(url + (f"{sep}presenter=true" if presenter else ""))
    wait_for_app(page, timeout_ms=300_000)
    if "/" in name or name != "home":
        page.wait_for_selector(CHARTS)
    train_button = page.get_by_role("button", name="Train")
    if train and train_button.count():
        train_button.first.click()
        page.wait_for_timeout(500)
        wait_for_app(page, timeout_ms=300_000)
    page.wait_for_timeout(1500)  # charts finish drawing after the script run
    main = page.locator('[data-testid="stMain"]')
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    stem = name + ("-presenter" if presenter else "") + ("-trained" if train else "")
    paths = []
    for i, top in enumerate(range(0, max(1, height), VIEWPORT["height"])):
        main.evaluate(f"el => el.scrollTo(0, {top})")
        page.wait_for_timeout(300)
        path = OUT / f"{stem}-{i + 1}.png"
        page.screenshot(path=str(path))
        paths.append(path)
    context.close()
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="paths with optional query, e.g. cnn or 'momentum?lr=3'; "
                                                  "default: home and every lesson")
    parser.add_argument("--train", action="store_true", help="press Train and wait for the run")
    parser.add_argument("--presenter", action="store_true", help="presenter mode on")
    args = parser.parse_args()
    pages = args.pages or [""] + [l.url_path for l in available_lessons()]
    OUT.mkdir(exist_ok=True)
    with streamlit_server() as (url, _proc), chromium() as browser:
        for path in pages:
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            for p in shoot(browser, f"{url}/{path}", name, args.train, args.presenter):
                print(p.relative_to(OUT.parent.parent))


if __name__ == "__main__":
    main()
