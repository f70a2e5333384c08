"""A subset of DeepL's API v2, as the official ``deepl`` client and Weblate's DeepL machinery call it.

- ``POST /v2/translate``: ``text`` (repeated in a form, a list in JSON), ``target_lang`` (``EN``,
  ``EN-US``, ``EN-GB``), ``source_lang`` (``VI``; needed with a glossary, as DeepL requires),
  ``glossary_id``, ``tag_handling`` (``html`` or ``xml``) with ``ignore_tags`` and
  ``splitting_tags``. Other DeepL parameters (``formality``, ``split_sentences``, ``context``...)
  are accepted and have no effect: segmentation is always the command line's, so that the
  guarantee holds. Answers ``{"translations": [{"detected_source_language": "VI", "text": ...,
  "billed_characters": N, "songngu": report}]}``.
- ``/v2/languages`` (``type=source|target``), ``/v2/usage`` (characters translated with this key
  since the server started; no quota: the limit shown is 10^12), ``/v2/glossary-language-pairs``.
- ``/v2/glossaries``: create (JSON or form: ``name``, ``source_lang``, ``target_lang``,
  ``entries``, ``entries_format`` tsv or csv), list, get, ``/entries`` (TSV), delete. See
  :mod:`.glossaries` for how they are checked and enforced.

Every request needs ``Authorization: DeepL-Auth-Key KEY`` (or the older ``auth_key`` parameter)
when the server has keys. Errors are ``{"message": ..., "detail": ...}`` with DeepL's status codes.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from songngu.translate.serve import languages
from songngu.translate.serve.failures import ApiError, bad_request
from songngu.translate.serve.markup import MarkupKind
from songngu.translate.serve.params import Params, read_params
from songngu.translate.serve.service import ClientGone, TranslationService, unless_gone

MISSING_KEY = "Authorization failure: send the header Authorization: DeepL-Auth-Key KEY"
INVALID_KEY = "Authorization failure: invalid authentication key"
#: What /v2/usage shows as the character limit: the server has no quota.
NO_QUOTA = 10**12
_AUTH_SCHEME = "deepl-auth-key"


def error_response(error: ApiError) -> Response:
    """DeepL's error shape."""
    body: dict[str, str] = {"message": error.message}
    if error.detail:
        body["detail"] = error.detail
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def _header_key(request: Request) -> str | None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() or None if scheme.lower() == _AUTH_SCHEME else None


def routes(service: TranslationService) -> list[BaseRoute]:
    """The DeepL routes, served by ``service``."""

    async def params_with_key(request: Request) -> tuple[Params, str | None]:
        params = await read_params(request, service.limits.body_bytes)
        key = _header_key(request) or params.text("auth_key")
        service.authorise(key, MISSING_KEY, INVALID_KEY)
        return params, key

    async def translate(request: Request) -> Response:
        params, key = await params_with_key(request)
        sent = params.texts("text")
        if sent is None:
            raise bad_request("Parameter 'text' not specified.")
        texts = sent[0]
        target = params.text("target_lang")
        if not target:
            raise bad_request("Parameter 'target_lang' not specified.")
        if not languages.is_target(target):
            raise bad_request(
                f"Value for 'target_lang' not supported: {target}; this server translates into EN"
            )
        source = params.text("source_lang")
        if source and not languages.is_source(source):
            raise bad_request(
                f"Value for 'source_lang' not supported: {source}; this server translates from VI"
            )
        glossary_id = params.text("glossary_id") or None
        if glossary_id and not source:
            raise bad_request("Use of a glossary requires the source_lang parameter to be specified.")
        tag_handling = params.text("tag_handling") or None
        if tag_handling not in (None, "html", "xml"):
            raise bad_request(f"Value for 'tag_handling' not supported: {tag_handling}; use html or xml")
        try:
            answers = await unless_gone(
                request,
                service.translate(
                    texts,
                    key=key,
                    glossary_id=glossary_id,
                    markup=MarkupKind(tag_handling) if tag_handling else None,
                    ignore_tags=params.strings("ignore_tags"),
                    splitting_tags=params.strings("splitting_tags"),
                ),
            )
        except ClientGone:
            return Response(status_code=499)  # nobody reads it: the client has gone
        return JSONResponse(
            {
                "translations": [
                    {
                        "detected_source_language": "VI",
                        "text": answer.text,
                        "billed_characters": len(text),
                        "songngu": answer.report,
                    }
                    for text, answer in zip(texts, answers, strict=True)
                ]
            }
        )

    async def list_languages(request: Request) -> Response:
        params, _ = await params_with_key(request)
        if (params.text("type") or "source").lower() == "target":
            return JSONResponse(
                [
                    {"language": code, "name": name, "supports_formality": False}
                    for code, name in languages.DEEPL_TARGETS.items()
                ]
            )
        return JSONResponse([{"language": "VI", "name": languages.NAMES[languages.SOURCE]}])

    async def usage(request: Request) -> Response:
        _, key = await params_with_key(request)
        return JSONResponse({"character_count": service.usage[key or ""], "character_limit": NO_QUOTA})

    async def language_pairs(request: Request) -> Response:
        await params_with_key(request)
        return JSONResponse(
            {"supported_languages": [{"source_lang": languages.SOURCE, "target_lang": languages.TARGET}]}
        )

    async def glossaries(request: Request) -> Response:
        params, _ = await params_with_key(request)
        if request.method == "GET":
            return JSONResponse({"glossaries": [stored.info() for stored in service.glossaries.all()]})
        fields = {name: params.text(name) for name in ("name", "source_lang", "target_lang", "entries")}
        missing = [name for name, value in fields.items() if value is None]
        if missing:
            raise bad_request(f"Missing parameter(s): {', '.join(missing)}")
        stored = service.glossaries.create(
            str(fields["name"]),
            str(fields["source_lang"]),
            str(fields["target_lang"]),
            str(fields["entries"]),
            (params.text("entries_format") or "tsv").lower(),
        )
        return JSONResponse(stored.info(), status_code=201)

    async def glossary(request: Request) -> Response:
        await params_with_key(request)
        glossary_id = request.path_params["glossary_id"]
        if request.method == "DELETE":
            service.glossaries.delete(glossary_id)
            return Response(status_code=204)
        return JSONResponse(service.glossaries.get(glossary_id).info())

    async def entries(request: Request) -> Response:
        await params_with_key(request)
        stored = service.glossaries.get(request.path_params["glossary_id"])
        return PlainTextResponse(stored.tsv(), media_type="text/tab-separated-values")

    return [
        Route("/v2/translate", translate, methods=["POST"]),
        Route("/v2/languages", list_languages, methods=["GET", "POST"]),
        Route("/v2/usage", usage, methods=["GET", "POST"]),
        Route("/v2/glossary-language-pairs", language_pairs, methods=["GET"]),
        Route("/v2/glossaries", glossaries, methods=["GET", "POST"]),
        Route("/v2/glossaries/{glossary_id}", glossary, methods=["GET", "DELETE"]),
        Route("/v2/glossaries/{glossary_id}/entries", entries, methods=["GET"]),
    ]
