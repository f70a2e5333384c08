"""The server run for real (uvicorn on 127.0.0.1, a free port) and driven by the clients desks use:
the official ``deepl`` client, ``libretranslatepy``, and the exact request shapes of Weblate's
LibreTranslate and DeepL machinery and of OmegaT's LibreTranslate plugin. Then load: a full queue,
a client that goes away, a request past the timeout."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator

import deepl
import httpx
import pytest
import requests
from conftest import HeldModel, MakeService, serving, wait_for
from libretranslatepy import LibreTranslateAPI

from songngu.translate.engine import Translator
from songngu.translate.serve.service import Limits

KEY = "desk-key-1"
SENTENCE = "Hội nghị có nhiều đại biểu của Liên hợp quốc."
DESK_TERMS = {"hội nghị": "conference", "đại biểu": "delegate"}


@pytest.fixture(scope="module")
def server(serve_translator: Translator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module: the seed glossary, a key, a glossary store."""
    from conftest import SEED_GLOSSARY, SETTINGS  # module scope: build the service here

    from songngu.glossary.formats import load_glossary
    from songngu.translate.serve.batcher import Batcher
    from songngu.translate.serve.glossaries import GlossaryStore
    from songngu.translate.serve.keys import ApiKeys
    from songngu.translate.serve.service import TranslationService

    store = GlossaryStore.open(load_glossary(SEED_GLOSSARY), tmp_path_factory.mktemp("store"))
    service = TranslationService(Batcher(serve_translator, SETTINGS, window=0.002), store, ApiKeys((KEY,)))
    with serving(service) as url:
        yield url


def test_deepl_client_creates_a_glossary_and_gets_every_term(server: str) -> None:
    translator = deepl.DeepLClient(KEY, server_url=server)
    glossary = translator.create_glossary("desk", "VI", "EN", DESK_TERMS)
    assert glossary.ready and glossary.entry_count == 2 and glossary.source_lang == "VI"
    assert any(g.glossary_id == glossary.glossary_id for g in translator.list_glossaries())
    assert translator.get_glossary(glossary.glossary_id).name == "desk"
    assert translator.get_glossary_entries(glossary) == DESK_TERMS
    assert translator.get_glossary_languages()[0].source_lang == "vi"

    result = translator.translate_text(SENTENCE, source_lang="VI", target_lang="EN-US", glossary=glossary)
    assert isinstance(result, deepl.TextResult) and result.text
    assert result.billed_characters == len(SENTENCE)
    # The report the client ignores, read from the raw answer the client got: every term met.
    raw = requests.post(
        f"{server}/v2/translate",
        json={
            "text": [SENTENCE],
            "source_lang": "VI",
            "target_lang": "EN-US",
            "glossary_id": glossary.glossary_id,
        },
        headers={"Authorization": f"DeepL-Auth-Key {KEY}"},
        timeout=60,
    ).json()["translations"][0]
    assert raw["text"] == result.text
    terms = [term for segment in raw["songngu"]["segments"] for term in segment["terms"]]
    assert {term["en"] for term in terms} == {"conference", "delegate", "United Nations"}
    assert all(term["met"] for term in terms)
    for term in terms:
        start, end = term["at"]
        assert result.text[start:end]  # the rendering is there, in the client's text

    texts = translator.translate_text([SENTENCE, "Xin chào."], source_lang="VI", target_lang="EN-GB")
    assert [t.text for t in texts][1] and texts[0].detected_source_lang == "VI"
    usage = translator.get_usage()
    assert usage.character.valid and usage.character.count >= len(SENTENCE) and not usage.any_limit_reached
    assert {lang.code for lang in translator.get_target_languages()} == {"EN-US", "EN-GB"}

    translator.delete_glossary(glossary)
    with pytest.raises(deepl.GlossaryNotFoundException):
        translator.get_glossary(glossary.glossary_id)


def test_deepl_client_with_a_wrong_key_gets_an_authorization_error(server: str) -> None:
    with pytest.raises(deepl.AuthorizationException):
        deepl.Translator("wrong", server_url=server).translate_text("Xin chào.", target_lang="EN-US")


