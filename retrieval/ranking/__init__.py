"""The ranking pipeline: signal sources, fusion, filters, steering, discovery, the learned ranker
and the words that explain a track's place."""
