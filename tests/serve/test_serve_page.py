"""The page at ``/`` in headless Chromium: paste Vietnamese, pick a glossary, translate, see each
glossary term highlighted (met) or listed as missed; nothing is loaded from anywhere else.

``SONGNGU_SCREENSHOT_DIR=docs .venv/bin/pytest tests/serve/test_serve_page.py`` also writes the
README's screenshot, ``docs/serve-page.png``: only when asked, so a test run never changes the tree.
"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import MakeService, serving

SENTENCE = "Hội nghị có nhiều đại biểu của Bộ Ngoại giao và Liên hợp quốc."


def test_the_page_translates_with_a_glossary_and_highlights_the_terms(
    make_service: MakeService, browser
) -> None:
    service = make_service()
    desk = service.glossaries.create(
        "Desk terms", "vi", "en", "hội nghị\tconference\nđại biểu\tdelegate\n", "tsv"
    )
    with serving(service) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        try:
            page.goto(url + "/")
            page.get_by_test_id("glossary").locator(f"option[value='{desk.glossary_id}']").wait_for(
                state="attached"
            )
            page.get_by_test_id("source").fill(SENTENCE)
            page.get_by_test_id("glossary").select_option(desk.glossary_id)
            page.get_by_test_id("translate").click()
            page.get_by_test_id("summary").get_by_text("Terms met").wait_for()
            met = page.get_by_test_id("term-met").all_inner_texts()
            missed = page.get_by_test_id("term-missed").all_inner_texts()
            marks = page.locator("[data-testid=output] mark.met").all_inner_texts()
            summary = page.get_by_test_id("summary").inner_text()
            output = page.get_by_test_id("output").inner_text()
            if directory := os.environ.get("SONGNGU_SCREENSHOT_DIR"):
                Path(directory).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(directory) / "serve-page.png"), full_page=True)
        finally:
            page.close()
    # In the sentence's order, as matched (the source's own capitals); a term met by one of its
    # variants says which ("United Nations" may be met as "UN", the acronym the glossary accepts).
    assert [item.split(" (as ")[0] for item in met] == [
        "Hội nghị → conference",
        "đại biểu → delegate",
        "Bộ Ngoại giao → Ministry of Foreign Affairs",
        "Liên hợp quốc → United Nations",
    ]
    assert not missed
    assert len(marks) == 4 and all(mark in output for mark in marks)
    assert "Terms met: 4 of 4" in summary
    assert all(address.startswith(url) for address in requested), requested  # no external assets


def test_the_page_asks_for_a_key_when_the_server_needs_one(make_service: MakeService, browser) -> None:
    with serving(make_service(keys=["page-key"])) as url:
        page = browser.new_page()
        try:
            page.goto(url + "/")
            page.get_by_test_id("key").wait_for(state="visible")
            page.get_by_test_id("source").fill("Xin chào.")
            page.get_by_test_id("translate").click()
            refused = page.get_by_test_id("error").inner_text()
            page.get_by_test_id("key").fill("page-key")
            page.get_by_test_id("translate").click()
            page.get_by_test_id("summary").get_by_text("Terms met").wait_for()
        finally:
            page.close()
    assert "Authorization" in refused
