"""LibreTranslate's API, as Weblate's and OmegaT's connectors and ``libretranslatepy`` call it.

- ``/translate`` (GET and POST; query, form or JSON): ``q`` a string or a list, ``source`` (``vi``
  or ``auto``), ``target`` (``en``), ``format`` (``text`` or ``html``), ``api_key``. Answers
  ``{"translatedText": ...}``, a string or a list as ``q`` was, with ``detectedLanguage`` for
  ``source=auto``; the report is in ``songngu`` (an object, or a list beside ``translatedText``).
- ``/detect``: ``[{"confidence": 97.3, "language": "vi"}, ...]``, most likely first.
- ``/languages``: Vietnamese with English as its target, and English.
- ``/frontend/settings``: LibreTranslate's page settings (the character limit, whether keys are on).

Errors are ``{"error": "one clear message"}`` with the status code. ``/languages`` and
``/frontend/settings`` need no key, as on LibreTranslate itself: Weblate's connector lists the
languages without one.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from songngu.translate.serve import languages
from songngu.translate.serve.failures import ApiError, bad_request
from songngu.translate.serve.markup import MarkupKind
from songngu.translate.serve.params import Params, read_params
from songngu.translate.serve.service import ClientGone, TranslationService, unless_gone

MISSING_KEY = "Missing API key: this server needs api_key"
INVALID_KEY = "Invalid API key"


def error_response(error: ApiError) -> Response:
    """LibreTranslate's error shape."""
    return JSONResponse({"error": error.message}, status_code=error.status, headers=error.headers)


def routes(service: TranslationService) -> list[BaseRoute]:
    """The LibreTranslate routes, served by ``service``."""

    async def params_with_key(request: Request) -> Params:
        params = await read_params(request, service.limits.body_bytes)
        service.authorise(params.text("api_key"), MISSING_KEY, INVALID_KEY)
        return params

    async def translate(request: Request) -> Response:
        params = await params_with_key(request)
        sent = params.texts("q")
        if sent is None:
            raise bad_request("Invalid request: missing q parameter")
        texts, listed = sent
        source = _required(params, "source")
        target = _required(params, "target")
        text_format = params.text("format") or "text"
        if text_format not in ("text", "html"):
            raise bad_request(f"{text_format} format is not supported; use text or html")
        detected = None
        if source == "auto":
            best = languages.detect(" ".join(texts))[0]
            if best.language != languages.SOURCE:
                raise bad_request(
                    f"auto: the text reads as {languages.NAMES[best.language]} ({best.confidence:g}%); "
                    "this server translates Vietnamese (vi) into English (en) only"
                )
            detected = {"confidence": best.confidence, "language": best.language}
        elif not languages.is_source(source):
            raise bad_request(f"{source} is not supported: this server translates from Vietnamese (vi) only")
        if not languages.is_target(target):
            raise bad_request(f"{target} is not supported: this server translates into English (en) only")
        try:
            answers = await unless_gone(
                request,
                service.translate(
                    texts,
                    key=params.text("api_key"),
                    markup=MarkupKind.HTML if text_format == "html" else None,
                ),
            )
        except ClientGone:
            return Response(status_code=499)  # nobody reads it: the client has gone
        body: dict[str, object]
        if listed:
            body = {"translatedText": [a.text for a in answers], "songngu": [a.report for a in answers]}
            if detected is not None:
                body["detectedLanguage"] = [detected] * len(answers)
        else:
            body = {"translatedText": answers[0].text, "songngu": answers[0].report}
            if detected is not None:
                body["detectedLanguage"] = detected
        return JSONResponse(body)

    async def detect(request: Request) -> Response:
        params = await params_with_key(request)
        sent = params.texts("q")
        if sent is None:
            raise bad_request("Invalid request: missing q parameter")
        ranked = languages.detect(" ".join(sent[0]))
        return JSONResponse([{"confidence": d.confidence, "language": d.language} for d in ranked])

    async def list_languages(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "code": languages.SOURCE,
                    "name": languages.NAMES[languages.SOURCE],
                    "targets": [languages.TARGET],
                },
                {"code": languages.TARGET, "name": languages.NAMES[languages.TARGET], "targets": []},
            ]
        )

    async def frontend_settings(request: Request) -> Response:
        return JSONResponse(
            {
                "charLimit": service.limits.max_chars,
                "frontendTimeout": 500,
                "apiKeys": service.keys.required,
                "keyRequired": service.keys.required,
                "suggestions": False,
                "filesTranslation": False,
                "supportedFilesFormat": [],
                "language": {
                    "source": {"code": languages.SOURCE, "name": languages.NAMES[languages.SOURCE]},
                    "target": {"code": languages.TARGET, "name": languages.NAMES[languages.TARGET]},
                },
            }
        )

    return [
        Route("/translate", translate, methods=["GET", "POST"]),
        Route("/detect", detect, methods=["GET", "POST"]),
        Route("/languages", list_languages, methods=["GET", "POST"]),
        Route("/frontend/settings", frontend_settings, methods=["GET"]),
    ]


def _required(params: Params, name: str) -> str:
    value = params.text(name)
    if not value:
        raise bad_request(f"Invalid request: missing {name} parameter")
    return value
