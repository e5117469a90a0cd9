"""Whether a message is about music at all: "my cat is sleeping on my keyboard" is not.

A message shaped like conversation (a question to someone, or a remark about oneself or the
world) that names nothing musical is small talk, whatever example it happens to resemble:
reading it as a change would cost the person their playlist.
"""

from __future__ import annotations

import re

from agent.chat.understand.steering import COMPARATIVES

_FEELS = "|".join(sorted(set(COMPARATIVES) | set(COMPARATIVES.values())))
_MUSIC = re.compile(
    r"\b(?:playlists?|songs?|tracks?|music|musical|tunes?|mix(?:es|tape)?|artists?|bands?|albums?|singers?|sing|sings|"
    r"sang|singing|listen\w*|play\w*|genres?|beats?|jams?|bangers?|bops?|vibes?|soundtrack|lyrics|remix\w*|covers?|"
    r"versions?|rap|rapper|rock|pop|jazz\w*|hip ?hop|r&b|rnb|country|metal|punk|indie|folk|edm|house|techno|trance|"
    r"disco|funk\w*|soul|blues|reggae\w*|reggaeton|classical|acoustic|piano|guitars?|bass|drums?|lofi|lo-fi|\d0s|"
    r"oldies|throwbacks?|chill\w*|upbeat|mellow|danc\w*|melod\w*|rhythm|tempo|bpm|loud|quiet|sad|happy|energ\w*|"
    r"relax\w*|calm|mood|emo|grunge|synth\w*|ballads?|anthems?|hits?|radio|spotify|m3u|csv|json|undo|redo|save|"
    r"remove|add|skip|more|less|fewer|long|short|uplifting|aggressive|intense|\d{4}s|shuffle|rerank\w*|llm|shorter|longer|list|number \d+|#\d+|romantic|sleepy|summery|" + _FEELS + r")\b")
_CONVERSATION = re.compile(
    r"^(?:what|what'?s|whats|wats|who|who'?s|where|when|why|how|is|are|am|was|were|do|does|did|can|could|would|will|"
    r"should|shall|have|has|tell|remind|order|book|set|call|text|translate|i|i'?m|im|i'?ve|i'?ll|i'?d|my|me|we|we'?re|"
    r"our|you|you'?re|your|ur|u|it'?s|its|it|the|this|that|there'?s|today|tonight|tomorrow|yesterday|lol|lmao|haha|"
    r"brb|omg|ugh|sorry|oops|wow|damn|dang|guess|btw|so|anyway|honestly)\b")


# "the thing from before": a reference the chat cannot follow is a question back, not small talk.
_VAGUE = re.compile(r"\b(?:thing|things|stuff|other|before|earlier|whatever)\b|"
                    r"^(?:what|who|which)(?:'s| is| was)? (?:that|this|it)$")


_OWN_THING = re.compile(r"^(?:my|our|his|her|their)\s+(?!playlists?\b|list\b|mix\b|songs?\b|music\b|tracks?\b)[a-z]")
_NAMES_MUSIC = re.compile(r"\b(?:playlists?|songs?|tracks?|music|tunes?|mix(?:es|tape)?|artists?|bands?|albums?|"
                          r"singers?|listen\w*|play\w*|genres?|lyrics|radio|spotify)\b")


def is_vague(cleaned: str) -> bool:
    """A reference the chat cannot follow, with nothing musical to go on: "can you do the thing from before"."""
    return bool(_VAGUE.search(cleaned)) and not _MUSIC.search(cleaned)


def is_small_talk(cleaned: str) -> bool:
    """Conversation that names nothing musical (`cleaned`: lower case, polite openings dropped).

    A remark about something of one's own ("my laptop is so slow") is small talk even with a
    word that could describe music: only a word naming music itself makes it about the playlist.
    """
    if len(cleaned.split()) < 2 or not _CONVERSATION.match(cleaned) or _VAGUE.search(cleaned):
        return False
    if _OWN_THING.match(cleaned):
        return not _NAMES_MUSIC.search(cleaned)
    return not _MUSIC.search(cleaned)
