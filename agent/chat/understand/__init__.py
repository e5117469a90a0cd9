"""Understanding a chat message without a large model: one action and its slots.

    from agent.chat.understand import Understander, ParseContext, CONFIDENCE_THRESHOLD
    understander = Understander(encoder)          # the chat's loaded retrieval.encoding.encoder.Encoder
    parsed = understander.parse("remove the last two", ParseContext(playlist_length=10))
    parsed.action, parsed.slots, parsed.confidence   # "remove", {"positions": [9, 10]}, 0.99

How: a slash command is read exactly (confidence 1). Wordings that can mean one thing
only are read by rules (`rules.py`, confidence 0.99). Anything else is compared by
MiniLM with example phrasings of every action (`examples.py`): the action whose three
nearest examples are closest wins; the confidence is its softmax share. Under
`CONFIDENCE_THRESHOLD`, or when the message resembles no example, the action is
`clarify`: the chat should ask a short question and change nothing. Slots are read by
rules from the message's own words (`slots.py`); no catalog is needed, names are the
surface text and the chat resolves them.

Actions and the slots each may carry (only the keys that apply are present):
  new        title (the description), n ("a 20 song playlist for ...")
  steer      words: [{"word": "upbeat", "sign": 1}, {"word": "sad", "sign": -1}] (lower case;
             a word may be a short phrase, "80s rock"; comparatives become their base: "happier" -> happy),
             and/or discovery: 1 ("fewer hits", "deep cuts") or -1 ("more popular", "mainstream")
  length     n (a count) and/or change ("+" or "-"): "only 15 songs" -> n=15 (an absolute
             length); "5 more" -> n=5, change="+"; "shorter" -> change="-"
  remove, dislike, like, explain, similar, add
             positions: 1-based list ("the third song" -> [3], "songs 3 and 5" -> [3, 5]);
             "last"/"last two" need ParseContext.playlist_length, without it they are counted
             from the end: [-1], [-2, -1]. Or names: "SONG by ARTIST" gives song and artist;
             a bare name goes to `artist` for remove/dislike/like and to `song` for
             add/explain/similar, unless worded ("the song X" -> song, "anything by X" -> artist)
  save       path (as typed; the extension picks the format), absent for plain "save"
  mode       mode: retrieval, rerank or llm
  undo, redo, show, help, smalltalk, quit, clarify: no slots

Slash commands map onto the same actions: /generate -> new, /more N -> length, /more MOOD
-> steer, /exclude -> remove, /rerank -> mode rerank, /find and /profile -> show, an
unknown command -> clarify.
"""

from agent.chat.understand.message import ACTIONS, MODES, ParseContext, ParsedMessage
from agent.chat.understand.parser import CONFIDENCE_THRESHOLD, Understander

__all__ = ["ACTIONS", "CONFIDENCE_THRESHOLD", "MODES", "ParseContext", "ParsedMessage", "Understander"]
