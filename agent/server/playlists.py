"""The playlist service as the server uses it: requests are prepared and made by the
same `agent.playlist` calls as the CLI's, so the HTTP layer stays thin and follows it exactly.

Retrieval runs on the caller's thread with a catalog connection of that thread's own
(SQLite connections are not shared between concurrent readers); the encoder and the
title index are loaded once and shared. Work that needs the LLM goes to `LLMWorker`.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from agent.llm import ChatBackend, LLMError
from agent.llm.choice import LLMChoice
from agent.playlist import RequestDraft, RequestPreparer, make_playlist
from agent.playlist.compare import Comparison, compare_modes, playlist_keys, track_key
from agent.profile import Profile, load_profile, update_profile
from agent.workspace import Workspace
from retrieval.catalog import Catalog
from retrieval.generator import Retriever
from retrieval.encoding.encoder import EncoderError
from retrieval.index.titles import IndexUnavailableError, TitleIndex, open_index
from retrieval.encoding.onnx import OnnxEncoder
from retrieval.records import GeneratedPlaylist, Track
from retrieval.index.tags import TagIndex, open_tag_index

# Errors the server answers 503 for: its configuration or data, not the request, is at fault.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (LLMError, IndexUnavailableError, EncoderError)
LABELS = {"retrieval": "R", "rerank": "K", "llm": "L"}


class PlaylistService:
    """Models loaded once; thread-safe playlist, comparison, search and profile calls."""

    def __init__(self, workspace: Workspace, catalog_path: Path, is_demo: bool, backend_choice: LLMChoice) -> None:
        self.workspace = workspace
        self.catalog_path = catalog_path
        self.is_demo = is_demo
        self._backend_choice = backend_choice
        self._backend: ChatBackend | None = None
        self._local = threading.local()
        self._connections: list[Catalog] = []
        self._connections_lock = threading.Lock()
        first = self._catalog()
        self.index: TitleIndex = open_index(first, workspace.chroma)
        self._shared_encoder = Retriever(first, self.index).encoder
        self.tags = _tag_index(first, self.index, workspace)
        self.playlists = first.playlist_count()

    # -- per-thread state --------------------------------------------------------

    def _catalog(self) -> Catalog:
        catalog = getattr(self._local, "catalog", None)
        if catalog is None:
            with self._connections_lock:  # one opener at a time: opening may migrate or switch modes
                catalog = self._local.catalog = Catalog(self.catalog_path)
                self._connections.append(catalog)
        return catalog

    def retriever(self) -> Retriever:
        retriever = getattr(self._local, "retriever", None)
        if retriever is None:
            retriever = self._local.retriever = Retriever(self._catalog(), self.index, self._shared_encoder)
        return retriever

    def preparer(self) -> RequestPreparer:
        """This thread's preparation; a request left with neither title nor known seed gets popularity."""
        preparer = getattr(self._local, "preparer", None)
        if preparer is None:
            preparer = self._local.preparer = RequestPreparer(self._catalog(), self.workspace.home,
                                                              popular_when_empty=True)
        return preparer

    def backend(self) -> ChatBackend:
        """The LLM, opened on first use; call only from the LLM worker's thread."""
        if self._backend is None:
            self._backend = self._backend_choice.open(self.workspace)
        return self._backend

    @property
    def query_encoder(self) -> str:
        return "onnx" if isinstance(self._shared_encoder, OnnxEncoder) else "torch"

    def close(self) -> None:
        with self._connections_lock:
            for catalog in self._connections:
                catalog.close()
            self._connections.clear()

    # -- playlists ----------------------------------------------------------------

    def playlist(self, draft: RequestDraft) -> GeneratedPlaylist:
        request = self.preparer().prepare(draft)
        backend = self.backend() if request.needs_llm else None
        return make_playlist(self.retriever(), backend, request, self.tags if request.steering else None)

    def encode_titles(self, drafts: list[RequestDraft]) -> None:
        """Encodes the titles of requests that arrived together in one batch, before each is answered."""
        titles = [draft.request.title for draft in drafts if not draft.needs_llm]
        if len(titles) > 1:
            self.retriever().encode_titles(titles)

    def compare(self, draft: RequestDraft) -> tuple[Comparison, dict[str, list[str]]]:
        """All three modes, and for each track the other modes that share its song."""
        comparison = compare_modes(self.retriever(), self.backend(), self.preparer().prepare(draft))
        keys = {p.mode: playlist_keys(p) for p in comparison.playlists}
        also = {
            p.mode: ["".join(LABELS[m] for m in keys if m != p.mode and track_key(t) in keys[m]) for t in p.tracks]
            for p in comparison.playlists
        }
        return comparison, also

    # -- catalog search -------------------------------------------------------------

    def search(self, query: str, limit: int) -> dict[str, list]:
        words = query.split()
        catalog = self._catalog()
        tracks: list[Track] = catalog.tracks_with_words(words, limit)
        artists = catalog.artists_with_words(words, limit)
        return {
            "tracks": [{**t.model_dump(), "link": t.link} for t in tracks],
            "artists": [{"artist_name": name, "tracks": count} for name, count in artists],
        }

    # -- profiles ----------------------------------------------------------------------

    def profile(self, name: str) -> tuple[Profile, str | None]:
        return load_profile(self.workspace.home, name)  # written whole by a rename: never half a file

    def change_profile(self, name: str, verb: str, tracks: list[str], artists: list[str]) -> tuple[Profile, str | None]:
        """Like or dislike under the profile lock (threads and processes alike), so no change is lost."""
        def change(profile: Profile) -> None:
            for uri in tracks:
                getattr(profile, f"{verb}_track")(uri)
            for artist in artists:
                getattr(profile, f"{verb}_artist")(artist)

        return update_profile(self.workspace.home, name, change)


def _tag_index(catalog: Catalog, index: TitleIndex, workspace: Workspace) -> TagIndex | None:
    """The track tag vectors steering reads; None (steering refused) when the index has none."""
    try:
        # An older data dir is converted once, said on the server's log.
        return open_tag_index(catalog, index, workspace.chroma,
                              on_notice=lambda note: print(f"Note: {note}", file=sys.stderr))
    except IndexUnavailableError:
        return None
