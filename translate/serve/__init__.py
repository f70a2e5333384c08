"""``songngu serve``: glossary-held machine translation over HTTP, for the tools reviewers work in.

Two public APIs on one model: LibreTranslate's (:mod:`.libretranslate`: Weblate, OmegaT,
``libretranslatepy``) and a subset of DeepL's v2 (:mod:`.deepl`: Weblate's DeepL machinery and the
official ``deepl`` client), plus a page to try it (:mod:`.page`). Every text goes through
:mod:`songngu.translate.pipeline` exactly as ``songngu translate`` sends an article, batched across
clients by :mod:`.batcher`. One module per concept:

- :mod:`.failures`   the one error type, rendered by each API in its own shape
- :mod:`.params`     request parameters from the query, a form or JSON, with a body size limit
- :mod:`.keys`       ``--api-keys FILE``
- :mod:`.languages`  language codes of both APIs, and telling Vietnamese from English
- :mod:`.batcher`    dynamic batching across clients: a bounded queue, one model call at a time
- :mod:`.markup`     ``format=html`` / ``tag_handling``: translating text inside markup
- :mod:`.glossaries` DeepL glossaries: checked, persisted, enforced on top of the server's glossary
- :mod:`.service`    what both APIs call: limits, glossary choice, answers with their term report
- :mod:`.app`        the Starlette application

Importing this package needs the ``serve`` extra (Starlette); the command line imports it only
inside ``songngu serve``.
"""
