"""The errors a user can fix, named once for every face.

The CLI answers them with exit 1 and a one-line message, the server with a 422; any
other exception is a bug (exit 2, HTTP 500). Faces import this tuple rather than each
other.
"""

from __future__ import annotations

from agent.files import FileWriteError as OutputError
from agent.llm.base import LLMError
from agent.playlist.options import RequestError
from agent.profile import ProfileError
from retrieval.encoding.encoder import EncoderError
from retrieval.generator import GenerationError
from retrieval.index.titles import IndexUnavailableError
from retrieval.json_reader import InputFileError
from retrieval.mpd.parse import MPDFormatError
from retrieval.resolve import AmbiguousName, NameNotFound
from training.options import TrainingError

__all__ = ["USER_ERRORS", "OutputError", "RequestError"]


USER_ERRORS: tuple[type[Exception], ...] = (
    MPDFormatError,
    GenerationError,
    IndexUnavailableError,
    EncoderError,
    FileNotFoundError,
    TrainingError,
    ProfileError,
    LLMError,
    OutputError,
    NameNotFound,
    AmbiguousName,
    InputFileError,
)
