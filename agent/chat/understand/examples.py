"""Example phrasings of each action: what the classifier compares a message with.

Kept apart from the evaluation sets in tests/data/ (a test checks that no evaluation
message is one of these), so accuracy figures measure unseen wordings.
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "new": (
        "make me a playlist for a rainy sunday", "a playlist for my workout", "songs for a road trip",
        "create a new playlist called summer nights", "start over with something for studying",
        "give me music for a dinner party", "new playlist: 80s rock anthems", "i want a mix for running",
        "put together something for a wedding", "let's do a christmas playlist", "chill lofi beats to study to",
        "something for a long drive at night", "build me a list of sad breakup songs", "party songs",
        "generate a playlist for cooking", "what about a beach day playlist", "something completely different: jazz",
        "play me some country for the farm", "music to fall asleep to", "i need songs for the gym",
        "indie folk", "classic rock road trip",
        "summer hits 2019", "sunday morning coffee", "heartbreak", "throwback r&b", "study beats",
    ),
    "steer": (
        "more upbeat", "less gloomy", "make it more chill", "more 90s", "can it be happier", "too slow",
        "a bit more energy please", "less rap and more rock", "not so mellow", "make it a bit darker",
        "tone down the ballads", "it's way too sad", "more acoustic stuff", "more dancey please",
        "fewer slow songs", "give it more of a party vibe", "make it sound more like the 80s", "calmer please",
        "more female vocals", "too much country",
    ),
    "length": (
        "only 14 songs", "shorter please", "6 more", "make it 30 tracks", "too long", "can it be longer",
        "cut it down to ten", "add a few more songs", "fewer songs", "just 8 tracks", "i want 25 songs",
        "that's too many songs", "can we have more tracks", "give me 3 more", "trim it to 12",
        "the playlist is too short", "double the length", "limit it to 20", "half as many songs",
    ),
    "remove": (
        "remove the fifth song", "no Rihanna", "take out number 4", "drop the last three", "remove songs 2 and 6",
        "get rid of the Drake songs", "delete track 7", "without Coldplay please", "skip the first one",
        "no more Ed Sheeran", "take Hotel California off the list", "remove that last song",
        "lose the Bieber", "kick out Nickelback", "remove 2", "cut the second track", "i don't want any Adele",
    ),
    "add": (
        "add Bohemian Rhapsody by Queen", "put Mr. Brightside in", "add Hey Jude", "include Halo by Beyonce",
        "can you add Wonderwall", "throw in some Queen", "add Smells Like Teen Spirit to the playlist",
        "stick September by Earth, Wind & Fire in there", "add a song by Adele", "put in Dancing Queen",
        "i want Africa by Toto in it", "add Uptown Funk please", "could you include Purple Rain",
    ),
    "dislike": (
        "i hate Nickelback", "i don't like Coldplay", "never play Justin Bieber again", "dislike 3",
        "i can't stand this song", "ban Creed", "not a fan of number 2", "ugh, not this one",
        "i really dislike country", "thumbs down on track 5", "never suggest Maroon 5 to me",
        "i'm sick of Imagine Dragons", "this one is awful", "i hate the fourth song", "remember that i hate Pitbull",
    ),
    "like": (
        "i love this one", "i like Coldplay", "love number 3", "great pick with track 2", "thumbs up for song 6",
        "i really like Mr. Brightside", "remember i love Queen", "this song is amazing", "like 4",
        "i'm a big fan of Beyonce", "number 1 is perfect", "the second one is great", "love the last song",
        "Adele is my favorite", "keep track 8, i love it",
    ),
    "explain": (
        "why is Mr. Blue Sky in there?", "why 3?", "why did you pick track 5", "what's Toxic doing here",
        "explain number 2", "how did the last song get in", "why is this one here", "why is there so much Drake",
        "what is the reason for song 4", "why this song", "how come Creep is on the list",
        "why did you add Hey Ya", "explain the first track", "why would you include Baby Shark",
    ),
    "similar": (
        "more like Yellow", "more songs like number 4", "find songs similar to Hotel California",
        "something like Mr. Brightside", "more like this one", "songs that sound like Creep",
        "similar to track 2", "give me stuff like Radiohead", "more tracks like the first one",
        "other songs in the style of Bohemian Rhapsody", "play more like Africa by Toto",
    ),
    "undo": (
        "undo it", "go back", "undo the last step", "take that back", "revert the last change", "put it back how it was",
        "oops, undo it", "bring back the old playlist", "that was better before", "restore the previous version",
        "cancel that change", "never mind, go back",
    ),
    "redo": (
        "redo the change", "redo once more", "actually do it again", "put that change back", "undo the undo",
        "no wait, redo it", "reapply what you just undid", "bring the change back",
    ),
    "save": (
        "save it to list.json", "save it now", "export as road_trip.csv", "save the playlist as favorites.m3u",
        "write it to a file", "save this playlist", "keep this as my gym playlist", "can you save it",
        "export it", "store it as chill.json", "save this for later",
    ),
    "mode": (
        "rerank with the llm", "switch to rerank mode", "use the llm for this", "use retrieval only", "switch reranking on",
        "let the language model pick", "go back to plain retrieval", "change mode to llm",
        "use the model to rerank", "no llm please, just retrieval", "set the mode to retrieval",
    ),
    "show": (
        "show me the playlist", "what's on it", "show it all", "list the songs", "what do we have so far",
        "let me see the list", "what songs are in there now", "print the playlist", "show the tracks again",
        "display the current playlist", "what's in the playlist",
    ),
    "help": (
        "help needed", "what are you able to do", "how does this app work", "what commands are there", "i'm lost",
        "how do i use this app", "what can i say", "show me the commands", "instructions please",
        "what are my options", "how do i save a playlist",
    ),
    "smalltalk": (
        "thanks a bunch", "hi friend", "hello there", "thank you so much", "cool", "nice", "awesome, thanks",
        "good afternoon", "how are you", "you're great", "lol", "ok", "perfect", "great job", "hey",
        "that's fine", "who made you", "sounds good", "what is your name", "are you human",
        # Off-topic: the chat answers and changes nothing (issue 26).
        "what's the news today", "i'm so hungry right now", "my car broke down", "how do you make pancakes",
        "is the shop open on sunday", "my head hurts", "what year is it", "can you send an email for me",
        "the train was cancelled", "do you like pizza", "i just woke up", "how tall is the eiffel tower",
    ),
    "quit": (
        "quit now", "bye for now", "exit now", "i'm all done", "goodbye for today", "that's all for today", "close the chat",
        "see you tomorrow", "stop", "we're finished here", "end the session", "i'm leaving",
    ),
    "clarify": (
        "asdfjkl", "hmmmm", "what now", "that thing there", "dunno", "whatever", "uh", "banana", "qwerty uiop",
        "i don't know", "something", "maybe", "the other one", "blah blah",
    ),
}
