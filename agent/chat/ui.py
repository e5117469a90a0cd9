"""The terminal side of `agent chat`: read a line, do it, show what changed.

After every message: the playlist as a table when it changed, the operations run
with their timings, and any warning, each error as one line. /quit, Ctrl-D and
Ctrl-C at the prompt end the chat; Ctrl-C while it works cancels that message only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from agent.chat.actions import ChatError, Explanation, Playlister
from agent.chat.agent import ToolAgent
from agent.chat.commands import HELP, Commands, Reply
from agent.chat.context import ChatContext
from agent.chat.dispatch import Dispatcher
from agent.chat.loading import LoadingRetriever
from agent.chat.resume import keep
from agent.chat.session import ChatSession, Turn, Version, write_transcript
from agent.files import FileWriteError
from agent.chat.understand import Understander
from agent.chat.waiting import Spinner
from agent.llm import LLMError
from agent.render import neighbours_table, print_table
from agent.safe_text import clean, safe_text
from retrieval.encoding.encoder import EncoderError
from retrieval.errors import IndexUnavailableError
from retrieval.generator import GenerationError

MAX_MESSAGE = 1000  # characters; a request is a sentence, a pasted essay is a mistake
PROMPT = "[bold cyan]you ›[/] "
DEBUG_ENV = "AGENT_DEBUG"
_ESCAPES = re.compile(r"(\x1b\[[0-9;]*m)")


class ChatUI:
    def __init__(self, console: Console, playlister: Playlister, agent: ToolAgent | None = None,
                 transcript: Path | None = None, source: str = "", llm_label: str = "no LLM",
                 reader: Callable[[], Understander] | None = None, kept: Path | None = None):
        self.console = console
        self.playlister = playlister
        self.session: ChatSession = playlister.session
        self.commands = Commands(playlister)
        self.dispatcher = Dispatcher(self.commands)
        self.context = ChatContext(self.session, playlister.search)
        self.agent = agent
        self.transcript = transcript
        self.kept = kept  # the session, rewritten after every message, for `agent chat --resume`
        self.source = source
        self.llm_label = llm_label
        self._reader = reader or self._own_reader
        self._understander: Understander | None = None
        self.spin = Spinner(console)
        # Every wait over a second shows the spinner: LLM calls, and the models still loading.
        playlister.llm.spin = self.spin
        if isinstance(playlister.retriever, LoadingRetriever):
            playlister.retriever.spin = self.spin

    # -- the loop ----------------------------------------------------------------------

    def run(self) -> None:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass
        self.console.print(
            f"[bold]agent chat[/bold] · profile [bold]{safe_text(self.session.profile_name)}[/bold] · "
            f"{safe_text(self.llm_label)}{' · ' + self.source if self.source else ''}\n"
            "[dim]/help lists the commands; /quit or Ctrl-D ends.[/dim]",
            highlight=False,
        )
        if self.session.current is not None:
            print_table(self.console, self.session.current.playlist, source=self._footer(self.session.current))
            self.console.print(Text(clean(f"resumed “{self.session.title}” ({len(self.session.turns)} messages "
                                          "so far; /undo goes back through its versions)"), style="green"))
        while True:
            try:
                line = self._read_line()
            except (EOFError, KeyboardInterrupt):
                self.console.print()
                if self._may_leave():
                    break
                continue
            try:
                if not self.handle(line) and self._may_leave():
                    break
            except KeyboardInterrupt:
                self.console.print("[yellow]cancelled[/yellow]")
        self._write_transcript()
        self.console.print("Bye.")

    def _may_leave(self) -> bool:
        """Leaving with a playlist no file holds asks first: y leaves, s saves it and leaves, else the chat goes on."""
        if not self.session.unsaved:
            return True
        self.console.print(Text(clean(f"“{self.session.title}” is not saved. Leave anyway? "
                                      "y = leave, s = save it as M3U and leave, anything else = stay"), style="yellow"))
        try:
            answer = self._read_line().strip().lower()
        except (EOFError, KeyboardInterrupt):  # a second Ctrl-D: leave
            self.console.print()
            return True
        if answer in ("s", "save"):
            try:
                self.console.print(Text(clean(self.commands.saved("", overwrite=False).message), style="green"))
            except ChatError as error:
                self._error(f"{error}; still here")
                return False
            return True
        if answer in ("y", "yes", "leave", "quit", "exit", "bye"):
            return True
        self.console.print("[green]staying; nothing changed[/green]")
        return False

    def handle(self, line: str) -> bool:
        """Do one message; False when the chat should end."""
        text = line.strip()
        if not text:
            return True
        # A pasted essay is refused below; the transcript keeps only its beginning.
        turn = self.session.begin(text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…")
        try:
            reply = self._reply(text, turn)
            self.show(reply, turn)
        except (ChatError, GenerationError, LLMError, OSError, EncoderError, IndexUnavailableError) as error:
            # The last two: the models, loaded in the background, could not be (a broken encoder or index).
            turn.reply = f"error: {error}"
            self._error(str(error))
            reply = None
        except Exception as error:  # a bug: say so in one line and keep the chat alive
            if os.environ.get(DEBUG_ENV):
                self.console.print_exception()
            turn.reply = f"internal error: {type(error).__name__}: {error}"
            self._error(f"internal error ({type(error).__name__}: {error}); set {DEBUG_ENV}=1 for the traceback")
            reply = None
        self._show_calls(turn)
        self._write_transcript()
        return not (reply and reply.quit)

    def _read_line(self) -> str:
        """The next line; on a terminal the prompt goes to readline, which then echoes an empty line's
        Enter (printed before input(), it leaves "you › you ›" on one line)."""
        if not self.console.is_terminal:
            return self.console.input(PROMPT)
        with self.console.capture() as captured:
            self.console.print(PROMPT, end="")
        # readline must not count colour codes as columns: \001 and \002 fence them off.
        return input(_ESCAPES.sub("\001\\1\002", captured.get()))

    def _reply(self, text: str, turn: Turn) -> Reply:
        if len(text) > MAX_MESSAGE:
            raise ChatError(f"that message is {len(text):,} characters long; keep a request under {MAX_MESSAGE:,}")
        if text.startswith("/"):
            with self.spin("working…"):
                return self.commands.slash(text)
        before = self.session.current
        if self.agent is not None:
            with self.spin("the agent is working…"):
                answer = self.agent.ask(text)
            turn.reply = answer
            changed = self.session.current is not before
            return Reply(message=answer, version=self.session.current if changed else None)
        return self._act(text, turn)

    def _act(self, text: str, turn: Turn) -> Reply:
        """Free text: read into one action (or a question back), then done."""
        with self.spin("working…"):
            parsed = self._understand(text)
            turn.understood = f"{parsed.action} {parsed.slots} ({parsed.confidence:.2f})"
            return self.dispatcher.run(parsed)

    def _understand(self, text: str):
        if self._understander is None:
            self._understander = self._reader()
        return self._understander.parse(text, self.context.parse_context())

    def _own_reader(self) -> Understander:
        return Understander(self.playlister.retriever.encoder)

    # -- showing -----------------------------------------------------------------------

    def show(self, reply: Reply, turn: Turn) -> None:
        if reply.show_help:
            self.console.print(HELP)
        if reply.version is not None:
            print_table(self.console, reply.version.playlist, source=self._footer(reply.version))
        if reply.explanation is not None:
            self._explanation(reply.explanation)
        if reply.tracks is not None:
            self._tracks(reply)
        if reply.neighbours is not None:
            self._neighbours(reply)
        if reply.show_profile:
            self._profile()
        for warning in reply.warnings:
            self.console.print(f"[yellow]note:[/yellow] {safe_text(warning)}")
        if reply.message:
            self.console.print(Text(clean(reply.message), style="green"))
        turn.reply = turn.reply or reply.message
        if reply.version is not None:
            turn.version = self.session.history.cursor

    def _footer(self, version: Version) -> str:
        """The table's footer: the catalog, and the words the playlist is steered by (never glued to its title)."""
        recipe = version.recipe
        words = " ".join([f"+{w}" for w in recipe.moods] + [f"−{w}" for w in recipe.avoid])
        return " · ".join(part for part in (self.source, f"steering {words}" if words else "") if part)

    def _explanation(self, explanation: Explanation) -> None:
        t = explanation.track
        if not explanation.voters:
            self.console.print(Text("\n".join(clean(line) for line in explanation.summary().splitlines())))
            return
        table = Table(title=f"Why #{t.rank} “{safe_text(t.track_name)}” by {safe_text(t.artist_name)} "
                            f"(score {t.score:g}, {explanation.voting} voting)", title_justify="left")
        table.add_column("pid", justify="right", style="dim")
        table.add_column("voting playlist")
        table.add_column("title similarity", justify="right")
        for voter in explanation.voters[:15]:
            similarity = f"{voter.similarity:.3f}" if voter.similarity is not None else "holds a liked track"
            table.add_row(str(voter.pid), Text(clean(voter.name)), similarity)
        self.console.print(table)
        similar = sum(v.similarity is not None for v in explanation.voters)
        more = f"; {len(explanation.voters) - 15} more not shown" if len(explanation.voters) > 15 else ""
        self.console.print(f"{similar} of the {explanation.neighbours} playlists most similar to the title "
                           f"hold it{more}.")

    def _tracks(self, reply: Reply) -> None:
        if not reply.tracks:
            self.console.print("[yellow]not in the catalog[/yellow] (nothing matched)")
            return
        for number, track in enumerate(reply.tracks, 1):
            self.console.print(Text(clean(f"{number:>2}. {track.track_name} — {track.artist_name}")))

    def _neighbours(self, reply: Reply) -> None:
        self.console.print(neighbours_table(reply.neighbours, "Similar playlists"))

    def _profile(self) -> None:
        profile = self.session.profile
        for label, items in [("liked artists", profile.liked_artists), ("unwanted artists", profile.unwanted_artists),
                             ("liked tracks", profile.liked_tracks), ("unwanted tracks", profile.unwanted_tracks)]:
            self.console.print(Text(clean(f"{label}: {', '.join(items) or '-'}")))

    def _show_calls(self, turn: Turn) -> None:
        if not turn.calls or turn.calls[-1].name == "quit":
            return
        shown = [f"{'✗ ' if not c.ok else ''}{c.name} {c.seconds:.2f}s" for c in turn.calls]
        self.console.print(f"[dim]↳ {escape(' · '.join(shown))}[/dim]", highlight=False)

    def _error(self, message: str) -> None:
        self.console.print(Text.assemble(("error: ", "bold red"), clean(" ".join(message.split()))))

    def _write_transcript(self) -> None:
        if self.kept is not None:
            try:
                keep(self.kept, self.session)
            except OSError as error:
                self._error(f"cannot keep the chat in {self.kept}: {error.strerror or error}; --resume will not find it")
                self.kept = None
        if self.transcript is None:
            return
        try:
            write_transcript(self.transcript, self.session)
        except FileWriteError as error:
            self._error(f"the transcript is no longer written: {error}")
            self.transcript = None