def test_libretranslatepy_translates_detects_and_lists(server: str) -> None:
    api = LibreTranslateAPI(server, api_key=KEY)
    english = api.translate(SENTENCE, "vi", "en")
    assert isinstance(english, str) and english
    assert api.detect("Các đại biểu thảo luận về nhân quyền.")[0]["language"] == "vi"
    assert [language["code"] for language in api.languages()] == ["vi", "en"]
    # The same text through the DeepL API is the same English: one pipeline behind both.
    deepl_text = deepl.Translator(KEY, server_url=server).translate_text(SENTENCE, target_lang="EN-US")
    assert deepl_text.text == english


def test_weblate_libretranslate_shapes(server: str) -> None:
    # weblate/machinery/libretranslate.py: GET languages (no key), POST JSON with q as a list.
    languages = requests.get(f"{server}/languages", timeout=60).json()
    assert [x["code"] for x in languages] == ["vi", "en"]
    texts = [SENTENCE, "Xin chào."]
    payload = requests.post(
        f"{server}/translate",
        json={"api_key": KEY, "q": texts, "source": "vi", "target": "en"},
        timeout=60,
    ).json()
    assert len(payload["translatedText"]) == 2
    # Older Weblate: a form, q a string.
    form = requests.post(
        f"{server}/translate",
        data={"api_key": KEY, "q": texts[0], "source": "vi", "target": "en"},
        timeout=60,
    ).json()
    assert form["translatedText"] == payload["translatedText"][0]


def test_weblate_deepl_shapes(server: str) -> None:
    # weblate/machinery/deepl.py: languages by type, glossary pairs, glossary sync by name, translate
    # with tag_handling xml and ignore_tags ["x"], formality; headers DeepL-Auth-Key.
    headers = {"Authorization": f"DeepL-Auth-Key {KEY}"}
    api = f"{server}/v2/"
    sources = {
        x["language"]
        for x in requests.get(api + "languages", params={"type": "source"}, headers=headers).json()
    }
    targets = {
        x["language"]
        for x in requests.get(api + "languages", params={"type": "target"}, headers=headers).json()
    }
    assert "VI" in sources and "EN-US" in targets
    pairs = requests.get(api + "glossary-language-pairs", headers=headers).json()["supported_languages"]
    assert ("VI", "EN") in {(p["source_lang"].upper(), p["target_lang"].upper()) for p in pairs}
    name = "weblate:1:VI:EN-US:0123abcd"
    requests.post(
        api + "glossaries",
        json={
            "name": name,
            "source_lang": "VI",
            "target_lang": "EN",
            "entries": "hội nghị\tconference",
            "entries_format": "tsv",
        },
        headers=headers,
        timeout=60,
    ).raise_for_status()
    glossary_id = {
        g["name"]: g["glossary_id"]
        for g in requests.get(api + "glossaries", headers=headers).json()["glossaries"]
    }[name]
    texts = ['Hội nghị có <x id="0"></x> đại biểu.', "Xin chào."]
    payload = requests.post(
        api + "translate",
        json={
            "text": texts,
            "source_lang": "VI",
            "target_lang": "EN-US",
            "formality": "default",
            "tag_handling": "xml",
            "ignore_tags": ["x"],
            "glossary_id": glossary_id,
        },
        headers=headers,
        timeout=60,
    ).json()
    first = payload["translations"][0]["text"]
    assert first.count('<x id="0"></x>') == 1
    assert payload["translations"][0]["songngu"]["terms_met"] == 1
    requests.delete(api + f"glossaries/{glossary_id}", headers=headers, timeout=60).raise_for_status()


def test_omegat_libretranslate_plugin_shape(serve_translator: Translator, make_service: MakeService) -> None:
    # OmegaT's plugin (no key support): GET <url>?q=..&source=vi&target=en, the values URL-encoded
    # (TreeMap order), the answer read as UTF-8, only translatedText used.
    with serving(make_service()) as url:
        params = {"q": SENTENCE, "source": "vi", "target": "en"}
        query = "&".join(
            f"{k}={urllib.parse.quote_plus(v, encoding='utf-8')}" for k, v in sorted(params.items())
        )
        with urllib.request.urlopen(f"{url}/translate?{query}", timeout=60) as answer:
            assert answer.status == 200
            text = json.loads(answer.read().decode("utf-8"))["translatedText"]
        posted = httpx.post(f"{url}/translate", json=params, timeout=60).json()["translatedText"]
    assert text == posted


