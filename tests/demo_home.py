"""One data dir holding the built demo catalog, its index and the ONNX query encoder,
built once per test run and shared by the tests that only read it (the server tests
write profiles only, each under a name of its own)."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path


@functools.cache
def built_demo_home() -> Path:
    from agent.workspace import Workspace, ensure_demo

    home = Path(tempfile.mkdtemp(prefix="agent-demo-home-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    ensure_demo(Workspace(home=home))
    return home


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for an `agent` subprocess on `home`, importing this checkout."""
    import os

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "AGENT_HOME": str(home), "PYTHONPATH": str(root), "HF_HUB_OFFLINE": "1", **extra}
    env.pop("AGENT_CHROMA_URL", None)
    return env
