"""Model precision: int8 layers, what ``auto`` picks, the fp16 overflow check, and what a run records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import polib
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from msgfmt import msgfmt_check
from transformers import MarianMTModel, MarianTokenizer

from songngu.errors import InputError
from songngu.translate import precision as precision_module
from songngu.translate.cli import main
from songngu.translate.engine import PROBE_SENTENCES, Translator
from songngu.translate.formats.jsonl import JsonlFormat
from songngu.translate.precision import (
    ACTIVATION_LEVELS,
    Int8Kernel,
    Int8Linear,
    Precision,
    PrecisionError,
    apply_precision,
    convert,
    default_int8_kernel,
    half_overflows,
    resolve,
)

ROOT = Path(__file__).resolve().parent.parent


def test_int8_linear_is_close_to_the_float_layer() -> None:
    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 48)
    x = torch.randn(5, 7, 64)
    expected = linear(x).detach()
    found = Int8Linear.from_linear(linear)(x)
    assert found.shape == expected.shape and found.dtype == torch.float32
    # Two roundings to 1/254 of each operand's range: the error is a small share of the output's.
    assert (found - expected).abs().max() < 0.02 * expected.abs().max()
    assert torch.equal(linear.weight, linear.weight)  # the float layer is left alone


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 9), st.integers(0, 8), st.integers(0, 2**16))
def test_int8_rows_do_not_depend_on_the_rest_of_the_batch(rows: int, pick: int, seed: int) -> None:
    # Activations are quantised per row, so a sentence's numbers never depend on its batch.
    generator = torch.Generator().manual_seed(seed)
    layer = Int8Linear(torch.randn(24, 16, generator=generator), torch.randn(24, generator=generator))
    x = torch.randn(rows, 16, generator=generator) * torch.rand(rows, 1, generator=generator) * 10
    row = pick % rows
    assert torch.equal(layer(x)[row], layer(x[row : row + 1])[0])


def test_concatenated_int8_layers_compute_exactly_their_parts() -> None:
    # Weights are quantised per output channel and activations per row: fusing q, k and v (as the
    # decoder step does) changes no number.
    generator = torch.Generator().manual_seed(2)
    parts = [
        Int8Linear(torch.randn(n, 16, generator=generator), torch.randn(n, generator=generator))
        for n in (8, 5, 8)
    ]
    parts.append(Int8Linear(torch.randn(3, 16, generator=generator), None))
    whole = Int8Linear.concatenate(parts)
    x = torch.randn(4, 16, generator=generator)
    assert torch.equal(whole(x), torch.cat([part(x) for part in parts], dim=1))
    with pytest.raises(ValueError, match="same input size"):
        Int8Linear.concatenate([parts[0], Int8Linear(torch.randn(2, 4), None)])


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 70),
    inputs=st.integers(1, 80),
    outputs=st.integers(1, 40),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_both_int8_kernels_give_the_same_bits(
    rows: int, inputs: int, outputs: int, bias: bool, seed: int
) -> None:
    # fbgemm and torch._int_mm compute the same integer products, and the rescaling is the same
    # float operations: the CPU's kernel never changes a number.
    generator = torch.Generator().manual_seed(seed)
    weight = torch.randn(outputs, inputs, generator=generator)
    shift = torch.randn(outputs, generator=generator) if bias else None
    x = torch.randn(rows, inputs, generator=generator) * torch.rand(rows, 1, generator=generator) * 50
    fbgemm = Int8Linear(weight, shift, Int8Kernel.FBGEMM)
    int_mm = Int8Linear(weight, shift, Int8Kernel.INT_MM)
    assert torch.equal(fbgemm(x), int_mm(x))
    products, out = torch.empty(rows, outputs, dtype=torch.int32), torch.empty(rows, outputs)
    assert torch.equal(int_mm.project_into(x, products, out), fbgemm.project_into(x, products, out))


def test_int8_products_are_exact_at_the_extremes() -> None:
    # Every activation at +63 (fbgemm shifts it to 127 unsigned) against weights at ±127: the
    # largest pairwise sums a CPU without VNNI forms in 16 bits. With 8-bit activations fbgemm's
    # AVX2 kernel saturated here (measured); the float64 reference is exact for these sizes.
    inputs = 2048
    weight = torch.ones(4, inputs)
    weight[1] = -1.0
    weight[2, ::2] = -1.0
    weight[3, 1::2] = 0.5  # rounds to 64 of 127
    x = torch.ones(3, inputs)
    x[1] = -1.0
    x[2, 1::3] = -1.0
    q_x = torch.round(x / (x.abs().amax(1, keepdim=True) / ACTIVATION_LEVELS))
    scale = weight.abs().amax(1) / 127
    q_w = torch.round(weight / scale[:, None])
    exact = (q_x.double() @ q_w.double().t()).float() * scale * (x.abs().amax(1, keepdim=True) / 63)
    for kernel in Int8Kernel:
        assert torch.equal(Int8Linear(weight, None, kernel)(x), exact), kernel


def test_the_int8_kernel_follows_the_cpu_and_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SONGNGU_INT8_KERNEL", raising=False)
    assert "avx512_vnni" in precision_module.cpu_capability()  # torch's probe answers (x86)
    monkeypatch.setattr(precision_module, "cpu_capability", lambda: {"avx2": True, "avx512_vnni": False})
    assert precision_module.fbgemm_available()  # every x86 build of torch has it
    assert default_int8_kernel() is Int8Kernel.FBGEMM  # torch._int_mm is a plain loop there
    for flag in ("avx512_vnni", "amx_int8"):
        monkeypatch.setattr(precision_module, "cpu_capability", lambda flag=flag: {flag: True})
        assert default_int8_kernel() is Int8Kernel.INT_MM
    monkeypatch.setattr(precision_module, "cpu_capability", dict)  # torch's probe is gone
    assert default_int8_kernel() is Int8Kernel.FBGEMM
    monkeypatch.setattr(precision_module, "fbgemm_available", lambda: False)  # ARM, or ops removed
    assert default_int8_kernel() is Int8Kernel.INT_MM
    monkeypatch.setenv("SONGNGU_INT8_KERNEL", "int_mm")
    assert default_int8_kernel() is Int8Kernel.INT_MM
    assert Int8Linear(torch.randn(3, 4), None).kernel is Int8Kernel.INT_MM
    monkeypatch.setenv("SONGNGU_INT8_KERNEL", "vnni")
    with pytest.raises(PrecisionError, match="SONGNGU_INT8_KERNEL=vnni: unknown; use int_mm, fbgemm"):
        default_int8_kernel()


def test_fbgemm_packing_keeps_torchs_deprecation_off_stderr(tiny_model_dir: Path) -> None:
    # fbgemm takes its weights as a torch.qint8 tensor, which torch warns about on creation.
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer = Int8Linear.from_linear(model.get_output_embeddings(), Int8Kernel.FBGEMM)
        Int8Linear.concatenate([layer, layer]).select_outputs(torch.tensor([0, 5]))


def test_int8_quantises_every_linear_layer_including_the_output_projection(tiny_model_dir: Path) -> None:
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    embeddings = model.get_input_embeddings().weight.detach().clone()
    linears = sum(isinstance(m, torch.nn.Linear) for m in model.modules())
    apply_precision(model, Precision.INT8)
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())
    assert sum(isinstance(m, Int8Linear) for m in model.modules()) == linears
    assert isinstance(model.get_output_embeddings(), Int8Linear)
    assert model.get_output_embeddings().out_features == model.config.vocab_size
    # The embeddings the output layer was tied to stay float32 and unchanged.
    assert torch.equal(model.get_input_embeddings().weight, embeddings)


def test_auto_is_int8_on_cpu_and_fp16_on_cuda() -> None:
    assert resolve("auto", "cpu") is Precision.INT8
    assert resolve("auto", "cuda") is Precision.FP16
    assert resolve("auto", "cuda:1") is Precision.FP16
    for explicit in ("fp32", "int8", "fp16", "bf16"):
        assert resolve(explicit, "cpu") is Precision(explicit)


@pytest.mark.parametrize(("precision", "dtype"), [("fp16", torch.float16), ("bf16", torch.bfloat16)])
def test_half_precisions_convert_every_weight(tiny_model_dir: Path, precision: str, dtype) -> None:
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    apply_precision(model, Precision(precision))
    assert {p.dtype for p in model.parameters()} == {dtype}


def overflowing_model(tiny_model_dir: Path) -> MarianMTModel:
    """The tiny model with its first FFN blown up so that fp16 (max 65,504) overflows but fp32 does not."""
    model = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    with torch.no_grad():
        model.model.encoder.layers[0].fc1.weight.mul_(1e7)
    return model


def probe(tiny_model_dir: Path) -> dict[str, torch.Tensor]:
    tokenizer = MarianTokenizer.from_pretrained(tiny_model_dir)
    return dict(tokenizer(list(PROBE_SENTENCES), return_tensors="pt", padding=True))


def test_fp16_overflow_is_detected_and_auto_falls_back(tiny_model_dir: Path) -> None:
    # The rule is device-independent and is run here on CPU tensors: CUDA's "auto" picks fp16,
    # keeps it when the probe stays finite, and otherwise takes bf16 where the GPU has it (not
    # here: no CUDA) or fp32.
    batch = probe(tiny_model_dir)
    sane = MarianMTModel.from_pretrained(tiny_model_dir, use_safetensors=True).eval()
    model, chosen = convert(sane, Precision.AUTO, "cuda", batch)
    assert chosen is Precision.FP16 and next(model.parameters()).dtype == torch.float16

    broken = overflowing_model(tiny_model_dir)
    assert not half_overflows(broken, batch["input_ids"], batch["attention_mask"])  # fine in fp32
    assert half_overflows(
        apply_precision(overflowing_model(tiny_model_dir), Precision.FP16),
        batch["input_ids"],
        batch["attention_mask"],
    )
    model, chosen = convert(broken, Precision.AUTO, "cuda", batch)
    assert chosen is Precision.FP32 and next(model.parameters()).dtype == torch.float32
    with pytest.raises(PrecisionError, match="overflows in fp16"):
        convert(overflowing_model(tiny_model_dir), Precision.FP16, "cuda", batch)


def test_int8_on_cuda_is_refused_in_one_line() -> None:
    # The check looks at where the weights are, so a model that is really on CUDA is not needed to
    # test the message; the engine turns it into an InputError (exit 2).
    model = torch.nn.Sequential(torch.nn.Linear(2, 2))
    model.to("meta")
    with pytest.raises(PrecisionError, match="CPU only"):
        apply_precision(model, Precision.INT8)


def test_unknown_precision_is_refused(tiny_model_dir: Path) -> None:
    with pytest.raises(InputError, match="--precision int4: unknown; use auto, fp32, int8, fp16, bf16"):
        Translator.load(str(tiny_model_dir), device="cpu", precision="int4")


def test_run_records_the_precision_in_jsonl_and_po(tiny_model_dir: Path, tmp_path: Path) -> None:
    article = tmp_path / "bai.txt"
    article.write_text("Việt Nam tham dự cuộc họp của ASEAN.\n", encoding="utf-8")
    for precision, recorded in (("int8", "int8"), ("auto", "int8"), ("bf16", "bf16")):
        out = tmp_path / precision
        args = ["translate", str(article), "--out", str(out), "--model", str(tiny_model_dir)]
        assert main([*args, "--max-length", "32", "--precision", precision]) == 0
        run = JsonlFormat().read(out / "bai.jsonl").run
        assert run is not None and run.precision == recorded
        first = json.loads((out / "bai.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert first["run"]["precision"] == recorded
        msgfmt_check(out / "bai.po")
        assert polib.pofile(str(out / "bai.po")).metadata["X-Songngu-Precision"] == recorded


def test_records_written_before_the_field_existed_read_as_fp32() -> None:
    old = '{"run": {"tool_version": "0.1.0", "model": "m", "model_revision": "sha256:0", "glossary": null, '
    old += '"glossary_checksum": null, "beam": 4, "max_length": 256, "batch_size": 16, "device": "cpu", '
    old += '"run_id": "r"}}\n'
    article = JsonlFormat().parse(old)
    assert article.run is not None and article.run.precision == "fp32" and article.results == []


def test_a_run_writes_nothing_but_its_summary_to_stderr(tiny_model_dir: Path, tmp_path: Path) -> None:
    # A fresh process, so that every import happens inside the run: transformers imports torchao
    # when it is installed, and neither may print warnings to the user.
    article = tmp_path / "bai.txt"
    article.write_text("Hội thảo có sự tham dự của hơn 60 đại biểu.\n", encoding="utf-8")
    command = [sys.executable, "-m", "songngu", "translate", str(article), "--out", str(tmp_path / "out")]
    command += ["--model", str(tiny_model_dir), "--max-length", "16"]
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{article}: 1 segments"), done.stderr


def test_fp16_refusal_is_one_line_input_error(tiny_model_dir: Path, tmp_path: Path) -> None:
    broken = overflowing_model(tiny_model_dir)
    directory = tmp_path / "broken"
    broken.save_pretrained(directory, safe_serialization=True)
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        (directory / name).write_bytes((tiny_model_dir / name).read_bytes())
    with pytest.raises(InputError) as error:
        Translator.load(str(directory), device="cpu", precision="fp16")
    assert "\n" not in str(error.value) and "bf16 or fp32" in str(error.value)
