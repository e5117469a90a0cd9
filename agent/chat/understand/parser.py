"""Reading one message: slash command, certain rule, or the classifier; then its slots."""

from __future__ import annotations

import re

from agent.chat.understand.classifier import IntentClassifier
from agent.chat.understand.message import ParseContext, ParsedMessage
from agent.chat.understand.named import named_action
from agent.chat.understand.numbers import digits_for_words
from agent.chat.understand.questions import question_in, with_names_as_typed
from agent.chat.understand.rules import certain_action
from agent.chat.understand.slash import parse_slash
from agent.chat.understand.slots import polite_stripped, read_slots
from agent.chat.understand.topic import is_small_talk, is_vague
from agent.chat.understand.typing import typed_by_context
from agent.chat.understand.typos import mended

# Below this confidence the chat should ask instead of acting; `parse` already answers
# `clarify` under it. 0.35 is the highest threshold at which no dev message read right
# turns into `clarify` (the sweep in benchmarks/bench_chat_parse.py; 0.40 loses 0.6 %).
CONFIDENCE_THRESHOLD = 0.35
RULE_CONFIDENCE = 0.99
_NEEDS_SLOTS = {"remove", "add", "like", "dislike", "explain", "similar", "steer"}
# Readings a known artist makes plausible enough to act on. Not like/dislike: those are
# remembered for good, so a bare name ("jack johnson pls") must not become one.
_ABOUT_AN_ARTIST = {"remove", "similar"}
_LIFTABLE = 0.25  # a reading this unsure is a guess, catalog or not
# Readings that change the playlist, the profile or the session: the classifier's guess of one
# must come from a message about music (see topic.py). Undo and redo only move between versions.
_CHANGES = {"new", "steer", "length", "remove", "add", "dislike", "like", "similar", "mode", "save"}


class Understander:
    """Reads chat messages into `ParsedMessage`s with the chat's already loaded MiniLM."""

    def __init__(self, encoder):
        self.classifier = IntentClassifier(encoder)
        # Whole words of MiniLM's vocabulary: a steering word among them is spelled right ("screaming").
        self.known_words = _whole_words(encoder)

    def parse(self, text: str, context: ParseContext | None = None) -> ParsedMessage:
        parsed = self._read(text, context)
        return typed_by_context(parsed, context, self.known_words) if context else parsed

    def _read(self, text: str, context: ParseContext | None) -> ParsedMessage:
        # Undecodable input bytes arrive as lone surrogates, which the tokenizer rejects.
        text = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())
        if text.startswith("/"):
            return parse_slash(text)
        length = context.playlist_length if context else None
        is_artist = context.is_artist if context else None
        words = mended(spelled_out(text))
        cleaned = clean(words)
        if not cleaned:
            return ParsedMessage(text=text, action="clarify", confidence=0.0)
        if question := question_in(cleaned):
            return ParsedMessage(text=text, action="ask", slots=with_names_as_typed(question, words),
                                 confidence=RULE_CONFIDENCE)
        action = certain_action(cleaned)
        if action:
            return ParsedMessage(text=text, action=action, slots=read_slots(action, words, length),
                                 confidence=RULE_CONFIDENCE)
        action = named_action(polite_stripped(words).strip(" ?!.,"), is_artist)
        if action:
            return ParsedMessage(text=text, action=action, slots=read_slots(action, words, length),
                                 confidence=RULE_CONFIDENCE)
        reading = self.classifier.read(words)
        unsure = reading.action in ("clarify", "quit") or reading.confidence < CONFIDENCE_THRESHOLD
        if (reading.action in _CHANGES or unsure) and is_small_talk(cleaned):
            return ParsedMessage(text=text, action="smalltalk", confidence=RULE_CONFIDENCE)
        if reading.action in _CHANGES and is_vague(cleaned):
            return ParsedMessage(text=text, action="clarify", confidence=reading.confidence)
        if reading.action in ("clarify", "quit"):
            # Leaving is only ever asked for in so many words (the rules): a guess of it would end the chat.
            return ParsedMessage(text=text, action="clarify", confidence=reading.confidence)
        slots = read_slots(reading.action, words, length)
        confidence = reading.confidence
        if (reading.action in _ABOUT_AN_ARTIST and confidence >= _LIFTABLE and is_artist and slots.get("artist")
                and is_artist(slots["artist"])):
            confidence = max(confidence, CONFIDENCE_THRESHOLD)  # the catalog knows the name: the reading is plausible
        if confidence < CONFIDENCE_THRESHOLD:
            return ParsedMessage(text=text, action="clarify", confidence=confidence)
        return ParsedMessage(text=text, action=reading.action, slots=slots, confidence=confidence)


def _whole_words(encoder) -> frozenset[str]:
    tokenizer = getattr(getattr(encoder, "model", None), "tokenizer", None)  # a test's stand-in encoder has none
    return frozenset(w for w in tokenizer.get_vocab() if w.isalpha()) if tokenizer else frozenset()


_SHORTHAND = [(re.compile(pattern, re.IGNORECASE), full) for pattern, full in [
    (r"\brmv\b", "remove"), (r"\bluv\b", "love"), (r"^y\b", "why"), (r"\bad\b", "add"), (r"\bhalp\b", "help"),
    (r"\b(?:sumthing|somethin|smth)\b", "something"), (r"\bu\b", "you"), (r"\bur\b", "your"),
    (r"\bwanna\b", "want to"), (r"\bdont\b", "don't"), (r"\bcant\b", "can't"), (r"\bim\b", "i'm"),
    (r"…", "..."), (r"\bwhats\b", "what's"), (r"\bthats\b", "that's"), (r"\bgimme\b", "give me"),
    (r"(?<=\S)[\s,]+(?:tbh|honestly|lol|haha)\s*$", ""), (r"\bits\b(?= (?:too|way|so|a bit|kinda))", "it's"),
    (r"(?<=[a-z]) 4 (?=(?:a|an|the|my|some)\b)", " for "), (r"\bsth\b", "something"), (r"\bplz\b", "please"),
]]


def spelled_out(text: str) -> str:
    """Chat shorthand written out ("rmv song 2" -> "remove song 2"), so rules and slots need one spelling."""
    for pattern, full in _SHORTHAND:
        text = pattern.sub(full, text)
    return text


def clean(text: str) -> str:
    """Lower case, polite openings and closing punctuation dropped, number words as digits."""
    lowered = polite_stripped(text.lower()).strip(" ?!.,;:")
    lowered = re.sub(r"[\s,]+(?:please|pls|plz|thanks|thank you|thx)$", "", lowered)
    return digits_for_words(lowered)
