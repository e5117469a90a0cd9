"""The title index (Chroma, or exact search over exported vectors), its leases and store,
and the crowd-tag vectors built from it."""
