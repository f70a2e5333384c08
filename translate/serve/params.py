"""Request parameters as both APIs accept them: the query string, a form (URL-encoded or multipart),
or a JSON object, read with a limit on the body's size.

LibreTranslate and DeepL clients send the same parameters in all three ways: OmegaT puts ``q`` in the
query of a GET, ``libretranslatepy`` and older Weblate send forms, newer Weblate and the ``deepl``
client send JSON (``q`` or ``text`` as a list), and a DeepL form repeats ``text``. :class:`Params`
hides the difference: every name has a list of values, query values first, then the body's.

Every failure is one :class:`ApiError` line: a body over the limit (413, counted as it arrives, so
an endless chunked body is never held whole), invalid JSON (where it breaks), JSON that is not an
object, a form that does not decode as UTF-8, a content type neither API uses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive

from songngu.translate.serve.failures import ApiError, bad_request, too_large

#: Fields a form may have: a DeepL form repeats ``text`` once per text.
MAX_FIELDS = 10_000


@dataclass(frozen=True)
class Params:
    """A request's parameters: each name with its values in order (query first, then body)."""

    values: dict[str, list[object]]

    def first(self, name: str) -> object | None:
        """The first value of ``name`` (a string, or from JSON any value), or None."""
        found = self.values.get(name)
        return found[0] if found else None

    def text(self, name: str) -> str | None:
        """The first value of ``name`` as a string (None when absent); a JSON value that is not a
        string is refused."""
        value = self.first(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return json.dumps(value)  # {"alternatives": 0}, {"preserve_formatting": true}
        raise bad_request(f"Invalid request: {name} must be a string")

    def texts(self, name: str) -> tuple[list[str], bool] | None:
        """Every value of ``name`` as a list of strings, and whether the client sent a list (a JSON
        list, or a field repeated) rather than one string; None when absent."""
        found = self.values.get(name)
        if not found:
            return None
        if len(found) == 1 and isinstance(found[0], list):
            items: Sequence[object] = found[0]
            listed = True
        else:
            items, listed = found, len(found) > 1
        if not all(isinstance(item, str) for item in items):
            raise bad_request(f"Invalid request: {name} must be a string or a list of strings")
        return [str(item) for item in items], listed

    def strings(self, name: str) -> list[str]:
        """Every value of ``name``, each a string or a list of strings, flattened (DeepL's
        ``ignore_tags=x,y`` or ``["x", "y"]``); comma-separated values are split."""
        out: list[str] = []
        for value in self.values.get(name, []):
            parts = value if isinstance(value, list) else [value]
            for part in parts:
                if not isinstance(part, str):
                    raise bad_request(f"Invalid request: {name} must be a string or a list of strings")
                out.extend(item.strip() for item in part.split(",") if item.strip())
        return out


class _LimitedReceive:
    """The ASGI ``receive`` of a request, refusing the body once it passes ``limit`` bytes."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self._size = 0

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._size += len(message.get("body", b""))
            if self._size > self._limit:
                raise _body_too_large(self._limit)
        return message


def _body_too_large(limit: int) -> ApiError:
    return too_large(f"Request too large: the body is over {limit:,} bytes")


async def read_params(request: Request, limit: int) -> Params:
    """The parameters of ``request``, whose body may be at most ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _body_too_large(limit)
    limited = Request(request.scope, _LimitedReceive(request.receive, limit))
    values: dict[str, list[object]] = {}
    for name, value in request.query_params.multi_items():
        values.setdefault(name, []).append(value)
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "multipart/form-data":
        for name, value in await _multipart(limited):
            values.setdefault(name, []).append(value)
        return Params(values)
    body = await limited.body()
    if not body.strip():
        return Params(values)
    if media_type == "application/json" or media_type.endswith("+json"):
        for name, item in _json_object(body).items():
            values.setdefault(name, []).append(item)
    elif media_type in ("application/x-www-form-urlencoded", ""):
        for name, text in _form(body):
            values.setdefault(name, []).append(text)
    else:
        raise bad_request(
            f"Invalid request: Content-Type {media_type} is not accepted; "
            "send application/json, application/x-www-form-urlencoded or multipart/form-data"
        )
    return Params(values)


def _json_object(body: bytes) -> dict[str, object]:
    try:
        parsed = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise bad_request(f"Invalid request: the JSON body is not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise bad_request(
            f"Invalid request: the body is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise bad_request("Invalid request: the JSON body is nested too deeply") from None
    if not isinstance(parsed, dict):
        raise bad_request("Invalid request: the JSON body must be an object")
    return parsed


def _form(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict"
        )
    except UnicodeDecodeError as error:
        raise bad_request(
            f"Invalid request: the form is not URL-encoded UTF-8 (byte {error.start})"
        ) from None
    except ValueError as error:  # more fields than MAX_FIELDS
        raise bad_request(f"Invalid request: {error}") from None


async def _multipart(request: Request) -> list[tuple[str, str]]:
    try:
        form = await request.form(max_fields=MAX_FIELDS)
    except MultiPartException as error:
        raise bad_request(f"Invalid request: {error.message}") from None
    except HTTPException as error:  # Starlette's wrapping of the same, inside an application
        raise bad_request(f"Invalid request: {error.detail}") from None
    items: list[tuple[str, str]] = []
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                try:
                    items.append((name, content.decode("utf-8")))
                except UnicodeDecodeError as error:
                    raise bad_request(f"Invalid request: {name}: not UTF-8 (byte {error.start})") from None
            else:
                items.append((name, value))
    finally:
        await form.close()
    return items
