"""The translation engine: loading MarianMT models and translating requests."""

from __future__ import annotations

from pathlib import Path

from transformers import MarianMTModel, MarianTokenizer


def test_tiny_model_directory_loads_with_transformers(tiny_model_dir: Path) -> None:
    names = {path.name for path in tiny_model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "source.spm", "target.spm", "vocab.json"} <= names
    tokenizer = MarianTokenizer.from_pretrained(tiny_model_dir)
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True)
    assert tokenizer.convert_ids_to_tokens([0, 1]) == ["</s>", "<unk>"]
    assert tokenizer.pad_token_id == len(tokenizer.get_vocab()) - 1 == model.config.decoder_start_token_id
    ids = tokenizer(text_target=["Viet Nam"]).input_ids[0]
    assert tokenizer.unk_token_id not in ids
    assert tokenizer.decode(ids, skip_special_tokens=True) == "Viet Nam"
