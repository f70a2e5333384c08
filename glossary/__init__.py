"""songngu's terminology base: entries, Vietnamese-aware matching, validation, exchange formats.

This package knows nothing of models or translation; ``translate`` builds on it.
"""

from songngu.errors import InputError
from songngu.glossary.model import Glossary, GlossaryEntry, MatchForm, TermMatch

__all__ = ["Glossary", "GlossaryEntry", "InputError", "MatchForm", "TermMatch"]
