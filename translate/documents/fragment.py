"""Translating an HTML fragment with its inline markup kept: what a translation API does for
``format=html`` (LibreTranslate) or ``tag_handling=html`` (DeepL).

The fragment is read as the content of a ``<body>`` (:class:`~.html.HtmlDocument`), its sentences
are handed to the caller's translator as :class:`~songngu.translate.records.Segment` s (ids
``<name>:<block>:<sentence>``), and the English fragment comes back with every inline element
placed by word alignment. The caller keeps control of how sentences are translated (batching,
the memory, the glossary), so the same fragment through the server and through ``songngu translate``
gives the same English:

>>> def shout(segments):
...     return [SegmentResult(s.id, s.source, s.source.upper(), s.paragraph) for s in segments]
>>> translate_html_fragment("<p>xin <b>chào</b></p>", shout)
'<p>XIN <b>CHÀO</b></p>'

Two steps, for a caller that batches sentences of many requests: ``HtmlFragment(html).segments``,
then ``.render(results)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from songngu.translate.documents.html import HtmlDocument
from songngu.translate.documents.rebuild import TermsOf, english_document, recorded_terms
from songngu.translate.documents.segments import document_segments
from songngu.translate.records import Segment, SegmentResult


class HtmlFragment:
    """An HTML fragment read for translation: its sentences, then its English given their records."""

    def __init__(self, html: str, name: str = "html") -> None:
        self.name = name
        self.document = HtmlDocument.from_fragment(html, name)
        self.segments: list[Segment] = document_segments(self.document, name)
        self.unplaced: Mapping[str, tuple[str, ...]] = {}

    def render(self, results: Sequence[SegmentResult], terms: TermsOf = recorded_terms) -> str:
        """The fragment in English from the records of :attr:`segments` (by id). ``terms`` gives a
        record's glossary terms with all their renderings (default: the one each records);
        :attr:`unplaced` then says, per segment id, which elements were put around the best span."""
        english = english_document(self.document, self.name, results, terms)
        self.unplaced = english.unplaced
        return english.data.decode("utf-8")


def translate_html_fragment(
    html: str,
    translate: Callable[[list[Segment]], Sequence[SegmentResult]],
    *,
    name: str = "html",
    terms: TermsOf = recorded_terms,
) -> str:
    """``html`` in English: its sentences translated by ``translate`` (for instance
    ``lambda segments: pipeline.translate_segments(segments, translator=..., matcher=...)``), its
    inline markup kept. Raises :class:`~songngu.errors.InputError` for markup nested too deep."""
    fragment = HtmlFragment(html, name)
    return fragment.render(translate(fragment.segments), terms)
