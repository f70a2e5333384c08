"""Quality assurance of translations: checks that point a reviewer at the sentences most likely wrong.

Each check is a small class with one job (:mod:`.base`, in the manner of sacrebleu's metrics), run
on a plain :class:`~songngu.translate.qa.segment.QaSegment` (source, target, the sentence's glossary
terms, whether a reviewer wrote the target) and giving frozen
:class:`~songngu.translate.qa.findings.Finding` s with a severity and the offending spans on both
sides. The families, one module each: ``numbers``, ``dates``, ``terms``, ``names``,
``untranslated``, ``length`` and ``form`` (repeated words, spacing, brackets and quotes, final
punctuation). :mod:`.checker` holds the registry and runs a selection of checks; :mod:`.inputs`
reads the segments of a reviewed file; :mod:`.report` writes text, JSON, CSV and HTML.

This package imports nothing of the model stack (``songngu qa`` starts without torch), and its
submodules are imported by name: :mod:`songngu.translate.records` imports :mod:`.findings`, so this
file imports nothing.
"""
