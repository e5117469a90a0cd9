"""Which action a message reads as, by its nearest example phrasings in MiniLM space."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agent.chat.understand.examples import EXAMPLES

NEAREST = 3          # examples per action whose similarities are averaged
TEMPERATURE = 0.05   # softmax temperature over the per-action scores
NO_MATCH = 0.30      # below this similarity to every example, the message resembles nothing known


@dataclass(frozen=True)
class Reading:
    action: str
    confidence: float   # softmax share of the best action; 0 when nothing is similar enough
    similarity: float   # cosine similarity of the nearest example


class IntentClassifier:
    """Embeds the example phrasings once with the chat's encoder, then scores messages against them."""

    def __init__(self, encoder, examples: dict[str, tuple[str, ...]] = EXAMPLES):
        self.encoder = encoder
        self.actions = list(examples)
        texts = [text for action in self.actions for text in examples[action]]
        self.owner = np.array([self.actions.index(action) for action in self.actions for _ in examples[action]])
        self.vectors = encoder.encode(texts).vectors

    def read(self, text: str) -> Reading:
        query = self.encoder.encode([text.lower()]).vectors[0]
        similarities = self.vectors @ query
        scores = np.array([self._score(similarities[self.owner == i]) for i in range(len(self.actions))])
        weights = np.exp((scores - scores.max()) / TEMPERATURE)
        best = int(scores.argmax())
        nearest = float(similarities.max())
        confidence = float(weights[best] / weights.sum()) if nearest >= NO_MATCH else 0.0
        return Reading(self.actions[best], confidence, nearest)

    @staticmethod
    def _score(similarities: np.ndarray) -> float:
        return float(np.sort(similarities)[-NEAREST:].mean())
