"""Million Playlist Dataset files: parsing, validation, and ingest into the catalog."""
