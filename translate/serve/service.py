"""What both APIs call: one request's texts through the batcher, within the server's limits, answered
with the English and a report of the terms.

A text is translated as ``songngu translate`` translates an article: segmented into paragraphs
(blank lines) and sentences, each sentence held to its glossary terms, exact memory matches reused,
and the English written as the ``.en.txt`` file writes it (sentences of a paragraph joined by a
space, paragraphs by a blank line). The text's leading and trailing whitespace is kept, since a
string in Weblate keeps its own. Marked-up texts go through :func:`.markup.translate_markup`.

Every answer carries a report, an extension field clients ignore (``songngu`` in the JSON): per
segment its source, English, method (``constrained``, ``unconstrained`` or ``memory``) and each
glossary term with ``met``; counts of the terms met and of the segments reused from the memory; for
markup, where each element went.

Limits, each refused with its own error: ``max_chars`` characters per request (413),
``max_segments`` sentences per request (413), a full queue (503 with ``Retry-After``), ``timeout``
seconds per request (504). A client that goes away has its job dropped (:func:`unless_gone`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.requests import Request

from songngu.translate.formats.text import EnglishTextFormat
from songngu.translate.pipeline import ArticleSource
from songngu.translate.records import ArticleTranslation, Method, SegmentResult, TermOutcome
from songngu.translate.segment import segment_article
from songngu.translate.serve.batcher import Batcher, QueueFull, TextSource, TranslatedText
from songngu.translate.serve.failures import busy, forbidden, timed_out, too_large
from songngu.translate.serve.glossaries import GlossaryStore
from songngu.translate.serve.keys import ApiKeys
from songngu.translate.serve.markup import MarkupKind, MarkupTranslation, find_rendering, translate_markup

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """What one request may ask: characters (of all its texts, markup included), segments, seconds
    to wait for its answer, and bytes of body."""

    max_chars: int = 50_000
    max_segments: int = 500
    timeout: float = 120.0

    @property
    def body_bytes(self) -> int:
        """The largest body read: UTF-8 takes at most 4 bytes a character; JSON escapes (``\\u1ea1``)
        take 6; room for the parameters besides."""
        return 6 * self.max_chars + 64 * 1024


@dataclass(frozen=True)
class Answer:
    """One text's English and its report (the ``songngu`` extension field)."""

    text: str
    report: dict[str, object]


@dataclass
class _Budget:
    """The segments a request may still send to the model (a request with markup sends its texts'
    blocks in several jobs)."""

    left: int
    limit: int

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise too_large(
                f"Request too large: more than {self.limit:,} segments (sentences) in one request"
            )


class ClientGone(Exception):
    """The client closed the connection before its answer was ready."""


async def unless_gone(request: Request, work: Awaitable[T]) -> T:
    """``work``'s result, or :class:`ClientGone` (with ``work`` cancelled, so its job is dropped) as
    soon as the client disconnects. The request's body must already have been read."""
    task = asyncio.ensure_future(work)

    async def disconnected() -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    watcher = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise ClientGone
    return task.result()


