"""``songngu serve`` as the command line runs it, with one difference for the stop tests: every
model call waits until the file named by ``SONGNGU_TEST_GATE`` exists (polled). A test can then keep
a request in the model for as long as it needs, send its signals, and let the model go, with no
guess about how long a search takes.

Run as a script (``python tests/serve/gated_serve.py serve --model ...``), never imported by the
package: the command's own code is unchanged, only ``Translator.load`` is wrapped here.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from songngu.translate.cli import main
from songngu.translate.engine import Translator

GATE = Path(os.environ["SONGNGU_TEST_GATE"])


class GatedTranslator:
    """The loaded translator; ``translate`` waits for the gate file before searching."""

    def __init__(self, translator: Translator) -> None:
        self._translator = translator

    def __getattr__(self, name: str) -> Any:
        return getattr(self._translator, name)

    def translate(self, *args: Any, **kwargs: Any) -> Any:
        while not GATE.exists():
            time.sleep(0.01)
        return self._translator.translate(*args, **kwargs)


_load = Translator.load


def _gated_load(*args: Any, **kwargs: Any) -> Any:
    return GatedTranslator(_load(*args, **kwargs))


Translator.load = _gated_load  # type: ignore[method-assign,assignment]

if __name__ == "__main__":
    sys.exit(main())
