"""The RecSys Challenge 2018 workflow: read a challenge set, answer every playlist with
500 tracks, write and score submissions in the challenge's own formats.

Nothing here prints or imports the CLI: progress goes through callbacks.
"""
