"""FT-C: MiniLM with a dropout + linear head, trained with cross-entropy to tell a
playlist title's content cluster. Only the backbone is kept: the head exists to
shape the embedding and is dropped when the model is saved."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from training.finetune import Examples, History, fit, pooled
from training.options import TrainOptions
from training.variant import Trained, Validation, batches_in_order, shuffled_batches

_EVAL_BATCH = 128


def train_classifier(model, train: Examples, validation: Examples, options: TrainOptions, device: str,
                     on_step=None) -> Trained:
    classes = int(max(train.labels.max(), validation.labels.max())) + 1
    dims = pooled(model, train.titles[:1], device).shape[1]
    head = nn.Sequential(nn.Dropout(options.dropout), nn.Linear(dims, classes)).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW([
        {"params": model.parameters(), "lr": options.lr},
        {"params": head.parameters(), "lr": options.head_lr},
    ])

    def loss_of(batch) -> torch.Tensor:
        titles, labels = batch
        return criterion(head(pooled(model, titles, device)), labels.to(device))

    def evaluate() -> tuple[float, float]:
        model.eval()
        head.eval()
        losses, correct = [], 0
        with torch.no_grad():
            for titles, labels in batches_in_order(validation, _EVAL_BATCH):
                logits = head(pooled(model, titles, device))
                losses.append(float(criterion(logits, labels.to(device))) * len(titles))
                correct += int((logits.argmax(dim=1).cpu() == labels).sum())
        return float(np.sum(losses) / len(validation)), correct / len(validation)

    before = evaluate()
    history: History = fit(
        [model, head], optimizer,
        batches=lambda epoch: shuffled_batches(train, options.batch_size, options.seed + epoch),
        loss_of=loss_of, validation_loss=lambda: evaluate()[0], options=options, on_step=on_step,
        steps_per_epoch=-(-len(train) // options.batch_size),
    )
    after = evaluate()
    return Trained(
        model=model, history=history,
        validation=Validation(loss_before=before[0], loss_after=after[0],
                              head_accuracy_before=before[1], head_accuracy_after=after[1]),
    )
