"""The field's collaborative methods, each usable alone as a candidate generator and as a
ranking feature: item-kNN, playlist-kNN on the seeds and ALS (through `implicit`).

Every model shares one small interface (`base.Recommender`): fitted on the playlist
graph's playlists x tracks matrix, it scores every track for a set of seed tracks.
"""
