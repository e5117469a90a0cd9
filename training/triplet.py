"""FT-T: MiniLM trained with batch-all triplet loss on cluster labels, so titles of
one content cluster move together and titles of different clusters apart.

The loss is the hinge averaged over every valid (anchor, positive, negative) triplet of
a batch. sentence-transformers' BatchAllTripletLoss averages over the triplets still
violating the margin instead, which can rise while every distance improves; one mean
for training and validation keeps the two loss curves comparable.
"""

from __future__ import annotations

import torch

from training.finetune import Examples, History, fit, tokenize
from training.options import TrainOptions
from training.variant import Trained, Validation, grouped_batches


def hinge_over_all_triplets(embeddings: torch.Tensor, labels: torch.Tensor, margin: float) -> tuple[torch.Tensor, int]:
    """Sum of max(0, d(a,p) - d(a,n) + margin) over every valid triplet, and their count."""
    # Unit vectors: |a-b|^2 = 2 - 2 a.b. Clamped above zero so that two identical titles
    # (zero distance) give a finite gradient, which torch.cdist does not promise.
    distances = (2 - 2 * embeddings @ embeddings.T).clamp(min=1e-12).sqrt()
    same = labels[:, None] == labels[None, :]
    positive = same & ~torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    valid = positive[:, :, None] & ~same[:, None, :]  # [anchor, positive, negative]
    hinge = (distances[:, :, None] - distances[:, None, :] + margin).clamp(min=0)
    return hinge[valid].sum(), int(valid.sum())


def train_triplet(model, train: Examples, validation: Examples, options: TrainOptions, device: str,
                  on_step=None) -> Trained:
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.lr)

    def loss_of(batch) -> torch.Tensor:
        titles, labels = batch
        # The full model, Normalize included: distances are those between unit vectors.
        embeddings = model(tokenize(model, titles, device))["sentence_embedding"]
        total, triplets = hinge_over_all_triplets(embeddings, labels.to(device), options.triplet_margin)
        return total / max(1, triplets)

    # A fixed draw of validation batches, so every epoch is measured on the same triplets.
    validation_batches = list(grouped_batches(validation, options.triplet_batch_size, options.per_cluster, options.seed))

    def evaluate() -> float:
        model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for titles, labels in validation_batches:
                embeddings = model(tokenize(model, titles, device))["sentence_embedding"]
                loss_sum, triplets = hinge_over_all_triplets(embeddings, labels.to(device), options.triplet_margin)
                total, count = total + float(loss_sum), count + triplets
        return total / max(1, count)

    before = evaluate()
    steps = -(-len(train) // options.triplet_batch_size)
    history: History = fit(
        [model], optimizer,
        batches=lambda epoch: grouped_batches(train, options.triplet_batch_size, options.per_cluster, options.seed + epoch),
        loss_of=loss_of, validation_loss=evaluate, options=options, on_step=on_step, steps_per_epoch=steps,
    )
    return Trained(model=model, history=history, validation=Validation(loss_before=before, loss_after=evaluate()))
