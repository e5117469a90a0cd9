"""Deprecated: the old call shape of `agent.playlist`, kept until the chat moves over.

Use `agent.playlist.make_playlist(retriever, backend, PlaylistRequest(...))`.
"""

from __future__ import annotations

from agent.playlist import MODES, ModeOptions, PlaylistRequest
from agent.playlist import make_playlist as _make_playlist
from retrieval.generator import GenerationOptions

__all__ = ["MODES", "ModeOptions", "make_playlist"]


def make_playlist(retriever, backend, title: str, options: GenerationOptions = GenerationOptions(),
                  mode: ModeOptions = ModeOptions()):
    return _make_playlist(retriever, backend, PlaylistRequest(title, options, mode))
