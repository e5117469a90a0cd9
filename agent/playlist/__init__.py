"""Making a playlist in any mode: the request, the service, and the LLM steps beside it.

    request = PlaylistRequest("road trip", GenerationOptions(n=20), ModeOptions("rerank"))
    playlist = make_playlist(retriever, backend, request)

A face prepares what it was given first (names resolved, the profile applied):

    request = RequestPreparer(catalog, home).prepare(RequestDraft(request, seeds=("Mr. Brightside",)))

`rerank` reorders retrieved candidates, `llm_songs` lets an LLM name songs, `compare`
runs every mode on one title.
"""

from agent.playlist.options import DEFAULT_CANDIDATES, FUSES, MODES, SHOTS, RequestError
from agent.playlist.request import ModeOptions, PlaylistRequest
from agent.playlist.prepare import MAX_SEEDS, RequestDraft, RequestPreparer
from agent.playlist.service import make_playlist

__all__ = ["DEFAULT_CANDIDATES", "FUSES", "MODES", "SHOTS", "MAX_SEEDS", "ModeOptions", "PlaylistRequest",
           "RequestDraft", "RequestError", "RequestPreparer", "make_playlist"]
