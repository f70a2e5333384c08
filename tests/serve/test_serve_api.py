"""The LibreTranslate and DeepL APIs through Starlette's test client: request shapes, answers, the
report, glossaries, and one test per class of bad request, each in the API's own error shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED_GLOSSARY, SETTINGS, MakeService
from starlette.testclient import TestClient

from songngu.translate.memory import MemoryUnit, TranslationMemory, UnitKind
from songngu.translate.serve.app import build_app
from songngu.translate.serve.service import Limits

# Seed glossary terms: "Bộ Ngoại giao" (Ministry of Foreign Affairs), "Liên hợp quốc" (United Nations).
SENTENCE = "Bộ Ngoại giao và Liên hợp quốc đã họp tại Hà Nội."


def client(service) -> TestClient:
    return TestClient(build_app(service), raise_server_exceptions=False)


def test_libretranslate_answers_a_string_with_the_terms_report(make_service: MakeService) -> None:
    with client(make_service()) as http:
        answer = http.post("/translate", json={"q": SENTENCE, "source": "vi", "target": "en"})
    assert answer.status_code == 200
    body = answer.json()
    assert isinstance(body["translatedText"], str) and body["translatedText"]
    report = body["songngu"]
    (segment,) = report["segments"]
    assert segment["source"] == SENTENCE and segment["target"] == body["translatedText"]
    assert {term["en"] for term in segment["terms"]} >= {"Ministry of Foreign Affairs", "United Nations"}
    assert report["terms_met"] == report["terms"] == len(segment["terms"])  # every term met
    assert report["from_memory"] == 0


def test_libretranslate_q_list_answers_a_list_in_order(make_service: MakeService) -> None:
    texts = [SENTENCE, "Xin chào.", ""]
    with client(make_service()) as http:
        listed = http.post("/translate", json={"q": texts, "source": "vi", "target": "en"}).json()
        one_by_one = [
            http.post("/translate", json={"q": text, "source": "vi", "target": "en"}).json()["translatedText"]
            for text in texts[:2]
        ]
    assert listed["translatedText"][:2] == one_by_one  # batched together, translated the same
    assert listed["translatedText"][2] == ""
    assert len(listed["songngu"]) == 3


def test_libretranslate_accepts_query_form_and_multipart(make_service: MakeService) -> None:
    params = {"q": "Xin chào.", "source": "vi", "target": "en"}
    with client(make_service()) as http:
        by_query = http.get("/translate", params=params).json()["translatedText"]
        by_form = http.post("/translate", data=params).json()["translatedText"]
        by_multipart = http.post("/translate", files={k: (None, v) for k, v in params.items()}).json()
        by_json = http.post("/translate", json=params).json()["translatedText"]
    assert by_query == by_form == by_multipart["translatedText"] == by_json


def test_libretranslate_source_auto_detects_vietnamese(make_service: MakeService) -> None:
    with client(make_service()) as http:
        body = http.post("/translate", json={"q": SENTENCE, "source": "auto", "target": "en"}).json()
        english = http.post("/translate", json={"q": "The meeting opened.", "source": "auto", "target": "en"})
    assert body["detectedLanguage"]["language"] == "vi" and body["detectedLanguage"]["confidence"] > 50
    assert english.status_code == 400 and "English" in english.json()["error"]


def test_detect_languages_and_settings(make_service: MakeService) -> None:
    with client(make_service(keys=["k1"])) as http:
        detected = http.post("/detect", data={"q": "Các đại biểu thảo luận về nhân quyền.", "api_key": "k1"})
        english = http.post("/detect", json={"q": "Delegates discussed human rights.", "api_key": "k1"})
        languages = http.get("/languages")  # no key: Weblate's connector lists languages without one
        settings = http.get("/frontend/settings")
    assert detected.json()[0]["language"] == "vi"
    assert english.json()[0]["language"] == "en"
    assert sum(d["confidence"] for d in english.json()) == pytest.approx(100)
    assert languages.json() == [
        {"code": "vi", "name": "Vietnamese", "targets": ["en"]},
        {"code": "en", "name": "English", "targets": []},
    ]
    assert settings.json()["keyRequired"] is True
    assert settings.json()["language"]["source"]["code"] == "vi"


def test_a_request_equals_the_command_line_on_the_same_text(make_service: MakeService, translate_run) -> None:
    # The session's `songngu translate bai.txt -g seeds/glossary.csv --beam 2 --max-length 40` run.
    assert translate_run.process.returncode == 0, translate_run.process.stderr
    article = translate_run.article.read_text(encoding="utf-8")
    expected = (translate_run.out / "bai.en.txt").read_text(encoding="utf-8")
    with client(make_service()) as http:
        answer = http.post("/translate", json={"q": article, "source": "vi", "target": "en"}).json()
        deepl = http.post("/v2/translate", json={"text": [article], "target_lang": "EN-US"}).json()
    # The article ends in a newline, kept as sent; the .en.txt file ends in one too.
    assert answer["translatedText"] == expected
    assert deepl["translations"][0]["text"] == expected
    records = [
        json.loads(line) for line in (translate_run.out / "bai.jsonl").read_text("utf-8").splitlines()[1:]
    ]
    served = answer["songngu"]["segments"]
    assert [s["target"] for s in served] == [r["target"] for r in records]
    assert [[t["met"] for t in s["terms"]] for s in served] == [
        [t["met"] for t in r["terms"]] for r in records
    ]


def test_exact_memory_match_answers_the_reviewers_translation(
    make_service: MakeService, tmp_path: Path
) -> None:
    memory = tmp_path / "tm.sqlite"
    with TranslationMemory(memory) as tm:
        tm.store(
            [
                MemoryUnit(
                    SENTENCE, "The reviewer's sentence.", "bai.po", "bai:1:1", True, "2026-01-01T00:00:00Z"
                )
            ]
        )
    text = f"{SENTENCE} Xin chào."
    with client(make_service(memory=memory)) as http:
        body = http.post("/translate", json={"q": text, "source": "vi", "target": "en"}).json()
    assert body["translatedText"].startswith("The reviewer's sentence. ")
    assert body["songngu"]["from_memory"] == 1
    assert [s["method"] for s in body["songngu"]["segments"]] == ["memory", "constrained"] or [
        s["method"] for s in body["songngu"]["segments"]
    ] == ["memory", "unconstrained"]


def test_memory_reuse_follows_the_memorys_rule_with_origins(
    make_service: MakeService, tmp_path: Path
) -> None:
    # Schema 4: one pair kept from two reviewed files, and an aligned pair for the same source. The
    # server answers what TranslationMemory.find (the command line's rule) picks: the reviewed one.
    memory = tmp_path / "tm.sqlite"
    reviewed = "The Foreign Ministry and the United Nations met in Hanoi."
    with TranslationMemory(memory) as tm:
        tm.store(
            [
                MemoryUnit(SENTENCE, reviewed, "a.po", "a:1:1", True, "2026-01-01T00:00:00Z"),
                MemoryUnit(SENTENCE, reviewed, "b.xlf", "b:1:1", False, "2026-02-01T00:00:00Z"),
                MemoryUnit(
                    SENTENCE,
                    "Aligned.",
                    "archive",
                    "#1",
                    False,
                    "2026-03-01T00:00:00Z",
                    UnitKind.ALIGNED,
                    0.9,
                ),
            ]
        )
        chosen = tm.find(SENTENCE)
    assert chosen is not None and chosen.target == reviewed and len(chosen.origins) == 2
    with client(make_service(memory=memory)) as http:
        body = http.post("/translate", json={"q": SENTENCE, "source": "vi", "target": "en"}).json()
    assert body["translatedText"] == reviewed
    assert body["songngu"]["from_memory"] == 1


def test_paragraphs_and_surrounding_whitespace_are_kept(make_service: MakeService) -> None:
    with client(make_service()) as http:
        body = http.post(
            "/translate", json={"q": "  Xin chào.\n\nTạm biệt. \n", "source": "vi", "target": "en"}
        )
    text = body.json()["translatedText"]
    assert text.startswith("  ") and text.endswith(" \n")
    assert len(text.strip().split("\n\n")) == 2


def test_deepl_form_with_repeated_text(make_service: MakeService) -> None:
    form = [("text", SENTENCE), ("text", "Xin chào."), ("target_lang", "EN-GB"), ("source_lang", "VI")]
    with client(make_service()) as http:
        answer = http.post(
            "/v2/translate",
            content="&".join(f"{k}={v}" for k, v in form).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    translations = answer.json()["translations"]
    assert [t["billed_characters"] for t in translations] == [len(SENTENCE), len("Xin chào.")]
    assert all(t["detected_source_language"] == "VI" for t in translations)


def test_deepl_glossary_lifecycle_and_every_term_met(make_service: MakeService, tmp_path: Path) -> None:
    store = tmp_path / "glossaries"
    entries = "hội nghị\tconference\nđại biểu\tdelegate\n"
    with client(make_service(store_dir=store)) as http:
        created = http.post(
            "/v2/glossaries",
            json={
                "name": "desk",
                "source_lang": "vi",
                "target_lang": "en",
                "entries": entries,
                "entries_format": "tsv",
            },
        )
        assert created.status_code == 201, created.text
        info = created.json()
        assert info["entry_count"] == 2 and info["ready"] is True
        glossary_id = info["glossary_id"]
        assert http.get("/v2/glossaries").json()["glossaries"] == [info]
        assert http.get(f"/v2/glossaries/{glossary_id}").json() == info
        assert http.get(f"/v2/glossaries/{glossary_id}/entries").text == entries
        answer = http.post(
            "/v2/translate",
            json={
                "text": ["Hội nghị có nhiều đại biểu của Liên hợp quốc."],
                "source_lang": "VI",
                "target_lang": "EN-US",
                "glossary_id": glossary_id,
            },
        ).json()["translations"][0]
    report = answer["songngu"]
    ens = {term["en"] for segment in report["segments"] for term in segment["terms"]}
    assert ens == {"conference", "delegate", "United Nations"}  # the request's and the server's
    assert report["terms_met"] == report["terms"] == 3
    # Persisted: a server started again on the same folder has it, and can delete it.
    with client(make_service(store_dir=store)) as http:
        assert http.get(f"/v2/glossaries/{glossary_id}").json() == info
        assert http.delete(f"/v2/glossaries/{glossary_id}").status_code == 204
        assert http.get(f"/v2/glossaries/{glossary_id}").status_code == 404
    assert not list(store.glob("*.json"))


def test_the_requests_glossary_wins_over_the_servers(make_service: MakeService) -> None:
    with client(make_service()) as http:
        glossary_id = http.post(
            "/v2/glossaries",
            json={"name": "g", "source_lang": "VI", "target_lang": "EN", "entries": "Liên hợp quốc\tthe UN"},
        ).json()["glossary_id"]
        answer = http.post(
            "/v2/translate",
            json={
                "text": [SENTENCE],
                "source_lang": "vi",
                "target_lang": "en-us",
                "glossary_id": glossary_id,
            },
        ).json()["translations"][0]
    terms = {term["vi"]: term["en"] for term in answer["songngu"]["segments"][0]["terms"]}
    assert terms["Liên hợp quốc"] == "the UN"
    assert terms["Bộ Ngoại giao"] == "Ministry of Foreign Affairs"


def test_deepl_glossary_from_csv_with_languages(make_service: MakeService) -> None:
    csv_entries = 'hội nghị,conference,vi,en\n"đại biểu",delegate,VI,EN\n'
    with client(make_service()) as http:
        created = http.post(
            "/v2/glossaries",
            data={
                "name": "csv",
                "source_lang": "vi",
                "target_lang": "en",
                "entries": csv_entries,
                "entries_format": "csv",
            },
        )
    assert created.status_code == 201 and created.json()["entry_count"] == 2


def test_deepl_languages_usage_and_pairs(make_service: MakeService) -> None:
    with client(make_service(keys=["k"])) as http:
        auth = {"Authorization": "DeepL-Auth-Key k"}
        assert http.get("/v2/languages", headers=auth).json() == [{"language": "VI", "name": "Vietnamese"}]
        targets = http.get("/v2/languages", params={"type": "target"}, headers=auth).json()
        assert {t["language"] for t in targets} == {"EN-US", "EN-GB"}
        http.post("/v2/translate", json={"text": ["Xin chào."], "target_lang": "EN-US"}, headers=auth)
        usage = http.get("/v2/usage", headers=auth).json()
        pairs = http.get("/v2/glossary-language-pairs", headers=auth).json()
    assert (
        usage["character_count"] == len("Xin chào.") and usage["character_limit"] > usage["character_count"]
    )
    assert pairs == {"supported_languages": [{"source_lang": "vi", "target_lang": "en"}]}


def test_html_keeps_every_element_and_wraps_terms(make_service: MakeService) -> None:
    fragment = '<p>Hôm nay <b>Liên hợp quốc</b> họp.</p><p>Xem <a href="https://example.org/x?a=1&amp;b=2">trang</a>.</p>'
    with client(make_service()) as http:
        body = http.post(
            "/translate", json={"q": fragment, "source": "vi", "target": "en", "format": "html"}
        ).json()
        deepl = http.post(
            "/v2/translate", json={"text": [fragment], "target_lang": "EN-US", "tag_handling": "html"}
        ).json()["translations"][0]
    html = body["translatedText"]
    assert deepl["text"] == html
    (term,) = body["songngu"]["segments"][0]["terms"]
    assert term["met"] and term["vi"] == "Liên hợp quốc"
    start, end = term["at"]
    rendering = body["songngu"]["segments"][0]["target"][start:end]  # "United Nations" or a variant
    assert f"<b>{rendering}</b>" in html
    assert html.count("<p>") == 2 and html.count("<b>") == 1
    assert '<a href="https://example.org/x?a=1&amp;b=2">' in html
    placed = {item["tag"]: item["placed"] for item in body["songngu"]["markup"]}
    assert placed == {"p": "block", "b": "term", "a": "interpolated"}


def test_weblate_deepl_xml_placeholders_come_back_as_sent(make_service: MakeService) -> None:
    # Weblate's DeepL machinery: tag_handling xml, ignore_tags ["x"], placeholders <x id="N"></x>.
    text = 'Có <x id="0"></x> tin nhắn từ <x id="1"></x> &amp; bạn.'
    request = {
        "text": [text],
        "source_lang": "VI",
        "target_lang": "EN",
        "tag_handling": "xml",
        "ignore_tags": ["x"],
    }
    with client(make_service()) as http:
        answer = http.post("/v2/translate", json=request).json()["translations"][0]["text"]
    assert answer.count('<x id="0"></x>') == 1 and answer.count('<x id="1"></x>') == 1
    assert answer.index('<x id="0">') < answer.index('<x id="1">')


# One test per class of bad request, each in the API's own error shape.


def test_bad_json_is_400_in_each_shape(make_service: MakeService) -> None:
    with client(make_service()) as http:
        libre = http.post("/translate", content=b'{"q": "x",', headers={"Content-Type": "application/json"})
        deepl = http.post("/v2/translate", content=b"[1, 2", headers={"Content-Type": "application/json"})
        not_object = http.post("/translate", content=b'["q"]', headers={"Content-Type": "application/json"})
    assert libre.status_code == 400 and set(libre.json()) == {"error"}
    assert "not valid JSON" in libre.json()["error"] and "line 1" in libre.json()["error"]
    assert deepl.status_code == 400 and "not valid JSON" in deepl.json()["message"]
    assert not_object.status_code == 400 and "must be an object" in not_object.json()["error"]


def test_unknown_language_is_400(make_service: MakeService) -> None:
    with client(make_service()) as http:
        libre = http.post("/translate", json={"q": "x", "source": "fr", "target": "en"})
        target = http.post("/translate", json={"q": "x", "source": "vi", "target": "de"})
        deepl = http.post("/v2/translate", json={"text": ["x"], "target_lang": "DE"})
    assert libre.status_code == 400 and libre.json() == {
        "error": "fr is not supported: this server translates from Vietnamese (vi) only"
    }
    assert target.status_code == 400 and "de is not supported" in target.json()["error"]
    assert deepl.status_code == 400 and "target_lang" in deepl.json()["message"]


def test_missing_parameters_are_400(make_service: MakeService) -> None:
    with client(make_service()) as http:
        assert http.post("/translate", json={"source": "vi", "target": "en"}).json() == {
            "error": "Invalid request: missing q parameter"
        }
        assert http.post("/v2/translate", json={"target_lang": "EN"}).status_code == 400
        typed = http.post("/translate", json={"q": [1, 2], "source": "vi", "target": "en"})
        assert typed.status_code == 400 and "list of strings" in typed.json()["error"]


def test_wrong_glossary_format_is_refused_with_its_problems(
    make_service: MakeService, tmp_path: Path
) -> None:
    store = tmp_path / "glossaries"
    with client(make_service(store_dir=store)) as http:
        no_tab = http.post(
            "/v2/glossaries",
            json={"name": "g", "source_lang": "vi", "target_lang": "en", "entries": "a b c\n"},
        )
        checked = http.post(
            "/v2/glossaries",
            json={
                "name": "g",
                "source_lang": "vi",
                "target_lang": "en",
                "entries": "hội nghị\tconference\nHội nghị\tsummit\nđại biểu\t\n",
            },
        )
        wrong_format = http.post(
            "/v2/glossaries",
            json={
                "name": "g",
                "source_lang": "vi",
                "target_lang": "en",
                "entries": "a\tb",
                "entries_format": "xlsx",
            },
        )
        pair = http.post(
            "/v2/glossaries", json={"name": "g", "source_lang": "de", "target_lang": "en", "entries": "a\tb"}
        )
    assert no_tab.status_code == 400 and no_tab.json()["detail"].startswith(
        "line 1: expected source<TAB>target"
    )
    assert checked.status_code == 400
    assert "2 problems" in checked.json()["message"]
    assert "line 2: conflicting translations of 'Hội nghị'" in checked.json()["detail"]
    assert "line 3: empty 'en' cell" in checked.json()["detail"]
    assert wrong_format.status_code == 400 and "entries_format" in wrong_format.json()["message"]
    assert pair.status_code == 400 and "language pair" in pair.json()["message"]
    assert not list(store.glob("*")) or not list(store.glob("*.json"))  # nothing stored


def test_unknown_glossary_id_is_404(make_service: MakeService) -> None:
    with client(make_service()) as http:
        translate = http.post(
            "/v2/translate",
            json={"text": ["x"], "source_lang": "VI", "target_lang": "EN-US", "glossary_id": "nope"},
        )
        get = http.get("/v2/glossaries/nope")
        delete = http.delete("/v2/glossaries/nope")
        no_source = http.post(
            "/v2/translate", json={"text": ["x"], "target_lang": "EN-US", "glossary_id": "nope"}
        )
    for answer in (translate, get, delete):
        assert answer.status_code == 404 and answer.json() == {"message": "Glossary not found: nope"}
    assert no_source.status_code == 400 and "source_lang" in no_source.json()["message"]


def test_missing_or_invalid_key_is_403_in_each_shape(make_service: MakeService) -> None:
    with client(make_service(keys=["secret-1", "secret-2"])) as http:
        libre_missing = http.post("/translate", json={"q": "x", "source": "vi", "target": "en"})
        libre_invalid = http.post(
            "/translate", json={"q": "x", "source": "vi", "target": "en", "api_key": "no"}
        )
        libre_ok = http.post(
            "/translate", json={"q": "x", "source": "vi", "target": "en", "api_key": "secret-2"}
        )
        deepl_missing = http.post("/v2/translate", json={"text": ["x"], "target_lang": "EN-US"})
        deepl_invalid = http.get("/v2/glossaries", headers={"Authorization": "DeepL-Auth-Key nope"})
        deepl_ok = http.get("/v2/glossaries", headers={"Authorization": "DeepL-Auth-Key secret-1"})
        legacy = http.post("/v2/usage", data={"auth_key": "secret-1"})
        status = http.get("/songngu/status")
    assert libre_missing.status_code == 403 and set(libre_missing.json()) == {"error"}
    assert libre_invalid.status_code == 403 and libre_invalid.json() == {"error": "Invalid API key"}
    assert libre_ok.status_code == 200
    assert deepl_missing.status_code == 403 and "Authorization" in deepl_missing.json()["message"]
    assert deepl_invalid.status_code == 403 and "invalid" in deepl_invalid.json()["message"]
    assert deepl_ok.status_code == 200 and legacy.status_code == 200
    assert status.status_code == 403


def test_too_large_is_413(make_service: MakeService) -> None:
    with client(make_service(limits=Limits(max_chars=100, max_segments=3))) as http:
        chars = http.post("/translate", json={"q": "a" * 101, "source": "vi", "target": "en"})
        segments = http.post("/v2/translate", json={"text": ["Một. Hai. Ba. Bốn."], "target_lang": "EN-US"})
        listed = http.post(
            "/translate", json={"q": ["Một. Hai.", "Ba. Bốn."], "source": "vi", "target": "en"}
        )
        body = http.post(
            "/translate",
            content=b"q=" + b"a" * 2_000_000,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert chars.status_code == 413 and "101 characters" in chars.json()["error"]
    assert segments.status_code == 413 and "3 segments" in segments.json()["message"]
    assert listed.status_code == 413
    assert body.status_code == 413 and "bytes" in body.json()["error"]


def test_unknown_path_and_method_in_the_apis_shape(make_service: MakeService) -> None:
    with client(make_service()) as http:
        assert http.get("/nowhere").json() == {"error": "Not found: GET /nowhere"}
        assert http.get("/v2/translate").status_code == 405
        assert set(http.get("/v2/translate").json()) == {"message"}


def test_html_that_cannot_be_kept_is_400(make_service: MakeService) -> None:
    with client(make_service()) as http:
        stray = http.post(
            "/translate", json={"q": "a</b> b", "source": "vi", "target": "en", "format": "html"}
        )
        document = http.post(
            "/translate",
            json={"q": "<html><body>a</body></html>", "source": "vi", "target": "en", "format": "html"},
        )
        xml = http.post(
            "/v2/translate", json={"text": ["<b>a</i>"], "target_lang": "EN-US", "tag_handling": "xml"}
        )
    assert stray.status_code == 400 and "cannot be kept as sent" in stray.json()["error"]
    assert document.status_code == 400 and "fragment" in document.json()["error"]
    assert xml.status_code == 400 and "line 1, column" in xml.json()["message"]


def test_settings_match_the_cli_defaults() -> None:
    # The fixture's settings are the session CLI run's: the comparison test above depends on it.
    assert (SETTINGS.beam, SETTINGS.max_length, SETTINGS.batch_size) == (2, 40, 16)
    assert SEED_GLOSSARY.is_file()
