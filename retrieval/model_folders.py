"""Where models fitted on a catalog live, and the library versions their manifests record.

Each model is a folder beside the catalog (`catalog.sqlite.models/NAME`); a manifest saved
with other library versions is not trusted to load the same way.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def model_folder(catalog_path: Path, name: str) -> Path:
    return catalog_path.with_name(catalog_path.name + ".models") / name


def library_versions(*packages: str) -> dict[str, str]:
    """Each package's installed version ("missing" when it is not installed)."""
    found = {}
    for name in packages:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found
