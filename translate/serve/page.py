"""``/``: a page to try the server: paste Vietnamese, pick a glossary, see the English with each
glossary term highlighted, met or missed.

One self-contained HTML file (``page.html``, shipped with the package): its styles and script are
inline and it loads nothing from anywhere, which its Content-Security-Policy enforces (the browser
refuses any other source). It calls the DeepL API of the same server (``/v2/glossaries``,
``/v2/translate``) and shows the ``songngu`` report of the answer; it builds the page with DOM text
nodes only, never HTML from the answer.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@cache
def page_html() -> str:
    """The page, read once from the package."""
    return files("songngu.translate.serve").joinpath("page.html").read_text(encoding="utf-8")


def routes() -> list[BaseRoute]:
    """The page's route."""

    async def page(request: Request) -> Response:
        return HTMLResponse(
            page_html(),
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"},
        )

    return [Route("/", page, methods=["GET"])]
