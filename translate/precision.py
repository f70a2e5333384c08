"""Numeric precision of the model: fp32, int8 (CPU), fp16 and bf16 (GPU), and what ``auto`` picks.

The search in :mod:`translate.decoding` is the same at every precision: it takes the output layer's
logits in float32 (log-softmax, scores, constraint bookkeeping are never reduced), so the
constraints are guaranteed exactly as at fp32; only the model's own arithmetic changes.

Decisions:

- ``auto`` is int8 on CPU and fp16 on CUDA. fp16 has a narrow range (±65,504): before settling on it
  the model is run once in fp16 on a probe batch; if an activation or logit overflows (inf/NaN), it
  is bf16 where the GPU supports it (``torch.cuda.is_bf16_supported()``: Ampere and later), fp32
  otherwise. The probe is the same function for an explicit ``--precision fp16``, which then fails
  with one line instead of translating into NaNs.
- int8 is dynamic quantisation of every ``nn.Linear``, the output projection (``lm_head``, tied to
  the embeddings in opus-mt) included: weights symmetric per output channel, quantised once at
  load; activations symmetric per row, quantised at each call; the product int8×int8→int32 by
  ``torch._int_mm`` (oneDNN: AMX or VNNI where the CPU has them), rescaled to float32. This is
  the scheme and the kernel of torchao's ``Int8DynamicActivationInt8WeightConfig`` on CPU, without
  its tensor-subclass dispatch, which at decoding sizes (tens of rows per step) costs more than the
  matrix product itself unless the model goes through ``torch.compile``. ``torch.ao.quantization.
  quantize_dynamic`` is not used: torch 2.13 marks it deprecated (a ``DeprecationWarning`` on every
  call, "please migrate to torchao"). Embeddings, layer norms and attention softmax stay float32.
- bf16 and fp16 convert every weight (``model.to(dtype)``). bf16 works on CPU too (fast where the
  CPU has AMX or AVX512-BF16), fp16 on CPU is allowed but slow; neither is ``auto`` on CPU.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

import torch

if TYPE_CHECKING:
    from transformers import MarianMTModel

M = TypeVar("M", bound=torch.nn.Module)

__all__ = [
    "Int8Linear",
    "Precision",
    "PrecisionError",
    "apply_precision",
    "convert",
    "half_overflows",
    "quiet_model_stack",
    "resolve",
]


class Precision(StrEnum):
    """What ``--precision`` accepts (``songngu.translate.PRECISIONS``, in this order); every value but
    ``auto`` is what a run records."""

    AUTO = "auto"
    FP32 = "fp32"
    INT8 = "int8"
    FP16 = "fp16"
    BF16 = "bf16"


HALF_DTYPES = {Precision.FP16: torch.float16, Precision.BF16: torch.bfloat16}


class PrecisionError(ValueError):
    """A precision that cannot run on this device or model (the message is one line)."""


def quiet_model_stack() -> None:
    """Keep optional libraries' import-time chatter off the user's stderr.

    transformers imports torchao when it is installed; torchao logs a warning for every CUDA-only
    extension it cannot load and torch's pytree logs a deprecation for its enums. None of it
    concerns a MarianMT run; real errors still show (level ERROR).
    """
    for name in ("torchao", "torch.utils._pytree"):
        logging.getLogger(name).setLevel(logging.ERROR)


class Int8Linear(torch.nn.Module):
    """``nn.Linear`` with int8 weights (per output channel) and int8 dynamic activations (per row).

    ``y = (q(x) @ q(W)ᵀ) · s_x · s_W + b`` with ``q(v) = round(v / s)``, ``s = max|v| / 127``.
    Inputs and outputs are float32, of any leading shape.
    """

    qweight: torch.Tensor  # [out, in] int8
    scale: torch.Tensor  # [out] float32
    bias: torch.Tensor | None

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None) -> None:
        super().__init__()
        weight = weight.detach().float()
        self.out_features, self.in_features = weight.shape
        scale = weight.abs().amax(dim=1).clamp(min=1e-12) / 127.0
        # Stored [out, in]; _int_mm gets its transpose as a view: oneDNN's fast layout (measured).
        self.register_buffer("qweight", torch.round(weight / scale[:, None]).to(torch.int8))
        self.register_buffer("scale", scale)
        self.register_buffer("bias", None if bias is None else bias.detach().float().clone())

    @classmethod
    def from_linear(cls, linear: torch.nn.Linear) -> Int8Linear:
        """Quantise a float ``nn.Linear`` (its weights are copied, the original is left alone)."""
        return cls(linear.weight, linear.bias)

    @classmethod
    def _quantised(cls, qweight: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None) -> Int8Linear:
        """A layer from weights that are quantised already (no second rounding)."""
        layer = cls.__new__(cls)
        torch.nn.Module.__init__(layer)
        layer.out_features, layer.in_features = qweight.shape
        layer.register_buffer("qweight", qweight)
        layer.register_buffer("scale", scale)
        layer.register_buffer("bias", bias)
        return layer

    def select_outputs(self, ids: torch.Tensor) -> Int8Linear:
        """The layer for the output features ``ids`` only (already quantised: rows are copied)."""
        bias = None if self.bias is None else self.bias[ids]
        return Int8Linear._quantised(self.qweight[ids], self.scale[ids], bias)

    @classmethod
    def concatenate(cls, parts: list[Int8Linear]) -> Int8Linear:
        """One layer computing ``parts``' outputs side by side (e.g. query, key and value projections:
        one activation quantisation and one product instead of three). Weights are quantised per
        output channel, so this is exactly the parts' arithmetic."""
        if len({part.in_features for part in parts}) != 1:
            raise ValueError("only layers with the same input size can be concatenated")
        bias = None
        if any(part.bias is not None for part in parts):
            bias = torch.cat(
                [
                    part.scale.new_zeros(part.out_features) if part.bias is None else part.bias
                    for part in parts
                ]
            )
        qweight = torch.cat([part.qweight for part in parts])
        return cls._quantised(qweight, torch.cat([part.scale for part in parts]), bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        products, x_scale = self._products(x)
        # The rescale of project_into, in the same order (products × s_x, then × s_w, then + bias):
        # a shortlist's layer (forward) and the whole output layer (project_into) give the same bits.
        out = products.float().mul_(x_scale).mul_(self.scale)
        out = out if self.bias is None else out.add_(self.bias)
        return out if x.dim() == 2 else out.view(*x.shape[:-1], self.out_features)

    def project_into(self, x: torch.Tensor, products: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """``forward`` for a 2-D ``x``, with the int32 products and the float32 result written into
        ``products`` and ``out`` (``[rows, out_features]``, reused from step to step).

        For the vocabulary-wide output layer two fresh ``rows × vocab`` tensors per step cost more
        (allocation, first-touch page faults) than the rescaling itself.
        """
        products, x_scale = self._products(x, products)
        # copy_ converts in place; a mixed-dtype mul would allocate a converted temporary.
        out.copy_(products).mul_(x_scale).mul_(self.scale)
        return out if self.bias is None else out.add_(self.bias)

    def _products(
        self, x: torch.Tensor, products: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The int32 products ``q(x) @ q(W)ᵀ`` and the per-row activation scales ``s_x``."""
        rows = x if x.dim() == 2 else x.reshape(-1, self.in_features)
        rows = rows if rows.dtype == torch.float32 else rows.float()
        # Few operations: at decoding sizes each costs about as much as the int8 product itself.
        x_scale = rows.abs().amax(dim=1, keepdim=True).clamp_(min=1e-12).div_(127.0)
        quantised = rows.div(x_scale).round_().to(torch.int8)
        if products is None:
            return torch._int_mm(quantised, self.qweight.t()), x_scale
        return torch._int_mm(quantised, self.qweight.t(), out=products), x_scale

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, int8"


def resolve(requested: Precision | str, device: str) -> Precision:
    """The precision ``auto`` stands for on ``device`` (before the fp16 overflow probe); others as is."""
    precision = Precision(requested)
    if precision is not Precision.AUTO:
        return precision
    return Precision.FP16 if device.startswith("cuda") else Precision.INT8


def apply_precision(model: M, precision: Precision) -> M:
    """Convert a float32 model in place to ``precision`` (not ``auto``) and return it."""
    if precision is Precision.AUTO:
        raise ValueError("resolve auto before applying it")
    if precision is Precision.INT8:
        if next(model.parameters()).device.type != "cpu":
            raise PrecisionError("int8 runs on CPU only; use fp16 or bf16 on CUDA")
        _quantise_linears(model)
    elif precision in HALF_DTYPES:
        model.to(HALF_DTYPES[precision])
    return model


def _quantise_linears(module: torch.nn.Module) -> None:
    for name, child in list(module.named_children()):
        if isinstance(child, torch.nn.Linear):
            setattr(module, name, Int8Linear.from_linear(child))
        else:
            _quantise_linears(child)


def half_overflows(model: MarianMTModel, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> bool:
    """Whether a forward pass of ``model`` (already in half precision) on a probe batch (encoder and
    first decoder step) gives a non-finite value in any layer's output.

    Every module's output is checked, not only the logits: Marian's encoder layers clamp an fp16
    overflow back to ±65,504 themselves, which hides it from the output but not from the layer
    that overflowed.
    """
    overflowed = False

    def check(module: torch.nn.Module, args: object, output: object) -> None:
        nonlocal overflowed
        if isinstance(output, torch.Tensor) and output.is_floating_point():
            overflowed = overflowed or not bool(torch.isfinite(output).all())

    hooks = [module.register_forward_hook(check) for module in model.modules()]
    start = model.config.decoder_start_token_id
    decoder_input = torch.full((input_ids.shape[0], 1), start, dtype=torch.long, device=input_ids.device)
    try:
        with torch.inference_mode():
            model(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=decoder_input)
    finally:
        for hook in hooks:
            hook.remove()
    return overflowed


def convert(
    model: MarianMTModel, requested: Precision, device: str, probe: Mapping[str, torch.Tensor]
) -> tuple[MarianMTModel, Precision]:
    """The float32 ``model`` at the precision ``requested`` stands for on ``device``, and that precision.

    fp16 is checked on the ``probe`` batch (``input_ids``, ``attention_mask``) first; when it
    overflows, ``auto`` moves on to bf16 where the GPU has it, else fp32, and an explicit ``fp16``
    is refused (:class:`PrecisionError`).
    """
    precision = resolve(requested, device)
    if precision is not Precision.FP16:
        return apply_precision(model, precision), precision
    candidate = apply_precision(copy.deepcopy(model), Precision.FP16)
    if not half_overflows(candidate, probe["input_ids"], probe["attention_mask"]):
        return candidate, precision
    del candidate
    if requested is not Precision.AUTO:
        raise PrecisionError("this model overflows in fp16 (inf/NaN activations); use bf16 or fp32")
    bf16 = device.startswith("cuda") and torch.cuda.is_bf16_supported()
    fallback = Precision.BF16 if bf16 else Precision.FP32
    return apply_precision(model, fallback), fallback
