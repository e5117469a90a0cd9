"""Exporting a title encoder to ONNX, so queries can be embedded without torch.

`agent index` and `agent train` call `ensure_onnx` when they write an encoder; the
query path then embeds titles with onnxruntime and tokenizers (`retrieval/encoding/onnx.py`),
which start in a fraction of the time torch and transformers take.

An export is kept only when it embeds the probe titles as the torch model does, within
`TOLERANCE`; a model this exporter cannot reproduce (a Dense layer, an unusual pooling)
gets no ONNX file and queries keep the torch encoder.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np

from retrieval.encoding.encoder import Encoder
from retrieval.encoding.onnx import MANIFEST, OnnxEncoder
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
TOLERANCE = 1e-4
POOLINGS = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max"}
PROBE_TITLES = (
    "road trip", "Xmas 🎄🎄", "케이팝 노래", "músicas para relaxar", "чилл вечер", "a",
    "summer " * 300,  # past the token limit: must be cut exactly as the torch model cuts it
)


class OnnxExportUnsupported(ValueError):
    """A model whose layers the ONNX query encoder does not reproduce."""


ONNX_DIR_ENV = "AGENT_ONNX_DIR"


def onnx_root(home: Path) -> Path:
    """Where a data dir keeps its ONNX exports: DATA_DIR/onnx, or $AGENT_ONNX_DIR to share
    them between data dirs (an export depends on the model's weights only)."""
    shared = os.environ.get(ONNX_DIR_ENV)
    return Path(shared) if shared else home / "onnx"


def onnx_dir(root: Path, encoder: Encoder) -> Path:
    """One folder per model weights: a rebuilt index with the same encoder reuses it."""
    return root / encoder.fingerprint


def ensure_onnx(encoder: Encoder, root: Path) -> Path | None:
    """The ONNX export of `encoder` under `root`, made now unless already there.

    None when the model cannot be exported faithfully; the torch encoder then serves queries.
    """
    target = onnx_dir(root, encoder)
    if _is_current(target):
        return target
    try:
        return export_onnx(encoder, target)
    except OnnxExportUnsupported:
        return None


def _is_current(folder: Path) -> bool:
    """Whether `folder` holds a complete export with the graph fused; an earlier export
    (unfused: slower to load) is made again by the next index build."""
    try:
        return json.loads((folder / MANIFEST).read_text()).get("graph_optimized") is True
    except (OSError, ValueError):
        return False


def export_onnx(encoder: Encoder, target: Path) -> Path:
    """Write model.onnx, tokenizer.json and the manifest to `target`, checked against torch."""
    pooling = pooling_mode(encoder.path)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        input_names = _export_transformer(encoder, partial / MODEL_FILE)
        _optimize_graph(partial / MODEL_FILE)
        encoder.model.tokenizer.backend_tokenizer.save(str(partial / TOKENIZER_FILE))
        manifest = {
            "name": encoder.name, "fingerprint": encoder.fingerprint, "source": str(encoder.path),
            "max_seq_length": encoder.max_tokens, "dimensions": encoder.dimensions, "pooling": pooling,
            "do_lower_case": bool(getattr(encoder.model[0], "do_lower_case", False)), "inputs": input_names,
            "pad_token_id": int(encoder.model.tokenizer.pad_token_id or 0), "graph_optimized": True,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2))
        _check_against_torch(encoder, partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return target


def pooling_mode(path: Path) -> str:
    """The pooling of a Transformer -> Pooling [-> Normalize] model; anything else is unsupported."""
    modules_file = path / "modules.json"
    if not modules_file.exists():
        raise OnnxExportUnsupported(f"{path} has no modules.json")
    modules = json.loads(modules_file.read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise OnnxExportUnsupported(f"{path} has modules {kinds}; only Transformer, Pooling, Normalize export")
    config = json.loads((path / modules[1]["path"] / "config.json").read_text())
    if isinstance(config.get("pooling_mode"), str):  # sentence-transformers >= 6 names the mode
        chosen, others = [config["pooling_mode"]], []
    else:
        chosen = [mode for key, mode in POOLINGS.items() if config.get(key)]
        others = [k for k, value in config.items() if k.startswith("pooling_mode") and value and k not in POOLINGS]
    if len(chosen) != 1 or others or chosen[0] not in POOLINGS.values():
        raise OnnxExportUnsupported(f"{path} pools with {chosen + others}; only one of mean, cls, max exports")
    return chosen[0]


def _export_transformer(encoder: Encoder, output: Path) -> list[str]:
    """The transformer alone, token embeddings out; pooling is a few lines of numpy."""
    import torch

    transformer = encoder.model[0].auto_model.eval()
    sample = encoder.model.tokenizer(["road trip", "a longer sample title"], padding=True, return_tensors="pt")
    sample = {name: tensor.to(transformer.device) for name, tensor in sample.items()}
    names = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample]

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer  # registered, so its weights are exported as weights

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs))).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "token_embeddings"]}
    # The tracer warns about Python-side branches; `_check_against_torch` is what proves the result.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenEmbeddings(), tuple(sample[name] for name in names), str(output), input_names=names,
            output_names=["token_embeddings"], dynamic_axes=axes, opset_version=17, dynamo=False,
            do_constant_folding=True,
        )
    return names


def _optimize_graph(model: Path) -> None:
    """Fuse the graph once here instead of at every query process's start (about 50 ms of
    its 0.2 s load). The extended level holds no hardware-specific layouts, so the file
    serves any CPU; `OnnxEncoder` then loads it with optimisations off."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    optimized = model.with_name(f"optimized-{model.name}")
    options.optimized_model_filepath = str(optimized)
    onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    optimized.replace(model)


def _check_against_torch(encoder: Encoder, folder: Path) -> None:
    exported = OnnxEncoder(folder)
    expected = encoder.encode(list(PROBE_TITLES))
    got = exported.encode(list(PROBE_TITLES))
    worst = float(np.max(np.abs(expected.vectors - got.vectors)))
    if worst > TOLERANCE or expected.truncated != got.truncated:
        raise OnnxExportUnsupported(
            f"the ONNX export of {encoder.path} differs from the torch model by {worst:.2g} "
            f"(truncated {got.truncated} vs {expected.truncated})"
        )
