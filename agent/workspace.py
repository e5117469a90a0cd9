"""Where the user's data lives, and opening it.

The data dir is `--data-dir`, else `$AGENT_HOME`, else the platform's user data dir.
It holds the user's catalog (`catalog.sqlite`), the demo catalog (`demo/`), built on
first use from the file shipped in the package, and the embedded Chroma store.
Nothing is read or created at import time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ContextManager

from retrieval.catalog import Catalog
from retrieval.collaborative.als import ALS
from retrieval.collaborative.store import als_folder, fit_and_save_als
from retrieval.encoding.encoder import Encoder
from retrieval.ranking.fusion import DEFAULT_WEIGHTS, FusionWeights, TunedWeights, tuned_weights_path
from retrieval.generator import Retriever
from retrieval.index.titles import ChromaLocation, TitleIndex, active_index_info, build_index, open_index
from retrieval.mpd.ingest import ingest_paths
from retrieval.index.tags import TagIndex, build_tag_index
from retrieval.encoding.onnx_export import ensure_onnx, onnx_root
from retrieval.ranking.sources import prepare_signal_data

APP_NAME = "playlist-agent"
HOME_ENV = "AGENT_HOME"
CHROMA_URL_ENV = "AGENT_CHROMA_URL"


def default_home() -> Path:
    explicit = os.environ.get(HOME_ENV)
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def demo_catalog_file() -> Path:
    return Path(__file__).parent / "demo" / "mpd.slice.demo.json.gz"


@dataclass(frozen=True)
class Workspace:
    home: Path
    chroma_url: str | None = None

    @classmethod
    def resolve(cls, data_dir: str | Path | None = None, chroma_url: str | None = None) -> Workspace:
        home = Path(data_dir).expanduser() if data_dir else default_home()
        return cls(home=home, chroma_url=chroma_url or os.environ.get(CHROMA_URL_ENV) or None)

    @property
    def chroma(self) -> ChromaLocation:
        return ChromaLocation(path=self.home / "chroma", url=self.chroma_url)

    @property
    def user_catalog_path(self) -> Path:
        return self.home / "catalog.sqlite"

    @property
    def demo_catalog_path(self) -> Path:
        return self.home / "demo" / "catalog.sqlite"

    def user_catalog(self) -> Catalog:
        return Catalog(self.user_catalog_path)

    def active_catalog(self) -> tuple[Catalog, bool]:
        """The user's catalog when it holds playlists, else the demo; and whether it is the demo."""
        if self.user_catalog_path.exists():
            catalog = Catalog(self.user_catalog_path)
            if not catalog.is_empty():
                return catalog, False
            catalog.close()
        return Catalog(self.demo_catalog_path), True


def rebuild_index(
    catalog: Catalog,
    workspace: Workspace,
    encoder_path: str | Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> TitleIndex:
    """Embed the catalog's titles with the encoder at `encoder_path` (default: pre-trained MiniLM),
    and export it to ONNX for torch-free queries.

    A damaged embedded store is renamed aside (kept for inspection) and a fresh one
    built in its place; `on_warning` is told where the old one went.
    """
    aside = workspace.chroma.set_aside_if_damaged()
    if aside and on_warning:
        on_warning(f"the index store was damaged; it was moved to {aside} and a new one is built")
    encoder = Encoder(encoder_path)
    onnx_path = ensure_onnx(encoder, onnx_root(workspace.home))
    index = build_index(catalog, encoder, workspace.chroma, on_progress=on_progress, onnx_path=onnx_path)
    prepare_signal_data(catalog)  # play counts, entity names and the playlist graph the signals read
    return index


def rebuild_track_tags(catalog: Catalog, workspace: Workspace, titles: TitleIndex,
                       on_progress: Callable[[int, int], None] | None = None) -> TagIndex:
    """The crowd-tag track vectors for the title index just built (steering reads them)."""
    return build_tag_index(catalog, titles, workspace.chroma, on_progress=on_progress)


def rebuild_collaborative(catalog: Catalog) -> ALS:
    """Fit the ALS model on the catalog's playlists and save it beside the catalog (after the signal tables)."""
    graph = prepare_signal_data(catalog)
    return fit_and_save_als(graph.csr_arrays(), als_folder(catalog.path), catalog.signals_fingerprint())


def ensure_demo(workspace: Workspace, on_progress: Callable[[int, int], None] | None = None) -> None:
    """Build the demo catalog and its index on first use; a later call finds them and returns."""
    catalog = Catalog(workspace.demo_catalog_path)
    try:
        if catalog.is_empty():
            ingest_paths(catalog, [demo_catalog_file()])
        if active_index_info(catalog) is None:
            rebuild_track_tags(catalog, workspace, rebuild_index(catalog, workspace, on_progress=on_progress))
            rebuild_collaborative(catalog)
    finally:
        catalog.close()


def open_retriever(catalog: Catalog, workspace: Workspace,
                   building: Callable[[], ContextManager] = contextlib.nullcontext) -> Retriever:
    """The retriever of the catalog's active index; `building()` wraps preparing the ranking's
    data when the catalog changed since it was prepared (a caller shows progress there)."""
    index = open_index(catalog, workspace.chroma)
    return Retriever(catalog, index, weights=fusion_weights(workspace, index.info.collection), building=building)


def active_fusion_weights(workspace: Workspace, catalog: Catalog) -> FusionWeights:
    """The fusion weights of the catalog's active index (tuned, else the built-in ones)."""
    info = active_index_info(catalog)
    return fusion_weights(workspace, info.collection) if info else DEFAULT_WEIGHTS


def fusion_weights(workspace: Workspace, collection: str) -> FusionWeights:
    """The weights `agent tune` stored for this index, else the built-in defaults."""
    tuned = TunedWeights.load(tuned_weights_path(workspace.chroma.path, collection))
    return tuned.weights if tuned else DEFAULT_WEIGHTS
