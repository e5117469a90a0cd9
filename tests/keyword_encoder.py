"""A tiny deterministic stand-in for the title encoder, for unit tests.

Each title becomes a one-hot vector over a fixed keyword list (normalised to unit
length), so the cosine similarity of two titles is exactly
shared keywords / sqrt(keywords of one * keywords of the other), and voting results
can be worked out by hand. (sentence-transformers tests its own pipeline with a
similar bag-of-words model.) The real MiniLM stays in the integration tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from retrieval.encoding.encoder import Encoded


class KeywordEncoder:
    """What `Retriever` and `build_index` use of `retrieval.encoding.encoder.Encoder`."""

    max_tokens = 256

    def __init__(self, keywords: Sequence[str]):
        # The last dimension holds titles with no keyword, so no vector is all zeros.
        self.keywords = tuple(keywords)
        self.path = Path("keyword-encoder")
        self.name = "keywords:" + ",".join(self.keywords)
        self.fingerprint = "keywords-" + "-".join(self.keywords)

    @property
    def dimensions(self) -> int:
        return len(self.keywords) + 1

    def token_count(self, text: str) -> int:
        return len(text.split())

    def vector(self, text: str) -> np.ndarray:
        words = set(text.casefold().split())
        hot = np.array([keyword in words for keyword in self.keywords] + [False], dtype=np.float32)
        if not hot.any():
            hot[-1] = 1.0
        return hot / np.linalg.norm(hot)

    def encode(self, texts: Sequence[str], batch_size: int = 256,
               on_batch: Callable[[int], None] | None = None) -> Encoded:
        vectors = np.stack([self.vector(t) for t in texts]) if texts else np.zeros((0, self.dimensions), np.float32)
        if on_batch:
            on_batch(len(texts))
        return Encoded(vectors=vectors, truncated=[])
