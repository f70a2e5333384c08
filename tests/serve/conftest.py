"""Fixtures for the server's tests: the tiny model loaded once, services built around it, and the
application served for real by uvicorn on 127.0.0.1 (a free port) in a thread.

The tests drive the server through what desks use: the ``deepl`` client, ``libretranslatepy``,
Weblate's and OmegaT's request shapes (httpx and urllib), Starlette's test client where a single
request is all there is, and headless Chromium for the page.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the server extra is not installed: pip install 'songngu[serve]'")
import uvicorn
from model_factory import SEEDS

from songngu.glossary.formats import load_glossary
from songngu.translate.engine import Translation, TranslationRequest, Translator
from songngu.translate.memory import TranslationMemory
from songngu.translate.pipeline import DecodingSettings
from songngu.translate.serve.app import build_app
from songngu.translate.serve.batcher import Batcher, Model
from songngu.translate.serve.glossaries import GlossaryStore
from songngu.translate.serve.keys import ApiKeys
from songngu.translate.serve.service import Limits, TranslationService

SEED_GLOSSARY = SEEDS / "glossary.csv"
#: What the session's ``translate_run`` used (batch size 16 there too), so answers can be compared.
SETTINGS = DecodingSettings(beam=2, max_length=40)


@pytest.fixture(scope="session")
def serve_translator(tiny_model_dir: Path) -> Translator:
    """The tiny model at ``--precision auto`` (int8 on CPU), as ``songngu translate`` loads it."""
    return Translator.load(str(tiny_model_dir))


class HeldModel:
    """The real model, behind a gate the test opens: a model call starts, says so, and waits until
    ``release`` is set. Lets a test fill the queue or leave a request waiting, deterministically."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.entered = threading.Event()
        self.release = threading.Event()
        self.seen: list[str] = []  # every source that reached the model

    def fits_source(self, text: str) -> bool:
        return self.translator.fits_source(text)

    def translate(self, requests: Sequence[TranslationRequest], **settings: object) -> list[Translation]:
        self.seen.extend(request.source for request in requests)
        self.entered.set()
        assert self.release.wait(60), "the test never released the model"
        return self.translator.translate(requests, **settings)  # type: ignore[arg-type]


MakeService = Callable[..., TranslationService]


@pytest.fixture
def make_service(serve_translator: Translator) -> MakeService:
    """Build a service: ``model`` (default the tiny translator), the seed glossary unless told,
    ``keys``, a glossary store directory, limits, queue capacity, a memory file."""

    def make(
        *,
        model: Model | None = None,
        glossary: Path | None = SEED_GLOSSARY,
        keys: Sequence[str] = (),
        store_dir: Path | None = None,
        limits: Limits | None = None,
        capacity: int = 2048,
        memory: Path | None = None,
        settings: DecodingSettings = SETTINGS,
    ) -> TranslationService:
        server_glossary = load_glossary(glossary) if glossary else None

        def open_memory() -> TranslationMemory | None:
            return TranslationMemory(memory, create=False, write=False) if memory else None

        batcher = Batcher(
            model or serve_translator, settings, open_memory=open_memory, window=0.002, capacity=capacity
        )
        return TranslationService(
            batcher, GlossaryStore.open(server_glossary, store_dir), ApiKeys(tuple(keys)), limits or Limits()
        )

    return make


@contextmanager
def serving(service: TranslationService) -> Iterator[str]:
    """``service`` served by uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_app(service), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll ``condition`` until true (the test fails after ``timeout`` seconds, saying ``what``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