def test_a_full_queue_is_503_with_retry_after(
    serve_translator: Translator, make_service: MakeService
) -> None:
    held = HeldModel(serve_translator)
    service = make_service(model=held, capacity=4, limits=Limits(max_segments=4))
    with serving(service) as url:
        first = threading.Thread(
            target=httpx.post,
            args=(f"{url}/translate",),
            kwargs={"json": {"q": "Một.", "source": "vi", "target": "en"}, "timeout": 60},
        )
        first.start()
        assert held.entered.wait(30)  # the first request is in the model, the queue empty
        second = threading.Thread(
            target=httpx.post,
            args=(f"{url}/v2/translate",),
            kwargs={"json": {"text": ["Hai. Ba. Bốn."], "target_lang": "EN-US"}, "timeout": 60},
        )
        second.start()
        wait_for(lambda: service.batcher.stats().queued_segments == 3, "the second request to queue")
        libre = httpx.post(
            f"{url}/translate", json={"q": "Năm. Sáu.", "source": "vi", "target": "en"}, timeout=60
        )
        deepl_busy = httpx.post(
            f"{url}/v2/translate", json={"text": ["Năm. Sáu."], "target_lang": "EN-US"}, timeout=60
        )
        held.release.set()
        first.join(60)
        second.join(60)
        after = httpx.post(
            f"{url}/translate", json={"q": "Năm. Sáu.", "source": "vi", "target": "en"}, timeout=60
        )
    assert libre.status_code == 503 and int(libre.headers["Retry-After"]) >= 1
    assert "queue is full" in libre.json()["error"]
    assert (
        deepl_busy.status_code == 503
        and "Retry-After" in deepl_busy.headers
        and set(deepl_busy.json()) == {"message"}
    )
    assert after.status_code == 200  # room again once the queue drained
    assert service.batcher.stats().rejected == 2


def test_a_client_that_goes_away_is_dropped_before_the_model(
    serve_translator: Translator, make_service: MakeService
) -> None:
    held = HeldModel(serve_translator)
    service = make_service(model=held)
    with serving(service) as url:
        first = threading.Thread(
            target=httpx.post,
            args=(f"{url}/translate",),
            kwargs={"json": {"q": "Một.", "source": "vi", "target": "en"}, "timeout": 60},
        )
        first.start()
        assert held.entered.wait(30)
        with pytest.raises(httpx.TimeoutException):  # gives up and closes the connection
            httpx.post(
                f"{url}/translate", json={"q": "Người đi mất.", "source": "vi", "target": "en"}, timeout=0.5
            )
        wait_for(lambda: service.batcher.stats().cancelled == 1, "the server to notice the client left")
        assert service.batcher.stats().queued_segments == 0
        held.release.set()
        first.join(60)
        later = httpx.post(f"{url}/translate", json={"q": "Hai.", "source": "vi", "target": "en"}, timeout=60)
    assert later.status_code == 200
    assert "Người đi mất." not in held.seen  # never reached the model


def test_a_request_past_the_timeout_is_504(serve_translator: Translator, make_service: MakeService) -> None:
    held = HeldModel(serve_translator)
    service = make_service(model=held, limits=Limits(timeout=0.5))
    try:
        with serving(service) as url:
            libre = httpx.post(
                f"{url}/translate", json={"q": "Một.", "source": "vi", "target": "en"}, timeout=60
            )
            deepl_late = httpx.post(
                f"{url}/v2/translate", json={"text": ["Hai."], "target_lang": "EN-US"}, timeout=60
            )
            held.release.set()
    finally:
        held.release.set()
    assert libre.status_code == 504 and "0.5 s" in libre.json()["error"]
    assert deepl_late.status_code == 504 and set(deepl_late.json()) == {"message"}
