"""Wordings whose action is certain, so they override the classifier.

Each rule is a pattern on the lower-cased message (polite openings dropped, number
words as digits). Only wordings that cannot mean anything else belong here; the
classifier reads the rest.
"""

from __future__ import annotations

import re

from agent.chat.understand import discovery
from agent.chat.understand.steering import COMPARATIVES

_SONGS = r"(?:songs?|tracks?|tunes|items|entries)"
_RULES: list[tuple[str, str]] = [
    ("quit", r"^(?:quit|exit|bye|bye bye|goodbye|good bye|q|i'?m done|we'?re done|close|stop the chat|"
             r"end|end chat|cya|see ya|see you|later|ttyl)(?:\s+(?:now|for now|please|then|thanks|later|mate|man|guys))*$"),
    # Leaving said in so many words: "ok i'm leaving, bye", "exit the program", "i'm done for today".
    ("quit", r"(?:^|[\s,.!])(?:bye|bye bye|goodbye|good bye|cya|see ya)(?:\s+(?:now|for now|then|mate|man|guys))?$|"
             r"^(?:i )?(?:quit|exit|close|leave|end)(?: (?:this|the))? ?(?:chat|app|program|session|agent)?(?: now)?$|"
             r"^(?:i'?m|i am|we'?re|we are) done(?: here)?(?: for (?:today|now|tonight))?$"),
    # Declining an offer is a reply, not a removal: "no thanks", "nah i'm good" ("thanks" is cleaned away).
    ("smalltalk", r"^(?:no|nah|nope|no no)(?:[\s,]+(?:i'?m|i am|we'?re|it'?s|all)\s+(?:good|fine|ok|okay|all good|set))?$"),
    ("undo", r"^(?:undo|undo (?:that|it|this|the last (?:change|thing|step))|revert(?: that| it)?|go back|"
             r"take that back|ctrl[ -]?z)(?:\s+(?:please|pls|again))*$"),
    ("redo", r"^(?:redo|redo (?:that|it)|ctrl[ -]?y|ctrl[ -]?shift[ -]?z)(?:\s+(?:please|pls|again))*$"),
    ("help", r"^(?:help|help me|help\?|\?|commands|what can you do|what are the commands|how does this work|"
             r"usage)$"),
    ("show", r"^(?:show|list|ls|show (?:it|me|the playlist|the list|me the playlist|playlist)|playlist)$"),
    ("save", r"^(?:save|export|write|store)\b.*\.(?:json|csv|m3u8?|txt|xspf|pls)\b"),
    ("save", r"\.(?:json|csv|m3u8?|xspf)\b"),
    ("save", r"^(?:save|export)(?: (?:it|this|that|the playlist|playlist|the list|my playlist))?$"),
    ("save", r"^(?:keep|save|store) (?:it|this|this one|that)\b.*\b(?:call|name) it\s+\S"),
    ("mode", r"\b(?:re-?rank(?:ing)?|retrieval)\s+mode\b|\bmode\s+(?:to\s+)?(?:re-?rank|retrieval|llm)\b|"
             r"^(?:switch|change|go|set|use|turn on|enable)\b.*\b(?:re-?rank(?:ing|er)?|llm|retrieval)\b"),
    ("steer", discovery.RULE),  # "fewer hits", "deep cuts", "more popular": before "more X" and lengths
    ("similar", r"^(?:more|some|other|give me more|play more|find more|songs?|tracks?)\s+"
                r"(?:songs\s+|tracks\s+|stuff\s+|tunes\s+|music\s+|things\s+|ones\s+)?"
                r"(?:like|similar to)\s+\S"),
    ("length", rf"^(?:only|just|exactly|max|at most|limit(?: it)? to|cap(?: it)? at|make it|keep(?: it)? to|"
               rf"cut (?:it )?(?:down )?to|trim (?:it )?(?:down )?to|down to|up to|shorten (?:it )?to|"
               rf"i (?:only )?want|give me)\s+(?:only\s+|just\s+)?\d{{1,3}}\s+{_SONGS}\b(?!.*\b(?:for|about|from|by)\b)"),
    ("length", rf"^(?:add\s+)?(?:like |about |maybe )?(?:\d{{1,3}}|a few|a couple)\s+"
               rf"(?:more|extra|fewer|less)(?:\s+{_SONGS})?(?:\s+please)?$"),
    ("length", rf"^\d{{1,3}}\s+{_SONGS}(?:\s+(?:only|please|total|max|is enough|are enough))*$"),
    ("length", r"^(?:make it |make the playlist |a bit |a little |much |way )?(?:shorter|longer)\b"),
    ("length", rf"^(?:fewer|more|less)\s+{_SONGS}(?:\s+please)?$"),
    ("steer", r"^(?:make it |make this |make the playlist |a bit |a little |slightly |way |much |even )?"
              r"(?:more|moar|less)\s+(?!songs?\b|tracks?\b|like\b|by\b|from\b|\d)[a-z0-9'-]+(?:\s+[a-z0-9'-]+)?"
              r"(?:,?\s+(?:(?:and|but)\s+)?(?:more|less)\s+[a-z0-9' -]+)?(?:\s+please)?$"),
    # Complaints and adjustments of the playlist there is: "that's a bit too much rap", "it's too cheesy",
    # "do it again but with 90s versions", "could use more bass", "not so much metal".
    ("steer", r"\btoo much\s+(?!music\b|songs?\b|tracks?\b|of\b|for\b|to\b)[a-z0-9]|"
              r"^(?:it'?s|its|this is|that'?s|this|it|kinda|a bit|bit)\s+(?:(?:a|bit|a bit|a little|little|kinda|way|far|so|"
              r"really|just|slightly)\s+)*too\s+(?!long|short|many|much)[a-z]|"
              r"^(?:(?:now\s+)?(?:do it|try it|try|same thing|the same|same|again)(?:\s+again)?,?\s+)?(?:but\s+)?"
              r"with\s+(?:more\s+|some\s+|less\s+)?(?!me\b|you\b|my\b)[a-z0-9]|"
              r"^(?:it |this |we |i )?could (?:use|do with)\s+(?:a bit |a little |some )?(?:more|less)\b|"
              r"^(?:i'?d|i would) like it\s+(?:a bit |a little )?(?:more|less)\b|^not (?:so|as|that)\s+(?:much\s+)?[a-z]"),
]
_RULES.append(("steer", r"^(?:a bit |a little |much |way |even |slightly )?(?:" + "|".join(COMPARATIVES) + r")\b"
                        r"(?:\s+(?:songs|tracks|music|stuff|please|pls))*$"))

