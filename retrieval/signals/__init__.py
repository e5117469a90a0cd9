"""The signals that score a track for a playlist request, each plain data in and out.

- `neighbours`: the title's neighbour playlists vote, weights sharpened (similarity^p);
- `entity`: a title naming an artist or album brings that entity's most-played tracks;
- `cooccurrence`: tracks that share playlists with anchor tracks (the best voted ones,
  or a user's seed tracks), normalised and damped by popularity;
- `popularity`: the most-played tracks, as the tail behind everything else.

`retrieval.ranking.fusion` weighs them into one ranking.
"""
