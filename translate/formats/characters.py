"""The one policy for control characters in every output format, and the function that applies it.

Text reaching a writer may hold characters a reviewer cannot see and some tools break on: control
characters, Unicode line separators, bidirectional controls. Each writer passes every text it
writes through :func:`portable_text`, so one input gives one text in every format:

- **Line breaks become a line feed.** CR LF (as one), CR, VT (Word's manual line break), FF, NEL
  (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) each become ``\\n``: they all
  end a line, and ``\\n`` is the one line end every format can carry (PO and TSV escape it, TMX and
  XLIFF hold it, Moses and the English text turn it into a space to stay one line per segment).
- **Other control characters become U+FFFD** (�): every other character of Unicode category Cc
  except tab (C0 U+0000–U+001F, including the separators U+001C–U+001E that ``str.splitlines``
  breaks at; DEL U+007F; C1 U+0080–U+009F), and the noncharacters U+FFFE and U+FFFF. They carry no
  text, XML 1.0 cannot hold most of them, and the replacement character shows the reviewer that
  something was there, as a UTF-8 decoder does.
- **Bidirectional controls are removed**: LRM and RLM (U+200E, U+200F), the embeddings and
  overrides U+202A–U+202E, the isolates U+2066–U+2069 and the Arabic letter mark U+061C. They are
  invisible, change no letter of a Vietnamese or English sentence, and can reorder what a reviewer
  sees (the "Trojan Source" problem).
- Tab and line feed are kept; each format escapes them as it must (TSV as ``\\t`` and ``\\n``).

After the policy, ``text.splitlines()`` splits only at ``\\n``, so a line-aligned file (Moses, TSV)
that turns or escapes ``\\n`` stays aligned for every reader.

JSONL is the exception by design: it is the lossless record that evaluation reads back, so it keeps
the exact text, and writes each of these characters as a JSON ``\\uXXXX`` escape (never raw), which
keeps every record on one line under ``splitlines`` too.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

_LINE_BREAKS = "\r\x0b\x0c\x85\u2028\u2029"
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff"  # every Cc but tab and line feed, and two noncharacters

#: Every character the policy changes (tab and line feed are not among them).
POLICY_CHARACTERS = re.compile(f"[{_CONTROLS}{_BIDI_CONTROLS}\u2028\u2029]")

_LINE_BREAK = re.compile(f"\r\n|[{_LINE_BREAKS}]")
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_CONTROL = re.compile(f"[{_CONTROLS}]")


def portable_text(text: str) -> str:
    """``text`` under the character policy (see the module docstring).

    >>> portable_text("a\\r\\nb\\u2028c\\x00d\\u200ee")
    'a\\nb\\nc\ufffdde'
    """
    if POLICY_CHARACTERS.search(text) is None:
        return text
    text = _LINE_BREAK.sub("\n", text)  # first: CR, VT, FF and NEL are controls too
    return _CONTROL.sub(REPLACEMENT, _BIDI.sub("", text))


def escape_for_json(line: str) -> str:
    """A line of JSON with every policy character written as a ``\\uXXXX`` escape (JSON's own
    escapes already cover C0; this adds DEL, C1, the line separators, bidi controls, U+FFFE/U+FFFF).
    Only valid on JSON text, where such characters can stand only inside strings."""
    return POLICY_CHARACTERS.sub(lambda match: f"\\u{ord(match.group()):04x}", line)
