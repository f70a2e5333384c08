"""The one error a request can end in, whichever API it came through.

Each API renders an :class:`ApiError` in its own shape (LibreTranslate ``{"error": ...}``, DeepL
``{"message": ..., "detail": ...}``), with the status code and headers (``Retry-After``) given here.
Anything else raised while serving is a bug; the application still answers it in the API's shape,
with status 500 and no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ApiError(Exception):
    """A request refused or failed: HTTP ``status``, one clear ``message``, an optional ``detail``
    (the problems of a refused glossary, one per line) and extra response ``headers``."""

    status: int
    message: str
    detail: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def bad_request(message: str, detail: str = "") -> ApiError:
    """400: the request itself is wrong (bad JSON, a missing parameter, an unknown language)."""
    return ApiError(400, message, detail)


def forbidden(message: str) -> ApiError:
    """403: no valid API key."""
    return ApiError(403, message)


def not_found(message: str) -> ApiError:
    """404: no such glossary (or path)."""
    return ApiError(404, message)


def too_large(message: str) -> ApiError:
    """413: more characters, segments or bytes than one request may carry."""
    return ApiError(413, message)


def busy(message: str, retry_after: int) -> ApiError:
    """503 with ``Retry-After``: the queue is full; try again in ``retry_after`` seconds."""
    return ApiError(503, message, headers={"Retry-After": str(retry_after)})


def timed_out(message: str) -> ApiError:
    """504: the translation took longer than the server's ``--timeout``."""
    return ApiError(504, message)
