"""Query-time title encoding with onnxruntime and tokenizers: no torch, no transformers.

It reproduces the sentence-transformers model it was exported from
(`retrieval/encoding/onnx_export.py`): the same tokenizer, the same cut at the token limit, the
same pooling, unit length. The export is checked against torch within 1e-4.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.encoding.encoder import QUERY_THREADS_ENV, Encoded
from retrieval.remembering import RecentValues

MANIFEST = "query_encoder.json"
# AGENT_QUERY_ENCODER=torch serves queries with the torch model even where an ONNX export exists.
QUERY_ENCODER_ENV = "AGENT_QUERY_ENCODER"
QUERY_CACHE = 4096  # recent query texts whose vectors are kept (1.5 KiB each)


class OnnxEncoder:
    """The query side of an `Encoder`: `encode`, `max_tokens`, `name`, `fingerprint`."""

    def __init__(self, folder: str | Path, threads: int | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        manifest = json.loads((self.folder / MANIFEST).read_text())
        self.name = manifest["name"]
        self.fingerprint = manifest["fingerprint"]
        self.max_tokens = int(manifest["max_seq_length"])
        self.dimensions = int(manifest["dimensions"])
        self._pooling = manifest["pooling"]
        self._lower = manifest["do_lower_case"]
        self._inputs = manifest["inputs"]
        self._pad_id = manifest["pad_token_id"]
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        options = onnxruntime.SessionOptions()
        # One thread per query, as for torch (see `limit_threads_for_queries`); a server
        # runs several queries at once instead.
        options.intra_op_num_threads = threads or int(os.environ.get(QUERY_THREADS_ENV, "1"))
        options.inter_op_num_threads = 1
        if manifest.get("graph_optimized"):  # fused when exported (`onnx_export._optimize_graph`)
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        self._session = onnxruntime.InferenceSession(
            str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._remembered: RecentValues[Encoded] = RecentValues(QUERY_CACHE)

    def forget_queries(self) -> None:
        """Drop the remembered query vectors (a benchmark measuring new titles calls this)."""
        self._remembered.clear()

    def remember(self, texts: Sequence[str]) -> None:
        """Encodes the texts not remembered yet in one batch, as later queries will ask.

        A server encodes the titles waiting together: for a short title MiniLM's cost is
        reading its weights, so four titles cost little more than one. A text's vector is
        the same bit for bit in a batch as alone (padding is masked out exactly), so
        answers do not depend on what else was waiting."""
        self._encoded_and_remembered(self._remembered.missing(list(texts)))

    def _encoded_and_remembered(self, texts: list[str]) -> list[Encoded]:
        """The texts encoded in one batch, each kept for later queries (read-only: they share it)."""
        if not texts:
            return []
        vectors, cut = self._encode_batch(texts)
        found = [_shared(vectors[row:row + 1], row in cut) for row in range(len(texts))]
        for text, encoded in zip(texts, found):
            self._remembered.put(text, encoded)
        return found

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> Encoded:
        if len(texts) == 1:
            return self._encode_query(texts[0])
        return self._encode_many(texts, batch_size)

    def _encode_query(self, text: str) -> Encoded:
        """One text, as a query is: a server meets the same titles again and again."""
        encoded = self._remembered.get(text)
        if encoded is None:
            encoded = self._encoded_and_remembered([text])[0]
        return Encoded(vectors=encoded.vectors, truncated=list(encoded.truncated))

    def _encode_many(self, texts: Sequence[str], batch_size: int) -> Encoded:
        chunks, truncated = [], []
        for start in range(0, len(texts), batch_size):
            vectors, cut = self._encode_batch(list(texts[start:start + batch_size]))
            chunks.append(vectors)
            truncated += [start + i for i in cut]
        vectors = np.concatenate(chunks) if chunks else np.zeros((0, self.dimensions), np.float32)
        return Encoded(vectors=vectors.astype(np.float32), truncated=truncated)

    def _encode_batch(self, texts: list[str]) -> tuple[np.ndarray, list[int]]:
        # sentence-transformers strips (and lower-cases, when configured) before tokenizing.
        texts = [t.strip().lower() if self._lower else t.strip() for t in texts]
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(texts), width), np.int64) for name in self._inputs}
        feeds["input_ids"][:] = self._pad_id
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            feeds["input_ids"][row, :length] = encoding.ids
            feeds["attention_mask"][row, :length] = encoding.attention_mask
            if "token_type_ids" in feeds:
                feeds["token_type_ids"][row, :length] = encoding.type_ids
        tokens = self._session.run(None, feeds)[0]
        vectors = _pool(tokens, feeds["attention_mask"], self._pooling)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors / norms, [i for i, e in enumerate(encodings) if e.overflowing]


def _shared(vector: np.ndarray, truncated: bool) -> Encoded:
    vector = vector.astype(np.float32)
    vector.setflags(write=False)
    return Encoded(vectors=vector, truncated=[0] if truncated else [])


def _pool(tokens: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    if mode == "cls":
        return tokens[:, 0]
    weights = mask[..., None].astype(tokens.dtype)
    if mode == "max":
        return np.where(weights > 0, tokens, -1e9).max(axis=1)
    return (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def open_onnx_encoder(onnx_path: str) -> OnnxEncoder | None:
    """The ONNX encoder an index recorded, if its files are still there and torch is not asked for."""
    if not onnx_path or os.environ.get(QUERY_ENCODER_ENV) == "torch":
        return None
    if not (Path(onnx_path) / MANIFEST).exists():
        return None
    return OnnxEncoder(onnx_path)
