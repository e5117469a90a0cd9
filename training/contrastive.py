"""FT-G: MiniLM trained contrastively on titles of playlists that share tracks, with
in-batch negatives chosen by the pre-trained model (GISTEmbed).

Plain in-batch negatives (MultipleNegativesRankingLoss) hurt on the MPD sample: a
batch of 32 pairs often holds near-duplicate titles ("chill", "chill vibes") and those
are pushed apart as if they were unrelated. sentence-transformers' GISTEmbedLoss asks a
guide, here the frozen pre-trained model, and drops every in-batch negative the guide
rates closer to the anchor than the anchor's own positive.

Training pairs come from the training playlists only; validation pairs pair each
validation playlist with a training playlist, so test titles are never seen.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import torch

from retrieval.catalog import Catalog
from training.finetune import Examples, History, fit, tokenize
from training.options import TrainingError, TrainOptions
from training.pairs import overlapping_pairs, title_pairs, track_sets
from training.variant import Trained, Validation

Pairs = list[tuple[str, str]]


def guided_trainer(catalog: Catalog, guide):
    """A trainer with FT-C's and FT-T's signature that mines its pairs from `catalog`."""

    def train(model, train: Examples, validation: Examples, options: TrainOptions, device: str, on_step=None) -> Trained:
        train_pairs, validation_pairs = mine_pairs(catalog, train, validation, options)
        trained = train_guided(model, guide, train_pairs, validation_pairs, options, device, on_step)
        trained.details.update(train_pairs=len(train_pairs), validation_pairs=len(validation_pairs),
                               gist_temperature=options.gist_temperature, min_shared_tracks=options.min_shared_tracks,
                               min_jaccard=options.min_jaccard)
        return trained

    return train


def mine_pairs(catalog: Catalog, train: Examples, validation: Examples, options: TrainOptions) -> tuple[Pairs, Pairs]:
    titles = {**dict(zip(train.pids, train.titles)), **dict(zip(validation.pids, validation.titles))}
    train_tracks = track_sets(catalog, train.pids)
    rules = {"min_shared": options.min_shared_tracks, "min_jaccard": options.min_jaccard}
    train_pairs = overlapping_pairs(train_tracks, train_tracks, titles, **rules)
    validation_pairs = overlapping_pairs(track_sets(catalog, validation.pids), train_tracks, titles, **rules)
    if len(train_pairs) < 2 or not validation_pairs:
        raise TrainingError(
            f"ft-g found {len(train_pairs)} training and {len(validation_pairs)} validation title pairs of "
            f"playlists sharing at least {options.min_shared_tracks} tracks; it needs playlists that overlap. "
            "Train ft-c or ft-t instead (--variants ft-c,ft-t), or ingest more playlists"
        )
    return title_pairs(train_pairs, titles), title_pairs(validation_pairs, titles)


def train_guided(model, guide, train: Pairs, validation: Pairs, options: TrainOptions, device: str,
                 on_step=None) -> Trained:
    loss = gist_loss(model, guide.to(device).eval(), options.gist_temperature)
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.lr)

    def loss_of(batch: Pairs) -> torch.Tensor:
        anchors, positives = zip(*batch)
        return loss([tokenize(model, anchors, device), tokenize(model, positives, device)], None)

    # Fixed batches, so every epoch's validation loss masks and contrasts the same pairs.
    validation_batches = list(_batches(validation, options.pair_batch_size))

    def evaluate() -> float:
        model.eval()
        with torch.no_grad():
            total = sum(float(loss_of(batch)) * len(batch) for batch in validation_batches)
        return total / sum(len(batch) for batch in validation_batches)

    before = evaluate()
    history: History = fit(
        [model], optimizer,
        batches=lambda epoch: _batches(train, options.pair_batch_size, seed=options.seed + epoch),
        loss_of=loss_of, validation_loss=evaluate, options=options, on_step=on_step,
        steps_per_epoch=_batch_count(len(train), options.pair_batch_size),
    )
    return Trained(model=model, history=history, validation=Validation(loss_before=before, loss_after=evaluate()))


def gist_loss(model, guide, temperature: float):
    try:
        from sentence_transformers.sentence_transformer.losses import GISTEmbedLoss
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.losses import GISTEmbedLoss
    return GISTEmbedLoss(model, guide, temperature=temperature)


def _batch_count(pairs: int, size: int) -> int:
    return -(-pairs // size) - (pairs % size == 1)


def _batches(pairs: Pairs, size: int, seed: int | None = None) -> Iterator[Pairs]:
    """Batches of `size` pairs (shuffled when seeded); a last lone pair has no negative and is dropped."""
    order = list(range(len(pairs)))
    if seed is not None:
        random.Random(seed).shuffle(order)
    for start in range(0, len(order), size):
        batch = [pairs[i] for i in order[start:start + size]]
        if len(batch) > 1:
            yield batch
