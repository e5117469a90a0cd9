"""The ONNX query encoder embeds exactly as the torch model it was exported from, and the
query path of `agent generate` then runs without torch, transformers or langchain."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from demo_home import built_demo_home, subprocess_env
from retrieval.encoding.encoder import Encoder
from retrieval.encoding.onnx import MANIFEST, QUERY_ENCODER_ENV, OnnxEncoder, open_onnx_encoder
from retrieval.encoding.onnx_export import OnnxExportUnsupported, ensure_onnx, pooling_mode

pytestmark = pytest.mark.slow

TITLES = [
    "road trip", "Road Trip!!", "rainy sunday coding", "Housewarming Party", "xmas 🎄🎄", "🔥🔥🔥", "🎃",
    "케이팝", "J-POP 好き", "中文歌曲", "musique française", "música para correr", "ДОРОГА домой", "عربي",
    "हिंदी गाने", "שירים", "ελληνικά", "summer 17", "90s", "a", "  padded  title  ", "don't stop",
    "rock & roll", "chill-vibes", "workout\tmix", "THROWBACK THURSDAY", "sad girl hours", "beach vibes ☀️🌊",
    "study focus 📚", "wedding dance floor", "late night drive", "sunday brunch", "pregame", "gym",
    "my playlist " * 10, "longer than the limit " * 120, "ça va ça va", "naïve café", "ÅÄÖ", "ß",
]


def _worst_difference(torch_encoder: Encoder, onnx_encoder: OnnxEncoder, titles: list[str]) -> float:
    expected = torch_encoder.encode(titles)
    got = onnx_encoder.encode(titles)
    assert got.truncated == expected.truncated
    one_by_one = np.concatenate([onnx_encoder.encode([t]).vectors for t in titles])  # as queries arrive
    return float(max(np.abs(expected.vectors - got.vectors).max(), np.abs(expected.vectors - one_by_one).max()))


@pytest.fixture(scope="module")
def pretrained_onnx(encoder, tmp_path_factory) -> OnnxEncoder:
    return OnnxEncoder(ensure_onnx(encoder, tmp_path_factory.mktemp("onnx")))


def test_pretrained_onnx_matches_torch_within_1e_4(encoder, pretrained_onnx):
    assert _worst_difference(encoder, pretrained_onnx, TITLES) <= 1e-4
    assert pretrained_onnx.encode(["longer than the limit " * 120]).truncated == [0]
    assert pretrained_onnx.name == encoder.name and pretrained_onnx.fingerprint == encoder.fingerprint


def test_fine_tuned_encoder_exports_its_own_weights(encoder, pretrained_onnx, tmp_path):
    """A model with other weights (here: MiniLM perturbed and saved) must not embed like PT."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(encoder.path), device="cpu", local_files_only=True)
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.02)
    model.save(str(tmp_path / "tuned"))
    tuned = Encoder(tmp_path / "tuned")
    tuned_onnx = OnnxEncoder(ensure_onnx(tuned, tmp_path / "onnx"))

    assert _worst_difference(tuned, tuned_onnx, TITLES) <= 1e-4
    assert np.abs(tuned_onnx.encode(TITLES).vectors - pretrained_onnx.encode(TITLES).vectors).max() > 1e-2


def test_an_export_is_reused_not_redone(encoder, tmp_path):
    first = ensure_onnx(encoder, tmp_path)
    stamp = (first / "model.onnx").stat().st_mtime_ns
    assert ensure_onnx(encoder, tmp_path) == first
    assert (first / "model.onnx").stat().st_mtime_ns == stamp


def test_an_export_made_before_graphs_were_fused_is_made_again(encoder, tmp_path):
    first = ensure_onnx(encoder, tmp_path)
    manifest = json.loads((first / MANIFEST).read_text())
    assert manifest.pop("graph_optimized") is True
    (first / MANIFEST).write_text(json.dumps(manifest))  # as an earlier version wrote it
    stamp = (first / "model.onnx").stat().st_mtime_ns
    again = ensure_onnx(encoder, tmp_path)
    assert json.loads((again / MANIFEST).read_text())["graph_optimized"] is True
    assert (again / "model.onnx").stat().st_mtime_ns != stamp


