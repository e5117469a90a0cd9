"""Loading the chat's models in the background, so the prompt shows before they are ready.

The title encoder (MiniLM) and the message reader built on it take seconds to load;
a thread loads them while the person types the first message, and the first turn that
needs them waits with a spinner. The catalog stays on the main thread (SQLite
connections belong to the thread that opened them), so only the encoder, the reader
and the Chroma import happen in the background; the retriever is assembled on the
main thread from what the thread loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.chat.understand import Understander
from agent.chat.waiting import Spin, no_spinner
from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder
from retrieval.generator import Retriever
from retrieval.index.titles import IndexInfo, TitleIndex

@dataclass
class Models:
    encoder: Encoder
    understander: Understander


def load_models(info: IndexInfo) -> Models:
    import chromadb  # noqa: F401  (imported here, off the main thread: it takes seconds)

    encoder = Encoder(info.encoder_path)
    return Models(encoder, Understander(encoder))


class InBackground:
    """Runs `load()` in a daemon thread at once; `get()` waits for it and re-raises its error."""

    def __init__(self, load: Callable[[], Any]):
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(load,), name="chat-models", daemon=True)
        self._thread.start()

    def _run(self, load: Callable[[], Any]) -> None:
        try:
            self._result = load()
        except BaseException as error:  # handed to the main thread by get()
            self._error = error

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def get(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


class LoadingRetriever:
    """Stands in for the `Retriever` until the models are loaded: the catalog is there at once,
    anything else waits (with `spin`) for the background load, then goes to the real retriever."""

    def __init__(self, catalog: Catalog, info: IndexInfo, open_index: Callable[[], TitleIndex]):
        self.catalog = catalog
        self.spin: Spin = no_spinner
        self._models = InBackground(lambda: load_models(info))
        self._open_index = open_index
        self._retriever: Retriever | None = None

    @property
    def models(self) -> Models:
        if not self._models.ready:
            with self.spin("loading the models…"):
                return self._models.get()
        return self._models.get()

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            encoder = self.models.encoder
            self._retriever = Retriever(self.catalog, self._open_index(), encoder)
        return self._retriever

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not ours, and never the retriever's: no lookup loops while starting
            raise AttributeError(name)
        return getattr(self.retriever, name)
