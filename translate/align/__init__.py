"""Sentence alignment of a Vietnamese article with its English version (``songngu align``).

``anchors`` (what survives translation), ``aligner`` (the dynamic programme and the Gale–Church
baseline), ``mt`` (the optional MT-assisted score), ``article`` (files to beads to records),
``output`` (JSONL, TSV, TMX, PO and the memory). Nothing here imports the model stack: a model is
passed in as a function that translates sentences.
"""
