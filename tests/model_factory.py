"""Build small MarianMT models in the opus-mt directory layout, for tests and benchmarks.

The model has random weights (fixed seed) but real SentencePiece tokenizers trained on the seed
articles and FLORES-200, so tokenisation behaves like opus-mt's: Vietnamese source pieces, English
target pieces, one shared ``vocab.json`` with ``</s>`` = 0, ``<unk>`` = 1 and ``<pad>`` last, which is
also the decoder start token. Everything is deterministic for a given set of arguments.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

import sentencepiece as spm
import torch
from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FLORES = ROOT / "data" / "flores200"

# English terms the tests use as constraints, so that they tokenise without <unk> even when no
# seeds/glossary.csv exists yet.
EXTRA_ENGLISH = (
    "ASEAN Intergovernmental Commission on Human Rights (AICHR)",
    "Universal Periodic Review (UPR)",
    "United Nations Development Programme (UNDP)",
    "Ministry of Foreign Affairs",
    "Deputy Minister of Foreign Affairs",
    "human rights",
    "ASEAN Secretariat",
    "Viet Nam",
    "Vietnam",
)


def vietnamese_text() -> list[str]:
    """The Vietnamese training text: seed articles and FLORES-200 devtest, one line each."""
    lines: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines += path.read_text(encoding="utf-8").splitlines()
    lines += (FLORES / "vie_Latn.devtest").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def english_text() -> list[str]:
    """The English training text: FLORES-200 devtest plus every English term of the seed glossary."""
    lines = (FLORES / "eng_Latn.devtest").read_text(encoding="utf-8").splitlines()
    lines += EXTRA_ENGLISH
    glossary = SEEDS / "glossary.csv"
    if glossary.exists():
        for row in csv.DictReader(io.StringIO(glossary.read_text(encoding="utf-8-sig"))):
            for column in ("en", "acronym", "en_variants", "en_forbidden"):
                lines += [value for value in (row.get(column) or "").split("|") if value.strip()]
    return [line.strip() for line in lines if line.strip()]


def train_spm(lines: Iterable[str], vocab_size: int, *, byte_fallback: bool = False) -> bytes:
    """Train a unigram SentencePiece model deterministically and return its serialised bytes."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=byte_fallback,
        num_threads=1,
        shuffle_input_sentence=False,
        input_sentence_size=0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return model.getvalue()


def marian_vocab(source: bytes, target: bytes, vocab_size: int | None = None) -> dict[str, int]:
    """The shared Marian vocabulary: ``</s>`` 0, ``<unk>`` 1, source then target pieces, ``<pad>`` last.

    With ``vocab_size``, unused placeholder pieces are added before ``<pad>`` to reach exactly that
    size (to give a random model opus-mt's exact shape).
    """
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for blob in (source, target):
        processor = spm.SentencePieceProcessor(model_proto=blob)
        for index in range(processor.get_piece_size()):
            if processor.is_control(index) or processor.is_unknown(index):
                continue
            vocab.setdefault(processor.id_to_piece(index), len(vocab))
    if vocab_size is not None:
        if vocab_size < len(vocab) + 1:
            raise ValueError(f"vocab_size {vocab_size} is smaller than the {len(vocab) + 1} pieces needed")
        for filler in range(vocab_size - len(vocab) - 1):
            vocab[f"<unused{filler}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    return vocab


def build_marian(
    out_dir: str | Path,
    *,
    d_model: int = 32,
    layers: int = 1,
    heads: int = 2,
    ffn: int = 64,
    vocab_size: int | None = None,
    spm_vocab_size: int = 1000,
    seed: int = 0,
    activation: str = "swish",
    max_positions: int = 512,
    byte_fallback: bool = False,
) -> Path:
    """Write a randomly initialised MarianMT model with trained tokenizers to ``out_dir``.

    The layout is opus-mt's: config.json, model.safetensors, generation_config.json, source.spm,
    target.spm, vocab.json, tokenizer_config.json. ``vocab_size`` pads the shared vocabulary to an
    exact size (53,685 for opus-mt-vi-en); by default it is as large as the two tokenizers need.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = train_spm(vietnamese_text(), spm_vocab_size, byte_fallback=byte_fallback)
    target = train_spm(english_text(), spm_vocab_size, byte_fallback=byte_fallback)
    vocab = marian_vocab(source, target, vocab_size)
    (out / "source.spm").write_bytes(source)
    (out / "target.spm").write_bytes(target)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=2), encoding="utf-8")

    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        activation_function=activation,
        max_position_embeddings=max_positions,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        dropout=0.1,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    # opus-mt's generation settings: never produce <pad>; beam 4.
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],
        bos_token_id=0,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad,
        max_length=max_positions,
        num_beams=4,
        renormalize_logits=True,
    )
    model.save_pretrained(out, safe_serialization=True)
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang="vi",
        target_lang="en",
    )
    tokenizer.save_pretrained(out)
    return out


#: opus-mt-vi-en's shared vocabulary size.
OPUS_MT_VI_EN_VOCAB = 53685


def build_opus_mt_shape(directory: Path, *, seed: int = 0) -> Path:
    """A random MarianMT of exactly Helsinki-NLP/opus-mt-vi-en's shape (6+6 layers, d_model 512, 8
    heads, FFN 2048, swish, its vocabulary size): the model the benchmarks time in place of the real one."""
    return build_marian(
        directory,
        d_model=512,
        layers=6,
        heads=8,
        ffn=2048,
        vocab_size=OPUS_MT_VI_EN_VOCAB,
        activation="swish",
        seed=seed,
    )
