"""The translation engine: loading MarianMT models and translating requests."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import torch
from songngu_process import run_songngu
from transformers import MarianMTModel, MarianTokenizer

from songngu.errors import InputError
from songngu.translate.constraints import TermConstraint
from songngu.translate.engine import DOWNLOAD_HINT, Translation, TranslationRequest, Translator
from songngu.translate.phrase import contains_phrase


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


ROOT = Path(__file__).resolve().parent.parent

# A small glossary of the seed articles: Vietnamese term -> acceptable English renderings.
SEED_TERMS = {
    "Uỷ ban liên Chính phủ ASEAN về Nhân quyền (AICHR)": (
        "ASEAN Intergovernmental Commission on Human Rights (AICHR)",
    ),
    "Ủy ban liên Chính phủ ASEAN về nhân quyền (AICHR)": (
        "ASEAN Intergovernmental Commission on Human Rights (AICHR)",
    ),
    "Ban Thư ký ASEAN": ("ASEAN Secretariat",),
    "quyền con người": ("human rights",),
    "Bộ Ngoại giao": ("Ministry of Foreign Affairs",),
    "Thứ trưởng Ngoại giao": ("Deputy Minister of Foreign Affairs",),
    "Chương trình Phát triển Liên hiệp quốc": ("United Nations Development Programme",),
    "Cơ chế Rà soát định kỳ phổ quát (UPR)": ("Universal Periodic Review (UPR)",),
    "Việt Nam": ("Viet Nam", "Vietnam"),
    "AICHR": ("AICHR",),
    "ASEAN": ("ASEAN",),
}


def seed_requests(limit: int = 12) -> list[TranslationRequest]:
    """Seed sentences with two or three glossary terms, each term a constraint (longest match first)."""
    requests = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", path.read_text(encoding="utf-8")):
            remaining, found = sentence, []
            for vi in sorted(SEED_TERMS, key=len, reverse=True):
                if vi in remaining:
                    found.append(TermConstraint(SEED_TERMS[vi]))
                    remaining = remaining.replace(vi, " ")
            if 2 <= len(found) <= 3 and len(sentence) < 220:
                requests.append(TranslationRequest(sentence.strip(), tuple(found)))
    return requests[:limit]


# Every precision that runs on CPU: the guarantees below must hold at each.
CPU_PRECISIONS = ("fp32", "int8", "bf16")


@pytest.fixture(scope="module", params=CPU_PRECISIONS)
def translator(tiny_model_dir: Path, request: pytest.FixtureRequest) -> Translator:
    loaded = Translator.load(str(tiny_model_dir), device="cpu", precision=request.param)
    assert loaded.precision.value == request.param
    return loaded


def assert_guaranteed(request: TranslationRequest, result: Translation) -> None:
    assert not result.violated
    assert result.met == (True,) * len(request.constraints)
    for constraint in request.constraints:
        assert any(contains_phrase(result.text, alt) for alt in constraint.alternatives)
    for forbidden in request.forbidden:
        assert not contains_phrase(result.text, forbidden)


def test_load_from_directory_gives_checksum_revision(translator: Translator, tiny_model_dir: Path) -> None:
    assert translator.device == "cpu"
    assert translator.model_id == str(tiny_model_dir)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", translator.revision)
    assert (
        Translator.load(str(tiny_model_dir), device="cpu", precision="fp32").revision == translator.revision
    )


def test_all_constraints_met_on_seed_sentences(translator: Translator) -> None:
    requests = seed_requests()
    assert len(requests) >= 6 and any(len(r.constraints) == 3 for r in requests)
    results = translator.translate(requests, max_length=64, batch_size=4)
    for request, result in zip(requests, results, strict=True):
        assert_guaranteed(request, result)
        assert "(AICHR) (AICHR)" not in result.text


def test_all_constraints_met_on_unseen_sentences(translator: Translator) -> None:
    flores = ROOT / "data" / "flores200"
    vietnamese = flores.joinpath("vie_Latn.devtest").read_text(encoding="utf-8").splitlines()[500:506]
    english = flores.joinpath("eng_Latn.devtest").read_text(encoding="utf-8").splitlines()[500:506]
    requests = [
        TranslationRequest(vi, tuple(TermConstraint((word,)) for word in en.split()[1:4:2]))
        for vi, en in zip(vietnamese, english, strict=True)
    ]
    for request, result in zip(requests, translator.translate(requests, max_length=48), strict=True):
        assert_guaranteed(request, result)


def test_either_alternative_satisfies(translator: Translator) -> None:
    source = "Việt Nam tham dự cuộc họp."
    both = TranslationRequest(source, (TermConstraint(("Viet Nam", "Vietnam")),))
    only_second = TranslationRequest(
        source, (TermConstraint(("Viet Nam", "Vietnam")),), forbidden=("Viet Nam",)
    )
    first, second = translator.translate([both, only_second], max_length=32)
    assert_guaranteed(both, first)
    assert_guaranteed(only_second, second)
    assert "Vietnam" in second.text


def test_negative_constraint_removes_the_unconstrained_first_word(translator: Translator) -> None:
    source = "Hội thảo có sự tham dự của hơn 60 đại biểu."
    (plain,) = translator.translate([TranslationRequest(source)], max_length=24)
    first_word = plain.text.split()[0]
    request = TranslationRequest(source, forbidden=(first_word,))
    (result,) = translator.translate([request], max_length=24)
    assert first_word not in result.text and not result.violated


def test_unreachable_constraint_falls_back_to_the_unconstrained_translation(translator: Translator) -> None:
    term = "ASEAN Intergovernmental Commission on Human Rights (AICHR)"
    request = TranslationRequest(
        "Cuộc họp của AICHR.", (TermConstraint((term,)), TermConstraint(("meeting",)))
    )
    (result,) = translator.translate([request], max_length=12)
    (plain,) = translator.translate([TranslationRequest(request.source)], max_length=12)
    assert result.violated and result.text == plain.text == result.unconstrained
    assert result.met[0] is False


def test_unencodable_constraint_is_flagged_up_front(translator: Translator) -> None:
    request = TranslationRequest("Xin chào.", (TermConstraint(("漢字",)),))
    (result,) = translator.translate([request], max_length=16)
    assert result.violated and result.met == (False,) and result.unconstrained == result.text


def test_with_unconstrained_reports_what_the_glossary_changed(translator: Translator) -> None:
    requests = [*seed_requests(3), TranslationRequest("Xin chào.")]
    results = translator.translate(requests, max_length=48, with_unconstrained=True)
    plain = translator.translate([TranslationRequest(r.source) for r in requests], max_length=48)
    assert [r.unconstrained for r in results[:3]] == [p.text for p in plain[:3]]
    assert results[3].unconstrained is None and results[3].text == plain[3].text


def test_deterministic(translator: Translator) -> None:
    # The same call twice is the same computation (shapes, kernels, thread count): the same bits.
    # Other batch sizes are not the same arithmetic (padding, rows per product), so a sentence's
    # numbers there are compared up to rounding, in test_decoding.py; the guarantees hold at any.
    requests = seed_requests(8)
    once = translator.translate(requests, max_length=48, batch_size=8)
    assert translator.translate(requests, max_length=48, batch_size=8) == once
    for request, result in zip(
        requests, translator.translate(requests, max_length=48, batch_size=1), strict=True
    ):
        assert_guaranteed(request, result)


def test_missing_hub_model_is_one_line_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # never touch the network from a test
    model = "songngu-tests/no-such-model"  # owner/name, and no songngu-tests folder here: a hub id
    with pytest.raises(InputError) as error:
        Translator.load(model, device="cpu")
    message = str(error.value)
    assert "\n" not in message and model in message and "--model" in message and "hf download" in message


@pytest.mark.parametrize(
    "model",
    ["/no/such/dir", "./no-such-model", "../no-such-model", "~/no-such-model", "a/b/c", "models/opus-mt"],
)
def test_a_path_that_names_no_directory_says_so_not_download_it(
    model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "models/opus-mt" has the shape of a hub id (owner/name), but models/ is a folder here: a path.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError) as error:
        Translator.load(model, device="cpu")
    assert str(error.value) == f"{model}: no such directory; --model takes a MarianMT directory or a hub id"


def test_a_mistyped_model_directory_gets_the_near_one(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "opus-mt-vi-en").symlink_to(tiny_model_dir)
    (tmp_path / "notes.txt").write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        Translator.load("models/opus-mt-vi-em", device="cpu")
    assert str(error.value) == "models/opus-mt-vi-em: no such directory; did you mean models/opus-mt-vi-en?"
    with pytest.raises(InputError, match=r"^notes.txt: not a directory; --model takes a MarianMT"):
        Translator.load("notes.txt", device="cpu")
    assert Translator.load("models/opus-mt-vi-en", device="cpu").model_id == "models/opus-mt-vi-en"


def test_bin_only_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(InputError, match="safetensors"):
        Translator.load(str(tmp_path), device="cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_requested_without_cuda_is_input_error(tiny_model_dir: Path) -> None:
    with pytest.raises(InputError, match="CUDA"):
        Translator.load(str(tiny_model_dir), device="cuda")


def test_forbidden_word_does_not_block_a_required_term_that_extends_it(translator: Translator) -> None:
    # "...Program" is forbidden as a word, and its tokens are a prefix of nothing required here, but
    # as text it is a prefix of the required "...Programme (UNDP)": whole words keep them apart.
    required = "United Nations Development Programme (UNDP)"
    request = TranslationRequest(
        "Chương trình Phát triển Liên hợp quốc (UNDP) tổ chức hội thảo.",
        (TermConstraint((required,)),),
        ("United Nations Development Program",),
    )
    result = translator.translate([request], max_length=64)[0]
    assert_guaranteed(request, result)
    assert required in result.text


def test_forbidden_word_may_begin_a_longer_word(translator: Translator) -> None:
    # In the target vocabulary "Viet" is a token prefix of "Vietnam" (▁V i et | n am): after the
    # forbidden word the search must continue it, never end it there.
    request = TranslationRequest("Việt Nam hợp tác với ASEAN.", (TermConstraint(("Vietnam",)),), ("Viet",))
    result = translator.translate([request], max_length=48)[0]
    assert_guaranteed(request, result)
    assert "Vietnam" in result.text and not contains_phrase(result.text, "Viet")


def test_terms_are_never_glued_to_a_following_word(translator: Translator) -> None:
    requests = [
        TranslationRequest(f"Đại diện {vi} phát biểu tại hội thảo.", (TermConstraint((en,)),))
        for vi, en in (("Việt Nam", "Viet Nam"), ("Việt Nam", "Viet"), ("UNDP", "UNDP"), ("IOM", "IOM"))
    ]
    for request, result in zip(requests, translator.translate(requests, max_length=48), strict=True):
        assert_guaranteed(request, result)
        term = request.constraints[0].alternatives[0]
        assert contains_phrase(result.text, term), (term, result.text)


def refused_endpoint() -> str:
    """A local URL nothing listens on: connections are refused at once, the network is never used."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HF_HUB_OFFLINE": "1"}, "not in the local cache (offline)"),
        ({"HF_HUB_OFFLINE": None, "HF_ENDPOINT": ""}, "not in the local cache and cannot be downloaded"),
    ],
    ids=["offline", "unreachable"],
)
def test_hub_model_neither_cached_nor_reachable_is_one_line(
    env: dict[str, str | None], message: str, tmp_path: Path
) -> None:
    # A fresh process: huggingface_hub reads HF_ENDPOINT and HF_HUB_CACHE when it is imported.
    environment = {**env, "HF_HUB_CACHE": str(tmp_path / "cache"), "HF_HOME": str(tmp_path / "hf")}
    if environment.get("HF_ENDPOINT") == "":
        environment["HF_ENDPOINT"] = refused_endpoint()
    (tmp_path / "bai.txt").write_text("Xin chào.\n", encoding="utf-8")
    model = "songngu-tests/no-such-model"
    args = ["translate", "bai.txt", "--model", model, "--out", "out"]
    done = run_songngu(args, cwd=tmp_path, env=environment)
    assert done.returncode == 2
    hint = DOWNLOAD_HINT.format(model=model)
    assert done.stderr.splitlines() == [f"songngu: {model}: model {message}; {hint}"]
    assert not list(tmp_path.glob("out/bai.*"))  # nothing written
