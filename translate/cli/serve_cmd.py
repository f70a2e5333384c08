"""``songngu serve``: the glossary-held model over HTTP (LibreTranslate and DeepL APIs, and a page)."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from songngu.errors import InputError
from songngu.translate import DEFAULT_MODEL
from songngu.translate.cli.arguments import POSITIVE, add_search_options, at_least

if TYPE_CHECKING:
    import uvicorn

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` command."""
    parser = commands.add_parser(
        "serve",
        help="serve glossary-held translation over HTTP (LibreTranslate and DeepL APIs)",
        description="Serve the model over HTTP with the guarantees of songngu translate: LibreTranslate's "
        "API (/translate, /languages, /detect: Weblate, OmegaT) and DeepL's v2 (/v2/translate, "
        "/v2/glossaries: Weblate, the deepl client), and a page at / to try it. Binds to 127.0.0.1 "
        "unless --host says otherwise. Needs pip install 'songngu[serve]'.",
    )
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"Hugging Face model id or local MarianMT directory (default {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--glossary", "-g", help="the server's glossary (CSV, TSV or TBX), held in every answer"
    )
    parser.add_argument(
        "--tm", metavar="DB", help="translation memory (SQLite): exact matches reuse the reviewer's"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=at_least(0), default=5000, help="port (default 5000; 0: any free one)")
    parser.add_argument(
        "--api-keys", metavar="FILE", help="accept only requests with a key of FILE (one per line)"
    )
    parser.add_argument(
        "--glossary-store",
        metavar="DIR",
        help="where glossaries created through the DeepL API are kept (default: DB.glossaries beside --tm; "
        "without either, they last until the server stops)",
    )
    add_search_options(parser)
    parser.add_argument(
        "--max-chars",
        type=POSITIVE,
        default=50_000,
        help="characters one request may carry (default 50000; 413)",
    )
    parser.add_argument(
        "--max-segments",
        type=POSITIVE,
        default=500,
        help="sentences one request may carry (default 500; 413)",
    )
    parser.add_argument(
        "--queue",
        type=POSITIVE,
        default=2048,
        help="sentences waiting at most, all clients (default 2048; 503)",
    )
    parser.add_argument(
        "--max-batch",
        type=POSITIVE,
        default=256,
        help="sentences of many requests per model call (default 256)",
    )
    parser.add_argument(
        "--batch-window",
        type=at_least(0),
        default=5,
        metavar="MS",
        help="milliseconds an idle model waits for more requests to batch (default 5)",
    )
    parser.add_argument(
        "--timeout",
        type=POSITIVE,
        default=120,
        metavar="S",
        help="seconds a request may wait (default 120; 504)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request on stderr")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check every input, load the model, serve until Ctrl-C or SIGTERM (requests in flight finish)."""
    try:
        import uvicorn

        from songngu.translate.serve.app import build_app
    except ModuleNotFoundError as missing:
        raise InputError(
            f"serve: {missing.name} is not installed; install the server with pip install 'songngu[serve]'"
        ) from None
    from songngu.glossary.formats import load_glossary
    from songngu.translate.cli.notice import say
    from songngu.translate.engine import Translator
    from songngu.translate.memory import TranslationMemory
    from songngu.translate.pipeline import DecodingSettings
    from songngu.translate.serve.batcher import Batcher
    from songngu.translate.serve.glossaries import GlossaryStore
    from songngu.translate.serve.keys import ApiKeys
    from songngu.translate.serve.service import Limits, TranslationService

    if args.max_segments > args.queue:
        raise InputError(
            f"--max-segments {args.max_segments} is more than --queue {args.queue} can ever hold"
        )
    # Everything cheap is checked before the model loads: a typo costs a second, not a minute.
    glossary = load_glossary(args.glossary) if args.glossary else None
    keys = ApiKeys.load(args.api_keys) if args.api_keys else ApiKeys()
    store_dir = args.glossary_store or (f"{args.tm}.glossaries" if args.tm else None)
    store = GlossaryStore.open(glossary, store_dir)
    tm_path = Path(args.tm) if args.tm else None

    def open_memory() -> TranslationMemory | None:
        if tm_path is None or not tm_path.exists():
            return None
        return TranslationMemory(tm_path, create=False, write=False, on_wait=say)

    listener = _listen(args.host, args.port)
    translator = Translator.load(args.model, device=args.device, precision=args.precision)
    settings = DecodingSettings(beam=args.beam, max_length=args.max_length, batch_size=args.batch_size)
    batcher = Batcher(
        translator,
        settings,
        open_memory=open_memory,
        window=args.batch_window / 1000,
        max_batch=args.max_batch,
        capacity=args.queue,
    )
    batcher.start()  # opens the memory now: a damaged one is one line before anything is served
    service = TranslationService(
        batcher,
        store,
        keys,
        Limits(max_chars=args.max_chars, max_segments=args.max_segments, timeout=float(args.timeout)),
        about={
            "model": translator.model_id,
            "model_revision": translator.revision,
            "precision": translator.precision.value,
            "device": translator.device,
            "glossary": glossary.source if glossary else None,
            "glossary_checksum": glossary.checksum() if glossary else None,
            "glossary_terms": len(glossary) if glossary else 0,
            "memory": args.tm,
            "beam": args.beam,
            "max_length": args.max_length,
        },
    )
    config = uvicorn.Config(
        build_app(service), log_level="warning", access_log=args.access_log, lifespan="on", timeout_notify=30
    )
    server = uvicorn.Server(config)
    # uvicorn's own rule: a second Ctrl-C while requests finish sets ``force_exit`` and stops at once,
    # cancelling them; it then logs each cancellation with a traceback. That is the stop asked for,
    # not an error: the command says in one line what was cut off, so those records are dropped.
    quiet = _QuietOnceForced(server)
    for name in ("uvicorn.error", "asyncio"):
        logging.getLogger(name).addFilter(quiet)
    # Said once everything has been checked and loaded, so that a refusal is the only line.
    if store_dir is None:
        say(
            "glossaries created through the DeepL API last until the server stops "
            "(pass --tm or --glossary-store to keep them)"
        )
    if tm_path is not None and not tm_path.exists():
        say(f"{args.tm}: no translation memory there yet; serving as with an empty one")
    port = listener.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    if args.host not in LOOPBACK and not keys.required:
        say(f"listening on {args.host} without --api-keys: anyone who reaches this port can use the model")
    say(
        f"serving {translator.model_id} ({translator.precision.value}) on http://{host}:{port}/ "
        f"(LibreTranslate /translate, DeepL /v2/translate); Ctrl-C or SIGTERM stops it"
    )
    # uvicorn handles SIGINT and SIGTERM itself (stop accepting, let requests in flight finish) and
    # raises the signal again once done: these handlers take that second delivery, so a graceful stop
    # ends the command normally instead of killing it.
    signals: list[int] = []

    def remember(number: int, frame: FrameType | None) -> None:
        signals.append(number)

    previous = {sig: signal.signal(sig, remember) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[listener])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        batcher.stop(timeout=0 if server.force_exit else 5)  # forced: a search may never end
    stats = batcher.stats()
    if server.force_exit:
        say(
            f"stopped at once (second Ctrl-C): requests in flight were cut off; "
            f"{_requests(stats.answered)} answered"
        )
        return 130
    cause = f" by {signal.Signals(signals[0]).name}" if signals else ""
    say(f"stopped{cause}: {_requests(stats.answered)} answered, none cut off")
    return 0


def _requests(count: int) -> str:
    return f"{count} translation request{'' if count == 1 else 's'}"


class _QuietOnceForced(logging.Filter):
    """Drops every log record once the server has been forced to stop (a second Ctrl-C)."""

    def __init__(self, server: uvicorn.Server) -> None:
        super().__init__()
        self._server = server

    def filter(self, record: logging.LogRecord) -> bool:
        return not self._server.force_exit


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (uvicorn listens on it), or one InputError line saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as error:
        raise InputError(
            f"--host {host} --port {port}: cannot listen there: {error.strerror or error}"
        ) from None
    return listener
