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
  the embeddings in opus-mt) included: weights symmetric per output channel (8 bits), quantised
  once at load; activations symmetric per row (7 bits, :class:`Int8Linear` says why), quantised at
  each call; the product int8×int8→int32, rescaled to float32. The product is
  ``torch._int_mm`` where it runs on oneDNN (CPUs with AVX-512 VNNI or AMX) and fbgemm's int8
  linear elsewhere (on AVX2 ``torch._int_mm`` is a plain loop); both compute the same integers,
  so the numbers do not depend on the CPU. This is the scheme of torchao's
  ``Int8DynamicActivationInt8WeightConfig`` on CPU, without its tensor-subclass dispatch, which at
  decoding sizes (tens of rows per step) costs more than the matrix product itself unless the
  model goes through ``torch.compile``. ``torch.ao.quantization.quantize_dynamic`` is not used:
  torch 2.13 marks it deprecated (a ``DeprecationWarning`` on every call, "please migrate to
  torchao"). Embeddings, layer norms and attention softmax stay float32.
- bf16 and fp16 convert every weight (``model.to(dtype)``). bf16 works on CPU too (fast where the
  CPU has AMX or AVX512-BF16), fp16 on CPU is allowed but slow; neither is ``auto`` on CPU.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import warnings
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

import torch

if TYPE_CHECKING:
    from transformers import MarianMTModel

M = TypeVar("M", bound=torch.nn.Module)

__all__ = [
    "ACTIVATION_LEVELS",
    "Int8Kernel",
    "Int8Linear",
    "Precision",
    "PrecisionError",
    "apply_precision",
    "convert",
    "cpu_capability",
    "default_int8_kernel",
    "fbgemm_available",
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


ACTIVATION_LEVELS = 63  # |q(x)| ≤ 63: 7-bit activations, so that every kernel's products are exact
WEIGHT_LEVELS = 127


class Int8Kernel(StrEnum):
    """Which int8×int8→int32 product :class:`Int8Linear` calls. Both compute the same integers, so
    the choice never changes a number, only the time."""

    INT_MM = "int_mm"  # torch._int_mm: oneDNN where the CPU has AVX-512 VNNI or AMX
    FBGEMM = "fbgemm"  # torch.ops.quantized (fbgemm): AVX2 and AVX-512 kernels


KERNEL_VARIABLE = "SONGNGU_INT8_KERNEL"


def default_int8_kernel() -> Int8Kernel:
    """The int8 product for this CPU: ``int_mm`` where it runs on oneDNN (AVX-512 VNNI, AMX),
    ``fbgemm`` elsewhere (on an AVX2-only CPU ``torch._int_mm`` is a plain loop, 14× slower than a
    float32 product; measured); ``int_mm`` where torch has no fbgemm (e.g. ARM). The environment
    variable ``SONGNGU_INT8_KERNEL`` (``int_mm`` or ``fbgemm``) overrides, for A/B measurements."""
    override = os.environ.get(KERNEL_VARIABLE)
    if override:
        try:
            return Int8Kernel(override)
        except ValueError:
            raise PrecisionError(
                f"{KERNEL_VARIABLE}={override}: unknown; use {', '.join(k.value for k in Int8Kernel)}"
            ) from None
    if not fbgemm_available():
        return Int8Kernel.INT_MM
    capability = cpu_capability()
    if capability.get("avx512_vnni") or capability.get("amx_int8"):
        return Int8Kernel.INT_MM
    return Int8Kernel.FBGEMM


def fbgemm_available() -> bool:
    """Whether this torch has fbgemm and the quantized operations :class:`Int8Linear` calls (torch
    deprecates the quantized dtypes they take: a release without them falls back to ``_int_mm``)."""
    if "fbgemm" not in torch.backends.quantized.supported_engines:
        return False
    try:
        torch.ops.quantized.linear_prepack  # noqa: B018  (resolving the name checks the op exists)
        torch.ops.quantized.linear_with_input_q_dq_qweight_dq_output_fp32  # noqa: B018
    except (AttributeError, RuntimeError):
        return False
    return hasattr(torch, "_make_per_channel_quantized_tensor")


def cpu_capability() -> dict[str, object]:
    """torch's view of the CPU: instruction sets (``avx2``, ``avx512_vnni``, ``amx_int8``, ...) and
    ``cpu_name``. It comes from a private torch function: empty if that is gone."""
    probe = getattr(getattr(torch._C, "_cpu", None), "_get_cpu_capability", None)
    if probe is None:
        return {}
    found = probe()
    return found if isinstance(found, dict) else {}


_PACKING = threading.Lock()


def _fbgemm_pack(qweight: torch.Tensor, scale: torch.Tensor) -> torch.ScriptObject:
    """fbgemm's prepacked form of int8 weights ``[out, in]`` with their per-channel scales.

    fbgemm takes its weights as a quantized tensor (``torch.qint8``), a dtype torch deprecates: the
    warning it raises on creation concerns this one internal step, not the user, and is kept off
    their stderr. The lock keeps ``catch_warnings`` (process-wide state) from racing another thread.
    """
    channels = qweight.shape[0]
    with _PACKING, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*quantized tensor creation functions.*deprecated")
        quantised = torch._make_per_channel_quantized_tensor(
            qweight, scale.double(), torch.zeros(channels, dtype=torch.long), 0
        )
        packed: torch.ScriptObject = torch.ops.quantized.linear_prepack(quantised, None)
    return packed


class Int8Linear(torch.nn.Module):
    """``nn.Linear`` with int8 weights (per output channel) and int8 dynamic activations (per row).

    ``y = ((q(x) @ q(W)ᵀ) · s_W) · s_x + b`` with ``q(v) = round(v / s)``: ``s_W = max|W_c| / 127``
    per output channel, ``s_x = max|x_r| / 63`` per row. Inputs and outputs are float32, of any
    leading shape. The product is exact int32 arithmetic whichever kernel computes it
    (:func:`default_int8_kernel`), and the rescaling is the same float32 operations in the same
    order, so a layer gives the same bits on every CPU and with either kernel (tested).

    Why activations have 7 bits: CPUs without VNNI multiply unsigned by signed bytes pairwise into
    a saturating 16-bit sum (``vpmaddubsw``); fbgemm shifts activations by the zero point to make
    them unsigned, and with 8 bits two products of 255 × 127 overflow it. With ``|q(x)| ≤ 63``
    (shifted: at most 127) no sum can, so every kernel is exact. PyTorch's own x86 dynamic
    quantisation keeps activations to 7 bits (``reduce_range``) for the same reason.
    """

    qweight: torch.Tensor  # [out, in] int8
    scale: torch.Tensor  # [out] float32
    bias: torch.Tensor | None

    def __init__(
        self, weight: torch.Tensor, bias: torch.Tensor | None, kernel: Int8Kernel | None = None
    ) -> None:
        super().__init__()
        weight = weight.detach().float()
        scale = weight.abs().amax(dim=1).clamp(min=1e-12) / WEIGHT_LEVELS
        qweight = torch.round(weight / scale[:, None]).to(torch.int8)
        self._setup(qweight, scale, None if bias is None else bias.detach().float().clone(), kernel)

    def _setup(
        self,
        qweight: torch.Tensor,
        scale: torch.Tensor,
        bias: torch.Tensor | None,
        kernel: Int8Kernel | None,
    ) -> None:
        self.out_features, self.in_features = qweight.shape
        # Stored [out, in]; _int_mm gets its transpose as a view: oneDNN's fast layout (measured).
        self.register_buffer("qweight", qweight)
        self.register_buffer("scale", scale)
        self.register_buffer("bias", bias)
        self.kernel = default_int8_kernel() if kernel is None else kernel
        self._packed = _fbgemm_pack(qweight, scale) if self.kernel is Int8Kernel.FBGEMM else None

    @classmethod
    def from_linear(cls, linear: torch.nn.Linear, kernel: Int8Kernel | None = None) -> Int8Linear:
        """Quantise a float ``nn.Linear`` (its weights are copied, the original is left alone)."""
        return cls(linear.weight, linear.bias, kernel)

    @classmethod
    def _quantised(
        cls,
        qweight: torch.Tensor,
        scale: torch.Tensor,
        bias: torch.Tensor | None,
        kernel: Int8Kernel | None,
    ) -> Int8Linear:
        """A layer from weights that are quantised already (no second rounding)."""
        layer = cls.__new__(cls)
        torch.nn.Module.__init__(layer)
        layer._setup(qweight, scale, bias, kernel)
        return layer

    def select_outputs(self, ids: torch.Tensor) -> Int8Linear:
        """The layer for the output features ``ids`` only (already quantised: rows are copied)."""
        bias = None if self.bias is None else self.bias[ids]
        return Int8Linear._quantised(self.qweight[ids], self.scale[ids], bias, self.kernel)

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
        return cls._quantised(qweight, torch.cat([part.scale for part in parts]), bias, parts[0].kernel)

    @property
    def writes_into(self) -> bool:
        """Whether :meth:`project_into` uses the buffers it is given (the ``int_mm`` kernel; fbgemm
        has no ``out=`` and returns a fresh tensor)."""
        return self.kernel is Int8Kernel.INT_MM

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x if x.dim() == 2 else x.reshape(-1, self.in_features)
        out = self._rescaled(rows)
        return out if x.dim() == 2 else out.view(*x.shape[:-1], self.out_features)

    def project_into(self, x: torch.Tensor, products: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """``forward`` for a 2-D ``x``; with the ``int_mm`` kernel the int32 products and the float32
        result are written into ``products`` and ``out`` (``[rows, out_features]``, reused from step
        to step), with fbgemm the result is a fresh tensor.

        For the vocabulary-wide output layer two fresh ``rows × vocab`` tensors per step cost more
        (allocation, first-touch page faults) than the rescaling itself.
        """
        return self._rescaled(x, products, out)

    def _rescaled(
        self, rows: torch.Tensor, products: torch.Tensor | None = None, out: torch.Tensor | None = None
    ) -> torch.Tensor:
        rows = rows if rows.dtype == torch.float32 else rows.float()
        # Few operations: at decoding sizes on a fast CPU each costs about as much as the product.
        # (abs + amax: linalg.vector_norm(inf) is one call but 8× slower on CPU, measured)
        x_scale = rows.abs().amax(dim=1, keepdim=True).clamp_(min=1e-12).div_(ACTIVATION_LEVELS)
        levels = rows.div(x_scale).round_()  # q(x), integers in [-63, 63], still float32
        if self._packed is not None:
            # fbgemm quantises its input itself: with scale 1 and zero point 64, integers stay exact.
            result: torch.Tensor = torch.ops.quantized.linear_with_input_q_dq_qweight_dq_output_fp32(
                levels, 1.0, ACTIVATION_LEVELS + 1, self._packed
            )  # float(products) · s_W
        else:
            quantised = levels.to(torch.int8)
            if products is None:
                result = torch.mul(torch._int_mm(quantised, self.qweight.t()), self.scale)
            else:
                torch._int_mm(quantised, self.qweight.t(), out=products)
                # copy_ converts in place; a mixed-dtype mul would allocate a converted temporary.
                result = out if out is not None else torch.empty_like(products, dtype=torch.float32)
                result.copy_(products).mul_(self.scale)
        result.mul_(x_scale)
        return result if self.bias is None else result.add_(self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, int8, {self.kernel}"


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
