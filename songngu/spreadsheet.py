"""Table cells a spreadsheet will not run: CSV/TSV formula injection neutralised as OWASP advises.

Curators open songngu's tables (glossary CSV/TSV, review candidates, the memory's TSV export) in
Excel or LibreOffice, which run a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, after a tab
or carriage return, the same) as a formula: a reviewer's msgstr ``=HYPERLINK("http://…")`` would
become a live link or worse. Following the OWASP "CSV Injection" guidance, such a cell is written
with a leading apostrophe, which makes the spreadsheet show it as text.

The change is reversible, so songngu's own readers get back exactly what was written: a cell made
of apostrophes followed by a trigger character gets one more apostrophe on writing
(:func:`neutralise`), and loses one on reading (:func:`restore`). A cell a person wrote that starts
with one or more apostrophes and a trigger character (``'=x``) is read without its first
apostrophe, as a spreadsheet would show it; any other apostrophe (``'s-Hertogenbosch``) is kept.

Examples::

    >>> neutralise("=1+1"), neutralise("-5 °C"), neutralise("'=x"), neutralise("Bộ Y tế")
    ("'=1+1", "'-5 °C", "''=x", 'Bộ Y tế')
    >>> restore("'=1+1"), restore("''=x"), restore("'s-Hertogenbosch")
    ('=1+1', "'=x", "'s-Hertogenbosch")
"""

from __future__ import annotations

import re

# OWASP's list: the four formula starters, and tab and carriage return, after which some
# spreadsheets still read a formula.
FORMULA_TRIGGERS = "=+-@\t\r"

_WRITTEN = re.compile(r"'*[" + re.escape(FORMULA_TRIGGERS) + "]")
_NEUTRALISED = re.compile(r"'+[" + re.escape(FORMULA_TRIGGERS) + "]")


def neutralise(cell: str) -> str:
    """``cell`` as written to a table: with one more leading apostrophe if a spreadsheet could run it."""
    return "'" + cell if _WRITTEN.match(cell) else cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise` on a cell read from a table (``restore(neutralise(x)) == x``)."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell
