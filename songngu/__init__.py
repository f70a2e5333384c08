"""songngu: Vietnamese→English article translation held to a terminology glossary, for human review.

The installed import package. Its two subpackages keep the repository's top-level folders:
``songngu.glossary`` (``glossary/``) and ``songngu.translate`` (``translate/``); this package itself
holds only what belongs to neither: the version, the one error type and the text-file I/O.
"""

__version__ = "0.2.0"
