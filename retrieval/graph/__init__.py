"""The playlist graph: playlists and their tracks as memory-mapped arrays, and their folder."""