def test_models_the_exporter_cannot_reproduce_get_no_onnx(tmp_path):
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]))
    with pytest.raises(OnnxExportUnsupported, match="Dense"):
        pooling_mode(tmp_path)


def test_torch_serves_queries_without_an_export_or_when_asked(tmp_path, monkeypatch):
    assert open_onnx_encoder("") is None
    assert open_onnx_encoder(str(tmp_path / "gone")) is None
    exported = _demo_index_info().onnx_path
    assert exported
    assert isinstance(open_onnx_encoder(exported), OnnxEncoder)
    monkeypatch.setenv(QUERY_ENCODER_ENV, "torch")
    assert open_onnx_encoder(exported) is None


def _demo_index_info():
    from retrieval.catalog import Catalog
    from retrieval.index.titles import active_index_info

    with Catalog(built_demo_home() / "demo" / "catalog.sqlite") as catalog:
        return active_index_info(catalog)


HEAVY = ("torch", "transformers", "sentence_transformers", "langchain", "langchain_core", "llama_cpp")
PROBE = """
import json, sys
from agent.cli import cli
try:
    cli(["generate", "--title", "road trip", "-n", "5", "--format", "json"])
except SystemExit as done:
    assert done.code in (0, None), done.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy})
print(json.dumps(heavy))
"""


def _generate_in_subprocess(**env: str) -> tuple[dict, list[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=set(HEAVY))], capture_output=True, text=True,
                            timeout=300, env=subprocess_env(built_demo_home(), **env))
    assert result.returncode == 0, result.stderr
    *playlist, heavy = result.stdout.strip().splitlines()
    return json.loads("\n".join(playlist)), json.loads(heavy)


def test_generate_imports_no_torch_and_answers_as_the_torch_path():
    playlist, heavy = _generate_in_subprocess()
    assert heavy == []
    assert len(playlist["tracks"]) == 5

    torch_playlist, torch_heavy = _generate_in_subprocess(**{QUERY_ENCODER_ENV: "torch"})
    assert "torch" in torch_heavy  # the fallback really is the torch path
    assert [t["track_uri"] for t in playlist["tracks"]] == [t["track_uri"] for t in torch_playlist["tracks"]]
    for ours, theirs in zip(playlist["neighbours"], torch_playlist["neighbours"]):
        assert ours["pid"] == theirs["pid"] and abs(ours["similarity"] - theirs["similarity"]) <= 1e-4


def test_a_repeated_query_is_answered_from_memory_as_the_model_answered_it(pretrained_onnx, monkeypatch):
    long_title = "longer than the limit " * 120
    first, cut = pretrained_onnx.encode(["rainy sunday coding"]), pretrained_onnx.encode([long_title])
    monkeypatch.setattr(pretrained_onnx, "_session", None)  # running the model again would fail
    again = pretrained_onnx.encode(["rainy sunday coding"])
    assert np.array_equal(again.vectors, first.vectors) and pretrained_onnx.encode([long_title]).truncated == [0]
    with pytest.raises(ValueError):  # shared by later queries, so no caller can change it
        again.vectors[0, 0] = 1.0
    assert cut.truncated == [0]


def test_titles_encoded_together_are_the_vectors_each_gets_alone(pretrained_onnx, monkeypatch):
    titles = ["beach vibes ☀️🌊", "a", "wedding dance floor", "longer than the limit " * 120, "케이팝"]
    alone = OnnxEncoder(pretrained_onnx.folder)
    expected = [alone.encode([title]) for title in titles]
    together = OnnxEncoder(pretrained_onnx.folder)
    together.remember(titles)  # one batch, padded to its longest title
    monkeypatch.setattr(together, "_session", None)  # each query is then answered from memory
    for title, one in zip(titles, expected):
        got = together.encode([title])
        assert np.array_equal(got.vectors, one.vectors) and got.truncated == one.truncated
