"""Training: content clusters of playlists and title encoders fine-tuned on them (FT-C, FT-T), or on
titles of playlists that share tracks (FT-G)."""

import os

# Idle OpenMP threads (torch, scikit-learn) sleep instead of spinning. On a machine whose
# cores are shared (CI, a busy laptop) spinning made a two-thread training step 15x
# slower; on an idle one the difference is within noise. Read once, when torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
