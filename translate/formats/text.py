"""``<name>.en.txt``: the English article as plain text, for readers rather than tools.

Sentences of one paragraph are joined by a space; paragraphs are separated by a blank line; the file
ends with a newline. Text is put under the character policy and a line break inside a translated
sentence becomes a space, so it cannot split a paragraph. Read back, the file gives one unit per
paragraph (the sentences are no longer apart), its English text as the target.
"""

from __future__ import annotations

from itertools import groupby

from songngu.translate.formats.base import OutputFormat
from songngu.translate.formats.moses import line_breaks_to_spaces
from songngu.translate.records import ArticleTranslation, SegmentResult


class EnglishTextFormat(OutputFormat):
    """``<name>.en.txt``: the translated article, paragraphs kept."""

    suffix = ".en.txt"

    def render(self, article: ArticleTranslation, existing: str | None = None, *, name: str = "") -> str:
        """The English article: one line per paragraph, a blank line between paragraphs."""
        paragraphs = []
        for _, results in groupby(article.results, key=lambda r: r.paragraph):
            sentences = (line_breaks_to_spaces(r.target).strip() for r in results)
            paragraph = " ".join(sentence for sentence in sentences if sentence)
            if paragraph:
                paragraphs.append(paragraph)
        return "\n\n".join(paragraphs) + "\n" if paragraphs else ""

    def parse(self, text: str, name: str = "<en.txt>") -> ArticleTranslation:
        """One unit per paragraph (id ``<name>:<paragraph>``), its text as the target."""
        article = self.article_name(name)
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        results: list[SegmentResult] = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                paragraph = len(results) + 1
                results.append(
                    SegmentResult(
                        id=f"{article}:{paragraph}", source="", target=line, paragraph=paragraph, line=number
                    )
                )
        return ArticleTranslation(article, name, None, results)
