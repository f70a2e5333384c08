"""songngu's translation pipeline: article → segments → constrained MarianMT → reviewed bitext.

Installed as ``songngu.translate``; see ``songngu/__init__.py`` for why the folder and the name differ.
"""

#: The model used when none is named: OPUS-MT Vietnamese→English (MarianMT), from the Hugging Face hub.
DEFAULT_MODEL = "Helsinki-NLP/opus-mt-vi-en"

#: What ``--precision`` accepts: the values of :class:`songngu.translate.precision.Precision`, here so
#: that the command line can offer them without importing torch.
PRECISIONS = ("auto", "fp32", "int8", "fp16", "bf16")
