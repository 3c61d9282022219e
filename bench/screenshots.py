"""Screenshots of every page in a real browser, for reviewing a change by eye.

    python -m bench.screenshots                      # every page, default view
    python -m bench.screenshots --presenter --train cnn "momentum?surface=saddle"
    python -m bench.screenshots --url http://localhost:8501      # the app `make run` serves

Each page is saved as 1400 x 1000 segments (390 x 844 with --phone), top to bottom, under
bench/screenshots/ (git-ignored): `<page>[-presenter][-trained][-phone]-<n>.png`. With --train the
page's Train button is pressed first and the run awaited until it has finished and every chart is
drawn. Each page's time until its first chart is drawn is printed beside it.
"""
from __future__ import annotations

import argparse
import contextlib
import re
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.harness import CHARTS, chromium, streamlit_server, wait_for_app, wait_for_charts, wait_for_training
from ui.course import available_lessons

OUT = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}  # a phone held upright


HEADER = 64  # px of the viewport's top that Streamlit's header covers


def shoot(browser, url: str, name: str, train: bool, presenter: bool, phone: bool = False
          ) -> tuple[list[Path], float]:
    """The page's screenshots and the seconds until its first chart (or, for home, its content)."""
    viewport = PHONE if phone else VIEWPORT
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(300_000)
    sep = "&" if "?" in url else "?"
    start = time.perf_counter()
    page.goto(url + (f"{sep}presenter=true" if presenter else ""))
    wait_for_app(page, timeout_ms=300_000)
    if name != "home":
        page.wait_for_selector(CHARTS)
    first = time.perf_counter() - start
    # every section's Train button in turn (regularization has three, basics two): each run has ended
    # and every chart is drawn before the next button, and before the shots
    buttons = page.get_by_role("button", name=re.compile(r"^Train"))
    prompts = page.locator('[data-testid="stAlertContainer"]', has_text="Press Train to train")
    if train and name != "home":  # the first run may still be drawing the sections below the first chart
        try:
            buttons.first.wait_for(timeout=120_000)
        except PlaywrightTimeout:  # a page without a Train button
            pass
        wait_for_app(page, timeout_ms=300_000)
    for attempt in range(3 if train else 0):  # a click landing on a rerun in progress is lost: press again
        for i in range(buttons.count()):
            buttons.nth(i).click()
            wait_for_training(page)
        if not prompts.count():
            break
    if name != "home":
        wait_for_charts(page, timeout_ms=300_000)
    page.wait_for_timeout(500)  # the last chart's marks settle (transitions)
    main = page.locator('[data-testid="stMain"]')
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    stem = name + ("-presenter" if presenter else "") + ("-trained" if train else "") + ("-phone" if phone else "")
    paths = []
    # each shot starts HEADER px above where the last one ended: Streamlit's sticky header covers the top
    # of every shot, and a strip at each seam would otherwise be in none
    for i, top in enumerate(range(0, max(1, height), viewport["height"] - HEADER)):
        main.evaluate(f"el => el.scrollTo(0, {top})")
        page.wait_for_timeout(300)
        path = OUT / f"{stem}-{i + 1}.png"
        page.screenshot(path=str(path))
        paths.append(path)
    context.close()
    return paths, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="paths with optional query, e.g. cnn or 'momentum?lr=3'; "
                                                  "default: home and every lesson")
    parser.add_argument("--train", action="store_true", help="press Train and wait for the run")
    parser.add_argument("--presenter", action="store_true", help="presenter mode on")
    parser.add_argument("--phone", action="store_true", help="a 390 x 844 phone screen instead of 1400 x 1000")
    parser.add_argument("--url", help="a running app to shoot (default: start a fresh server)")
    args = parser.parse_args()
    pages = args.pages or [""] + [l.url_path for l in available_lessons()]
    OUT.mkdir(exist_ok=True)
    server = contextlib.nullcontext((args.url.rstrip("/"), None)) if args.url else streamlit_server()
    with server as (url, _proc), chromium() as browser:
        for path in pages:
            name = re.sub(r"[^a-z0-9]+", "-", path.lower().split("?")[0]).strip("-") or "home"
            if "?" in path:
                name += "-" + re.sub(r"[^a-z0-9]+", "-", path.lower().split("?", 1)[1]).strip("-")
            shots, first = shoot(browser, f"{url}/{path}", name, args.train, args.presenter, args.phone)
            print(f"/{path:<40} first chart after {first:5.2f} s  " + " ".join(p.name for p in shots))


if __name__ == "__main__":
    main()
