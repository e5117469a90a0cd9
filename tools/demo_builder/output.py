"""The catalog's bytes (JSON, then gzip with a fixed header) and the staleness check."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from tools.demo_builder.settings import OUTPUT_PATH
from tools.demo_builder.assemble import build, build_catalog

def catalog_json_bytes(catalog: dict | None = None) -> bytes:
    """The uncompressed JSON of the catalog (built when not given)."""
    if catalog is None:
        catalog = build_catalog()
    return json.dumps(catalog, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def gzip_bytes(payload: bytes) -> bytes:
    """gzip with no file name and mtime=0, so equal input gives equal bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return buf.getvalue()


def catalog_bytes(catalog: dict | None = None) -> bytes:
    """The gzip-compressed catalog file content."""
    return gzip_bytes(catalog_json_bytes(catalog))


def check(path: Path | str | None = None, expected_json: bytes | None = None) -> str | None:
    """None when the file at path holds the current catalog, else why not.

    Compares the decompressed JSON, so a different zlib build (which may
    compress the same payload to other bytes) does not count as stale.
    """
    path = Path(path if path is not None else OUTPUT_PATH)
    if expected_json is None:
        expected_json = catalog_json_bytes()
    if not path.exists():
        return f"{path} does not exist"
    try:
        shipped = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        return f"{path} is not a valid gzip file ({exc})"
    if shipped != expected_json:
        return f"{path} differs from a fresh build"
    return None