@dataclass
class TranslationService:
    """The server's model (through its batcher), glossaries, keys and limits."""

    batcher: Batcher
    glossaries: GlossaryStore
    keys: ApiKeys = field(default_factory=ApiKeys)
    limits: Limits = field(default_factory=Limits)
    about: dict[str, object] = field(default_factory=dict)  # model, precision, glossary: for status
    usage: Counter[str] = field(default_factory=Counter)  # characters translated, per key

    def authorise(self, key: str | None, missing: str, invalid: str) -> None:
        """ApiError 403 with ``missing`` or ``invalid`` unless ``key`` is accepted."""
        if not self.keys.accepts(key):
            raise forbidden(invalid if key else missing)

    async def translate(
        self,
        texts: Sequence[str],
        *,
        key: str | None = None,
        glossary_id: str | None = None,
        markup: MarkupKind | None = None,
        ignore_tags: Sequence[str] = (),
        splitting_tags: Sequence[str] = (),
    ) -> list[Answer]:
        """The English of each text, held to the server's glossary and ``glossary_id``'s."""
        chars = sum(len(text) for text in texts)
        if chars > self.limits.max_chars:
            raise too_large(
                f"Request too large: {chars:,} characters; this server takes at most "
                f"{self.limits.max_chars:,} per request"
            )
        matcher = self.glossaries.matcher(glossary_id)
        budget = _Budget(self.limits.max_segments, self.limits.max_segments)

        async def translate_plain(plain: list[str]) -> list[TranslatedText]:
            sources = [
                TextSource(source, tuple(segment_article(source.text, source.name)))
                for source in (ArticleSource("", f"text{n}", text) for n, text in enumerate(plain, start=1))
            ]
            budget.take(sum(len(source.segments) for source in sources))
            if not any(source.segments for source in sources):
                return [TranslatedText((), []) for _ in sources]
            try:
                async with asyncio.timeout(self.limits.timeout):
                    return await self.batcher.translate(sources, matcher)
            except QueueFull as full:
                raise busy(f"Server busy: {full}; retry in {full.retry_after} s", full.retry_after) from None
            except TimeoutError:
                raise timed_out(
                    f"Translation took longer than this server's limit of {self.limits.timeout:g} s"
                ) from None

        if markup is None:
            done = await translate_plain(list(texts))
            answers = [_plain_answer(text, part) for text, part in zip(texts, done, strict=True)]
        else:
            kind = markup

            async def translate_one(text: str) -> Answer:
                blocks: list[TranslatedText] = []

                async def translate_blocks(plain: list[str]) -> list[TranslatedText]:
                    blocks.extend(await translate_plain(plain))
                    return blocks

                result = await translate_markup(
                    text, kind, translate_blocks, ignore_tags=ignore_tags, splitting_tags=splitting_tags
                )
                return _markup_answer(result, blocks)

            # One task per text, so their blocks meet in the batcher; the first failure cancels the rest.
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(translate_one(text)) for text in texts]
            except BaseExceptionGroup as failures:
                raise failures.exceptions[0] from None
            answers = [task.result() for task in tasks]
        self.usage[key or ""] += chars
        return answers

    def status(self) -> dict[str, object]:
        """What ``/songngu/status`` shows."""
        stats = self.batcher.stats()
        return {
            **self.about,
            "deepl_glossaries": len(self.glossaries.all()),
            "keys_required": self.keys.required,
            "limits": {
                "max_chars": self.limits.max_chars,
                "max_segments": self.limits.max_segments,
                "timeout_s": self.limits.timeout,
            },
            "queue": {
                "queued_segments": stats.queued_segments,
                "capacity_segments": stats.capacity,
                "jobs_in_model": stats.in_model,
            },
            "answered": stats.answered,
            "cancelled": stats.cancelled,
            "rejected": stats.rejected,
            "model_calls": stats.model_calls,
            "segments_per_second": stats.segments_per_second,
        }


def _plain_answer(text: str, done: TranslatedText) -> Answer:
    if not done.results:
        return Answer(text, _report([done]))  # nothing but whitespace
    english = EnglishTextFormat().render(ArticleTranslation("", "", None, done.results)).removesuffix("\n")
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return Answer(lead + english + trail, _report([done]))


def _term(target: str, term: TermOutcome, renderings: Sequence[str]) -> dict[str, object]:
    """A term of the report: its Vietnamese, its preferred English, whether it is met and, if so,
    where (``at``: the span in the segment's English of the rendering that met it)."""
    entry: dict[str, object] = {"vi": term.vi, "en": term.en, "met": term.met}
    found = find_rendering(target, renderings or (term.en,)) if term.met else None
    if found is not None:
        entry["at"] = list(found)
    return entry


def _markup_answer(result: MarkupTranslation, blocks: Sequence[TranslatedText]) -> Answer:
    report = _report(blocks)
    report["markup"] = [{"tag": placement.tag, "placed": placement.how} for placement in result.placements]
    return Answer(result.text, report)


def _report(parts: Sequence[TranslatedText]) -> dict[str, object]:
    results: list[SegmentResult] = [result for part in parts for result in part.results]
    renderings = [
        part.renderings[i] if i < len(part.renderings) else ()
        for part in parts
        for i in range(len(part.results))
    ]
    terms = [term for result in results for term in result.terms]
    return {
        "terms_met": sum(term.met for term in terms),
        "terms": len(terms),
        "from_memory": sum(result.method is Method.MEMORY for result in results),
        "segments": [
            {
                "source": result.source,
                "target": result.target,
                "method": str(result.method),
                "terms": [
                    _term(result.target, term, forms[n] if n < len(forms) else ())
                    for n, term in enumerate(result.terms)
                ],
                **({"violated": True} if result.violated else {}),
            }
            for result, forms in zip(results, renderings, strict=True)
        ],
    }
