"""``<name>.en.txt``: the English article as plain text, for readers rather than tools.

Sentences of one paragraph are joined by a space; paragraphs are separated by a blank line; the file
ends with a newline. A line break inside a translated sentence becomes a space, so it cannot split a
paragraph.
"""

from __future__ import annotations

from itertools import groupby

from songngu.translate.formats.base import OutputFormat
from songngu.translate.formats.moses import line_breaks_to_spaces
from songngu.translate.records import ArticleTranslation


def dumps_english(article: ArticleTranslation) -> str:
    """The English article: one line per paragraph, a blank line between paragraphs."""
    paragraphs = []
    for _, results in groupby(article.results, key=lambda r: r.paragraph):
        sentences = (line_breaks_to_spaces(r.target).strip() for r in results)
        paragraph = " ".join(sentence for sentence in sentences if sentence)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


class EnglishTextFormat(OutputFormat):
    """``<name>.en.txt``: the translated article, paragraphs kept."""

    suffix = ".en.txt"

    def render(self, article: ArticleTranslation, existing: str | None, *, name: str = "") -> str:
        return dumps_english(article)