# Messages led by a verb that names the action ("add ...", "why is ...", "i hate ...").
_LEADING_VERBS: list[tuple[str, str]] = [
    ("help", r"^(?:how (?:do|can|should|would) (?:i|we|you)|what (?:can|should|do) i (?:say|type|do|ask|write)|"
             r"i don'?t know (?:what|how) to (?:type|say|do|use)|is there a (?:manual|help))\b"),
    ("redo", r"\bredo\b|\bundo (?:my|the|that)(?: last)? undo\b"),
    ("steer", r"^make (?:it|this|the (?:playlist|mix|list|selection|music|songs|vibe)|things|everything)\s+"
              r"(?:(?:sound|feel|seem)\s+)?"
              r"(?:(?:a|bit|little|lot|way|much|even|slightly|somewhat|touch|tad)\s+)*(?:more|less)\s+(?!songs?\b|tracks?\b)|"
              r"^(?:(?:there'?s|there is|it'?s|its|way)\s+)?too much\s+(?!music\b|songs?\b|tracks?\b)"),
    ("explain", r"^(?:why|how come|explain|what(?:'?s| is| are) .+ doing\b|how did .+ (?:get|end up|make it))\b"),
    ("similar", r"\b(?:similar to|in the vein of|in the style of|sounds? like|sounding like|(?:more|songs?|tracks?|stuff|"
                r"something|anything|others?|tunes|music) like|(?:in|with) the (?:vibe|style|spirit) of|along the lines of|"
                r"in the same vein as)\s+(?!a |an |this (?:is|was)\b)\S"),
    ("dislike", r"^(?:ugh,? |eww?,? |yuck,? )?(?:i\s+(?:really\s+|just\s+|honestly\s+|absolutely\s+)?(?:hate|dislike|despise|"
                r"can'?t stand|cannot stand|don'?t like|do not like|never want to hear)|dislike|ban|block|"
                r"never (?:ever )?(?:play|suggest|recommend|give me)|don'?t (?:ever )?(?:play|suggest|recommend)|"
                r"thumbs down|not a fan of|i(?:'?m| am) (?:not a fan|so sick|sick|tired|done with) of)\b"),
    ("like", r"^(?!.*\b(?:but|more|less|make|shorter|longer)\b)(?:i\s+(?:really\s+|just\s+|absolutely\s+|totally\s+)?"
             r"(?:love|like|adore|dig)|love|like|thumbs up|(?:i(?:'?m| am) )?(?:a |such a )?(?:big |huge |massive )fan of|"
             r"i(?:'?m| am) (?:a |such a )?fan of|(?:i(?:'?m| am) )?(?:really |very |so )?fond of)\b|"
             # Praise of a song the playlist holds: "this one slaps", "song 4 is a banger".
             r"^(?:(?:this|that|it)(?: one| 1| song| track| tune)?|(?:song|track|number) \d+|the \S+ (?:one|1|song|track))"
             r"(?:'s|\s+is)?\s+(?:(?:a|such a|so|really|totally|absolutely)\s+)*"
             r"(?:slaps|bangs|goes hard|banger|bop|fire|a vibe|perfect|gold)\b|"
             r"^(?:this|that)(?: one| 1)? (?:song|track|tune|one|1)(?:'s|\s+is)\s+(?:(?:a|so|really)\s+)*"
             r"(?:great|amazing|awesome|beautiful|good)\b"),
    ("undo", r"^(?:undo|revert|go back\b(?! to)|put (?:it|that|everything) back\b(?!.*again)|change it back|"
             r"restore (?:the )?(?:old|previous|last)|back to the (?:old|previous|last) (?:one|playlist|version))"),
    ("add", r"^(?:add|include|put(?! together| on\b)|stick|throw|pop|squeeze|slip|chuck)\s+"
            r"(?!(?:like |about |maybe )?(?:\d+|a few|a couple)\s+(?:more|extra|songs?|tracks?)\b|(?:some )?more\b)|"
            r"^i (?:want|wanna hear|want to hear|need) .+ (?:in there|on it|in it|on there|in the playlist|added|on the list)$"),
    ("remove", r"^(?:remove|delete|take out|get rid of|drop|kick out|no more|without|cut out|ditch|lose the)\s+\S"),
    ("save", r"^(?:save|export)\b"),
    ("show", r"^(?:show|list|display|print)(?: me)?(?: the| my| our)?(?: current)? (?:playlist|list|songs|tracks|it)\b"),
    ("new", r"^(?:make|create|build|generate|put together|whip up|compile)(?: me| us)? (?:a|an|another|new|some|one|1)\b|"
            r"^new (?:playlist|mix|one)\b|^(?:i'?m |i am )?in the mood for\b|^start (?:over|again|fresh)\b|"
            r"^(?:i want|i need|i'?d like|give me|gimme|get me|play(?: me)?)?\s*(?:a |an |some )?(?:new )?"
            r"(?:playlist|songs|music|mix|tunes|something|stuff) (?:for|to|about)\b|^put on\b|"
            r"\b(?:a|new|another)\s+(?:new\s+)?(?:playlist|mix|soundtrack)\s+(?:for|about|of|called|named|titled|with|to)\b"),
]
_COMPILED = [(action, re.compile(pattern)) for action, pattern in _RULES + _LEADING_VERBS]


def certain_action(cleaned: str) -> str | None:
    """The action a rule is sure of for a cleaned message, or None."""
    for action, pattern in _COMPILED:
        if pattern.search(cleaned):
            return action
    return None
