"""The ALS model folder: saved and loaded whole, refused (with a reason) when stale, a
one-line error naming it when damaged."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.collaborative.als import ALS
from retrieval.collaborative.store import fit_and_save_als, load_als
from retrieval.errors import IndexUnavailableError, ModelFolderError
from tests.retrieval.test_collaborative import two_scenes


@pytest.fixture()
def saved(tmp_path):
    folder = tmp_path / "catalog.sqlite.models" / "als"
    scenes = two_scenes()
    model = fit_and_save_als((scenes.indptr, scenes.indices, scenes.shape[1]), folder, "p24", ALS(factors=2, iterations=10))
    return folder, model


def test_a_saved_model_scores_as_the_fitted_one(saved):
    folder, fitted = saved
    loaded, warning = load_als(folder, "p24")
    assert warning is None
    np.testing.assert_allclose(loaded.scores([0, 3]), fitted.scores([0, 3]), rtol=1e-5)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["settings"]["factors"] == 2 and manifest["versions"]["implicit"]


def test_a_model_of_other_playlists_is_not_used_and_says_why(saved):
    folder, _ = saved
    model, warning = load_als(folder, "p25")
    assert model is None and str(folder) in warning and "other playlists" in warning


def test_a_model_of_other_library_versions_is_not_used(saved):
    folder, _ = saved
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["versions"]["implicit"] = "0.1.0"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    model, warning = load_als(folder, "p24")
    assert model is None and "library versions" in warning


@pytest.mark.parametrize("damage", ["manifest.json", "item_factors.npy"])
def test_a_damaged_folder_is_one_line_naming_it(saved, damage):
    folder, _ = saved
    (folder / damage).write_bytes(b"\x00garbage")
    with pytest.raises(ModelFolderError) as raised:
        load_als(folder, "p24")
    message = str(raised.value)
    assert str(folder) in message and "agent index" in message and "\n" not in message
    assert isinstance(raised.value, IndexUnavailableError)  # the CLI reports it as a user error, exit 1


def test_no_folder_is_no_model_and_no_warning(tmp_path):
    assert load_als(tmp_path / "none", "p24") == (None, None)
