"""The backward stepper's page in a real headless browser (Chromium, driven by Playwright).

Needs Playwright (``pip install playwright``; its own browser download is
not needed) and a Chromium on the PATH (Debian: ``apt-get install chromium``);
skipped where either is missing.  Checks what a reader sees: one frame at a
time, buttons disabled at the ends, the arrow keys, the position shown,
and every frame listed in order when JavaScript is off.
"""

from __future__ import annotations

import shutil

import pytest

import microgrid
from microgrid import viz

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                 "google-chrome"))), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on the PATH")


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    x = microgrid.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = microgrid.mean(x * x)
    folder = tmp_path_factory.mktemp("steps")
    return viz.draw_backward_steps(out, folder, {"x": x}, show_values=True).html


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox"])
        except sync_api.Error as error:  # a Chromium that cannot start here
            pytest.skip(f"Chromium does not start: {error}")
        yield browser
        browser.close()


def visible_steps(page) -> list:
    return [int(frame.get_attribute("data-step")) for frame in page.query_selector_all(".mg-frame")
            if frame.is_visible()]


def test_stepping_with_buttons_and_keys(browser, page_file):
    page = browser.new_page()
    page.goto(page_file.as_uri())
    previous, next_ = page.locator(".mg-previous"), page.locator(".mg-next")
    assert visible_steps(page) == [0]
    assert previous.is_disabled() and next_.is_enabled()
    assert page.locator(".mg-position").text_content() == "step 0 of 3"
    for k in (1, 2, 3):
        next_.click()
        assert visible_steps(page) == [k]
    assert next_.is_disabled() and previous.is_enabled()
    assert page.locator(".mg-position").text_content() == "step 3 of 3"
    page.keyboard.press("ArrowLeft")
    assert visible_steps(page) == [2]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # past the end: stays
    assert visible_steps(page) == [3]
    svg = page.locator(".mg-frame[data-step='3'] svg")
    assert "AccumulateGrad adds the gradient" in svg.text_content()
    box = svg.bounding_box()
    assert box["width"] > 200 and box["height"] > 200
    page.close()


def test_every_frame_listed_without_javascript(browser, page_file):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_file.as_uri())
    assert visible_steps(page) == [0, 1, 2, 3]
    assert not page.locator(".mg-controls").is_visible()  # no dead buttons
    context.close()
