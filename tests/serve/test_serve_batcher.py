"""The batcher without HTTP: requests of many clients meet in one model call and get what they
would get alone; the queue's bound; cancelling a queued job. Plus the small pieces: keys, language
detection, the glossary store's files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import SETTINGS, HeldModel, wait_for

from songngu.errors import InputError
from songngu.glossary.formats import load_glossary
from songngu.translate.engine import Translator
from songngu.translate.pipeline import ArticleSource
from songngu.translate.segment import segment_article
from songngu.translate.serve import languages
from songngu.translate.serve.batcher import Batcher, QueueFull, TextSource
from songngu.translate.serve.glossaries import GlossaryStore
from songngu.translate.serve.keys import ApiKeys

TEXTS = ["Bộ Ngoại giao họp. Liên hợp quốc đến.", "Xin chào.", "Các đại biểu thảo luận về nhân quyền."]


def source(text: str, name: str = "t") -> TextSource:
    return TextSource(ArticleSource("", name, text), tuple(segment_article(text, name)))


def test_clients_share_one_model_call_and_get_their_own_answers(serve_translator: Translator) -> None:
    held = HeldModel(serve_translator)
    batcher = Batcher(held, SETTINGS, window=0.0)
    batcher.start()

    async def clients() -> list[list[str]]:
        first = asyncio.ensure_future(batcher.translate([source("Một.")], None))
        await asyncio.to_thread(held.entered.wait, 30)  # the model is busy with the first
        others = [asyncio.ensure_future(batcher.translate([source(text)], None)) for text in TEXTS]
        queued = sum(len(source(text).segments) for text in TEXTS)
        await asyncio.to_thread(
            wait_for, lambda: batcher.stats().queued_segments == queued, "the others to queue"
        )
        held.release.set()
        done = await asyncio.gather(first, *others)
        return [[r.target for r in texts[0].results] for texts in done]

    try:
        together = asyncio.run(clients())
        assert batcher.stats().model_calls == 2  # the first alone, then all the others at once
        alone = []
        for text in TEXTS:
            (part,) = asyncio.run(_one(batcher, text))
            alone.append([r.target for r in part.results])
    finally:
        batcher.stop()
    assert together[1:] == alone


async def _one(batcher: Batcher, text: str):
    return await batcher.translate([source(text)], None)


def test_a_batch_never_takes_more_than_max_batch_segments(serve_translator: Translator) -> None:
    held = HeldModel(serve_translator)
    held.release.set()
    calls: list[int] = []
    original = held.translate

    def counting(requests, **settings):
        calls.append(len(requests))
        return original(requests, **settings)

    held.translate = counting  # type: ignore[method-assign]
    batcher = Batcher(held, SETTINGS, window=0.05, max_batch=2)
    batcher.start()

    async def clients() -> None:
        await asyncio.gather(
            *(batcher.translate([source(text)], None) for text in ["Một.", "Hai.", "Ba.", "Bốn."])
        )

    try:
        asyncio.run(clients())
    finally:
        batcher.stop()
    assert sum(calls) == 4 and max(calls) <= 2


def test_the_queue_refuses_past_its_capacity_and_frees_a_cancelled_place(
    serve_translator: Translator,
) -> None:
    held = HeldModel(serve_translator)
    batcher = Batcher(held, SETTINGS, window=0.0, capacity=2)
    batcher.start()

    async def clients() -> None:
        first = asyncio.ensure_future(batcher.translate([source("Một.")], None))
        await asyncio.to_thread(held.entered.wait, 30)
        waiting = asyncio.ensure_future(batcher.translate([source("Hai. Ba.")], None))
        await asyncio.sleep(0)
        await asyncio.to_thread(wait_for, lambda: batcher.stats().queued_segments == 2, "the second to queue")
        with pytest.raises(QueueFull) as full:
            await batcher.translate([source("Bốn.")], None)
        assert full.value.retry_after >= 1
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        assert batcher.stats().queued_segments == 0
        late = asyncio.ensure_future(batcher.translate([source("Bốn.")], None))  # room again
        held.release.set()
        await asyncio.gather(first, late)

    try:
        asyncio.run(clients())
    finally:
        batcher.stop()
    stats = batcher.stats()
    assert (stats.rejected, stats.cancelled) == (1, 1)
    assert "Hai." not in held.seen and "Bốn." in held.seen


def test_keys_file(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text("# desk keys\nk-one   Hà Nội desk\n\nk-two\n", encoding="utf-8")
    keys = ApiKeys.load(path)
    assert keys.keys == ("k-one", "k-two") and keys.required
    assert keys.accepts("k-two") and not keys.accepts("k-three") and not keys.accepts(None)
    assert ApiKeys().accepts(None)
    path.write_text("# none\n", encoding="utf-8")
    with pytest.raises(InputError, match="no API keys"):
        ApiKeys.load(path)


def test_detection_tells_vietnamese_from_english() -> None:
    assert languages.detect("Hội nghị Bộ trưởng Ngoại giao ASEAN lần thứ 54")[0].language == "vi"
    assert languages.detect("The ASEAN Foreign Ministers' Meeting")[0].language == "en"
    assert languages.detect("")[0].language == "en"
    for text in ("Xin chào", "Hello there", "Hà Nội và Paris"):
        assert sum(d.confidence for d in languages.detect(text)) == pytest.approx(100)
    assert languages.is_target("en_GB") and languages.is_target("EN-US") and languages.is_source("VI")
    assert not languages.is_source("vie") and not languages.is_target("de")


def test_a_damaged_glossary_file_is_one_line_at_startup(tmp_path: Path) -> None:
    store = GlossaryStore.open(None, tmp_path)
    stored = store.create("g", "vi", "en", "hội nghị\tconference\n", "tsv")
    assert GlossaryStore.open(None, tmp_path).get(stored.glossary_id) == stored
    (tmp_path / f"{stored.glossary_id}.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="damaged glossary file"):
        GlossaryStore.open(None, tmp_path)


def test_the_server_glossary_is_enforced_without_a_request_glossary() -> None:
    server = load_glossary(Path(__file__).resolve().parents[2] / "seeds" / "glossary.csv")
    store = GlossaryStore(server)
    matcher = store.matcher(None)
    assert matcher is not None and matcher.find("Liên hợp quốc họp.")[0].entry.en == "United Nations"
