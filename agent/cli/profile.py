"""`agent profile show|clear|like|dislike`: the preference memory every mode applies."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from agent.cli.active import open_active_catalog
from agent.cli.common import stdout, warn, workspace_options
from agent.profile import DEFAULT_PROFILE, Profile, load_profile, profile_path, update_profile
from agent.safe_text import clean, safe_text
from agent.workspace import Workspace
from retrieval.echo import printable
from retrieval.resolve import NameResolver

profile_option = click.option(
    "--profile", "profile_name", default=DEFAULT_PROFILE, show_default=True,
    help="Named preference profile (liked and unwanted tracks and artists) in the data dir.",
)


@click.group()
def profile() -> None:
    """Show or change a preference profile: unwanted tracks and artists never appear in any
    mode; playlists holding liked tracks join the vote."""


def _load(workspace: Workspace, name: str) -> Profile:
    loaded, warning = load_profile(workspace.home, name)
    warn(warning)
    return loaded


@profile.command()
@profile_option
@workspace_options
def show(profile_name: str, workspace: Workspace) -> None:
    """Print a profile."""
    loaded = _load(workspace, profile_name)
    table = Table(title=safe_text(f"profile {profile_name!r} ({profile_path(workspace.home, profile_name)})"),
                  title_justify="left")
    table.add_column("list")
    table.add_column("items")
    for field in ("liked_tracks", "unwanted_tracks", "liked_artists", "unwanted_artists"):
        # Text, not markup: a stored name such as "[/]" or one holding escape codes is shown as written.
        table.add_row(field.replace("_", " "), Text("\n".join(map(printable, getattr(loaded, field))) or "-"))
    stdout().print(table)


@profile.command()
@profile_option
@workspace_options
def clear(profile_name: str, workspace: Workspace) -> None:
    """Empty a profile."""
    _, warning = update_profile(workspace.home, profile_name, Profile.clear)
    warn(warning)
    path = profile_path(workspace.home, profile_name)
    stdout().print(clean(f"Cleared profile {profile_name!r} ({path})."), markup=False, highlight=False)


def _changer(verb: str, track_method: str, artist_method: str):
    @click.option("--track", "tracks", multiple=True,
                  help="A track: its URI, \"song by artist\", \"artist - song\" or the song alone (repeatable).")
    @click.option("--artist", "artists", multiple=True, help="An artist name (repeatable).")
    @profile_option
    @workspace_options
    def change(tracks, artists, profile_name: str, workspace: Workspace) -> None:
        if not tracks and not artists:
            raise click.UsageError("give --track NAME or --artist NAME")
        # Every name is resolved before anything is stored: one bad name stores nothing.
        catalog, _ = open_active_catalog(workspace)
        with catalog:
            resolver = NameResolver(catalog)
            songs = resolver.tracks(tracks)
            singers = [resolver.artist(artist) for artist in artists]

        def apply(loaded: Profile) -> None:
            for song in songs:
                getattr(loaded, track_method)(song.track.track_uri)
            for artist in singers:
                getattr(loaded, artist_method)(artist.name)

        _, warning = update_profile(workspace.home, profile_name, apply)
        warn(warning)
        done = verb.capitalize() + "d"
        for line in [f"{done} {s.describe()}" for s in songs] + [f"{done} the artist {a.name}" for a in singers]:
            stdout().print(printable(f"{line} in profile {profile_name!r}."), markup=False, highlight=False)

    change.__doc__ = f"{verb.capitalize()} tracks or artists, named in plain words or by URI."
    return click.command(verb)(change)


profile.add_command(_changer("like", "like_track", "like_artist"))
profile.add_command(_changer("dislike", "dislike_track", "dislike_artist"))
