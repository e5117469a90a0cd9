"""`agent chat`: talking a playlist into shape.

The program holds the state (the session: the playlist and its versions, exclusions,
liked and rejected tracks); slash commands, the message reader (`understand`, run by
`dispatch`) and the LangChain tools all change it through one set of operations
(`actions.Playlister`). Every track they
put in the playlist comes from the catalog; a song someone names that the catalog
lacks is reported, never added.
"""
