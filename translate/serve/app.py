"""The Starlette application: both APIs, the page and a status route over one
:class:`~.service.TranslationService`.

Errors are answered in the shape of the API the path belongs to (``/v2/...`` DeepL's, everything
else LibreTranslate's): an :class:`~.failures.ApiError` with its status; an unknown path or method
with 404 or 405; and a bug with 500 and one line naming the exception, its traceback going to the
server's log, never to the client. ``/songngu/status`` shows the model, the queue and the counters.
The application's lifespan starts the batcher (if not started yet) and, at shutdown, once uvicorn
has let the requests in flight finish, stops it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from songngu.translate.serve import deepl, libretranslate, page
from songngu.translate.serve.failures import ApiError
from songngu.translate.serve.params import read_params
from songngu.translate.serve.service import TranslationService


def _shaped(request: Request, error: ApiError) -> Response:
    if request.url.path.startswith("/v2/"):
        return deepl.error_response(error)
    return libretranslate.error_response(error)


def build_app(service: TranslationService) -> Starlette:
    """The application serving ``service``."""

    async def status(request: Request) -> Response:
        params = await read_params(request, service.limits.body_bytes)
        header = request.headers.get("authorization", "").partition(" ")[2].strip()
        service.authorise(
            params.text("api_key") or header or None, libretranslate.MISSING_KEY, libretranslate.INVALID_KEY
        )
        return JSONResponse(service.status())

    async def api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        return _shaped(request, error)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        message = {404: "Not found", 405: "Method not allowed"}.get(error.status_code, str(error.detail))
        return _shaped(
            request, ApiError(error.status_code, f"{message}: {request.method} {request.url.path}")
        )

    async def bug(request: Request, error: Exception) -> Response:
        return _shaped(
            request, ApiError(500, f"Internal error ({type(error).__name__}); see the server's log")
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.batcher.start()
        try:
            yield
        except BaseException:
            # Cancelled (uvicorn forced to stop by a second Ctrl-C, or an error): tell the worker to
            # stop without waiting for a search that may take minutes.
            service.batcher.stop(timeout=0)
            raise
        await asyncio.to_thread(service.batcher.stop)

    return Starlette(
        routes=[
            *page.routes(),
            *libretranslate.routes(service),
            *deepl.routes(service),
            Route("/songngu/status", status, methods=["GET"]),
        ],
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: bug},
        lifespan=lifespan,
    )
