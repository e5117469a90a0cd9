// The page's state lives in the address bar: /?title=road%20trip&seed=URI&steer=upbeat&n=20&discovery=0.3
// &exclude=URI&move=URI@2. Every change pushes an address and asks again, so opening an address
// reproduces its playlist (removals and moves included) and back and forward undo and redo.
"use strict";

const STEER_WORDS = ["upbeat", "chill", "sad", "acoustic", "party", "christmas"];
const seedLabels = new Map(); // uri -> "song · artist", from answers and searches
let state = null;
let asked = 0; // ignores answers to an earlier question
let llmModel = { configured: false, model: null };

// -- the address --------------------------------------------------------------------

function fromAddress() {
  const query = new URLSearchParams(location.search);
  const n = Number(query.get("n"));
  return {
    title: query.get("title") || "", seeds: query.getAll("seed"), steer: query.getAll("steer"),
    strength: Number(query.get("strength")) || 0.5, n: [10, 20, 50].includes(n) ? n : 10,
    discovery: tenths(query.get("discovery")),
    exclude: query.getAll("exclude"), moves: query.getAll("move"),
    noprofile: query.get("profile") === "off", llm: query.get("llm") === "1",
  };
}

function toAddress(s) {
  const query = new URLSearchParams();
  if (s.title) query.set("title", s.title);
  s.seeds.forEach((uri) => query.append("seed", uri));
  s.steer.forEach((word) => query.append("steer", word));
  if (s.steer.length && s.strength !== 0.5) query.set("strength", String(s.strength));
  if (s.n !== 10) query.set("n", String(s.n));
  if (s.discovery) query.set("discovery", String(s.discovery));
  s.exclude.forEach((uri) => query.append("exclude", uri));
  s.moves.forEach((move) => query.append("move", move));
  if (s.noprofile) query.set("profile", "off");
  if (s.llm) query.set("llm", "1");
  return "/?" + query.toString();
}

function go(next, replace = false) {
  state = next;
  history[replace ? "replaceState" : "pushState"](null, "", toAddress(state));
  fillForm();
  return ask();
}

// -- the form mirrors the state -----------------------------------------------------

const $ = (id) => document.getElementById(id);

function fillForm() {
  $("title").value = state.title;
  $("count").value = String(state.n);
  $("strength").value = String(state.strength);
  $("strength-value").textContent = String(state.strength);
  showDiscovery(state.discovery);
  $("use-profile").checked = !state.noprofile;
  $("with-llm").checked = state.llm;
  renderSeeds();
  renderSteer();
  renderEdits();
}

function fromForm() {
  return { ...state, title: $("title").value.trim(), n: Number($("count").value), strength: Number($("strength").value),
    discovery: tenths($("discovery").value),
    noprofile: !$("use-profile").checked, llm: $("with-llm").checked, exclude: [], moves: [] };
}

// An address may hold anything: a number 0..1 in tenths, else 0 (the catalog's hits, as without it).
function tenths(text) {
  const value = Math.round(Number(text) * 10) / 10;
  return value >= 0 && value <= 1 ? value : 0;
}

function profileName() { return $("profile").value.trim() || "default"; }

function body(s, extra = {}) {
  return {
    title: s.title, n: s.n, seeds: s.seeds, profile: s.noprofile ? null : profileName(),
    filters: { exclude_tracks: s.exclude, discovery: s.discovery }, ...extra,
  };
}

// -- asking -------------------------------------------------------------------------

function applyMoves(playlist, moves) {
  let rows = playlist.tracks.map((track, i) => [track, playlist.explanations[i]]);
  for (const move of moves) {
    const at = move.lastIndexOf("@");
    const uri = move.slice(0, at), to = Number(move.slice(at + 1));
    const from = rows.findIndex(([t]) => t.track_uri === uri);
    if (from < 0 || !(to >= 0)) continue;
    const [row] = rows.splice(from, 1);
    rows.splice(Math.min(to, rows.length), 0, row);
  }
  rows = rows.map(([t, why], i) => [{ ...t, rank: i + 1 }, why]);
  return { ...playlist, tracks: rows.map(([t]) => t), explanations: rows.map(([, why]) => why) };
}

async function ask() {
  const question = ++asked;
  const s = state;
  if (!s.title && !s.seeds.length) { show([]); status("Type a title or choose a seed song."); return null; }
  const started = performance.now();
  status("Finding similar playlists…");
  try {
    const steering = s.steer.length ? { steering: s.steer, steer_strength: s.strength } : {};
    const [answer, plain] = await Promise.all([
      api("POST", "/v1/playlists", body(s, steering)),
      s.steer.length ? api("POST", "/v1/playlists", body(s)) : null,
    ]);
    if (question !== asked) return null;
    answer.seeds.forEach((t) => seedLabels.set(t.track_uri, `${t.track_name} · ${t.artist_name}`));
    renderSeeds();
    const playlist = applyMoves(answer, s.moves);
    show([column("retrieval", playlist, null, editing(playlist)), ...(s.llm ? [column("rerank"), column("llm")] : [])]);
    const heading = s.title ? `“${s.title}”` : `After ${plural(s.seeds.length, "seed song")}`;
    let line = `${heading}: ${playlist.tracks.length} tracks in ${((performance.now() - started) / 1000).toFixed(2)} s.`;
    if (s.discovery) line += ` Discovery ${discoveryWords(s.discovery)}.`;
    if (plain) {
      const before = new Set(plain.tracks.map((t) => t.track_uri));
      const changed = playlist.tracks.filter((t) => !before.has(t.track_uri)).length;
      line += ` Steering changed ${changed} of ${playlist.tracks.length} tracks.`;
    }
    status(line);
    $("steer").dataset.changed = plain ? "yes" : "";
    if (s.llm) await askLLM(question, s, started);
    return playlist;
  } catch (error) {
    if (question === asked) status(error.message, "error");
    return null;
  }
}

async function askLLM(question, s, started) {
  const timer = setInterval(() => {
    if (question === asked) status(`Asking the LLM… ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }, 1000);
  try {
    const comparison = await api("POST", "/v1/compare", body(s));
    if (question !== asked) return;
    const retrieval = $("results").firstChild;
    show([retrieval, ...comparison.playlists.filter((p) => p.mode !== "retrieval")
      .map((p) => column(p.mode, p, comparison.also[p.mode]))]);
    status(`Shared songs: ${Object.entries(comparison.overlap).map(([pair, n]) => `${pair}: ${n}`).join(" · ")}.`);
  } catch (error) {
    if (question === asked) status(error.message, "error");
  } finally { clearInterval(timer); }
}

// -- per-track edits: each is a new address ---------------------------------------------

function undoButton() {
  return el("button", { type: "button", class: "secondary small", id: "undo", onclick: () => history.back() }, "Undo");
}

function editing(playlist) {
  return {
    remove: async (track) => {
      await go({ ...state, exclude: [...state.exclude, track.track_uri] });
      status(`Removed “${track.track_name}”. `, "", undoButton());
    },
    replace: async (track, index) => {
      const before = new Set(playlist.tracks.map((t) => t.track_uri));
      const next = await go({ ...state, exclude: [...state.exclude, track.track_uri] });
      const incoming = next && next.tracks.find((t) => !before.has(t.track_uri));
      if (incoming) await go({ ...state, moves: [...state.moves, `${incoming.track_uri}@${index}`] }, true);
      status(`Replaced “${track.track_name}”${incoming ? ` with “${incoming.track_name}”` : ""}. `, "", undoButton());
    },
    move: (track, index) => go({ ...state, moves: [...state.moves, `${track.track_uri}@${index}`] }),
    moreLike: (track) => {
      seedLabels.set(track.track_uri, `${track.track_name} · ${track.artist_name}`);
      return go({ ...state, title: "", seeds: [track.track_uri], steer: [], exclude: [], moves: [] });
    },
    feedback: async (track, verb, node) => {
      try {
        await api("POST", `/v1/profiles/${encodeURIComponent(profileName())}/${verb}`, { tracks: [track.track_uri] });
        node.closest("li").dataset.feedback = verb;
        status(`${verb === "like" ? "Liked" : "Disliked"} “${track.track_name}” in profile ${profileName()}.`);
        showProfile();
      } catch (error) { status(error.message, "error"); }
    },
  };
}

function renderEdits() {
  const count = state.exclude.length, moved = state.moves.length;
  const node = $("edits");
  if (!count && !moved) { node.replaceChildren(); return; }
  const parts = [count && `${plural(count, "track")} removed`, moved && `${plural(moved, "move")}`].filter(Boolean);
  node.replaceChildren(`${parts.join(", ")} in this playlist. `, el("button", { type: "button", class: "secondary small",
    id: "restore", onclick: () => go({ ...state, exclude: [], moves: [] }) }, "Restore all"));
}

// -- seeds: search as you type ------------------------------------------------------------

let searchTimer = 0, searched = 0, active = -1;

function renderSeeds() {
  $("seeds").replaceChildren(...state.seeds.map((uri) => {
    const label = seedLabels.get(uri) || uri;
    return el("li", {}, label, el("button", { type: "button", class: "icon", "aria-label": `remove seed ${label}`,
      onclick: () => go({ ...fromForm(), seeds: state.seeds.filter((s) => s !== uri) }) }, "×"));
  }));
}

function suggestions() { return [...$("seed-results").children]; }

function highlight(index) {
  const items = suggestions();
  active = items.length ? (index + items.length) % items.length : -1;
  items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
  $("seed-query").setAttribute("aria-activedescendant", active >= 0 ? items[active].id : "");
}

function closeSuggestions() {
  $("seed-results").replaceChildren();
  $("seed-query").setAttribute("aria-expanded", "false");
  active = -1;
}

function addSeed(track) {
  seedLabels.set(track.track_uri, `${track.track_name} · ${track.artist_name}`);
  $("seed-query").value = "";
  closeSuggestions();
  const current = fromForm();
  if (!current.seeds.includes(track.track_uri)) go({ ...current, seeds: [...current.seeds, track.track_uri] });
}

async function searchSeeds() {
  const query = $("seed-query").value.trim();
  const mine = ++searched;
  if (query.length < 2) { closeSuggestions(); return; }
  try {
    const found = await api("GET", `/v1/search?q=${encodeURIComponent(query)}&limit=8`);
    if (mine !== searched) return;
    $("seed-results").replaceChildren(...found.tracks.map((t, i) => el("li", {
      id: `suggestion-${i}`, role: "option", "aria-selected": "false", onmousedown: (e) => { e.preventDefault(); addSeed(t); },
    }, `${t.track_name} · `, el("span", { class: "muted" }, t.artist_name))));
    $("seed-query").setAttribute("aria-expanded", String(found.tracks.length > 0));
    highlight(0);
    $("seed-results").tracks = found.tracks;
    if (!found.tracks.length) status(`No song matches “${query}”.`);
  } catch (error) { status(error.message, "error"); }
}

function seedKeys(event) {
  const tracks = $("seed-results").tracks || [];
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault(); highlight(active + (event.key === "ArrowDown" ? 1 : -1));
  } else if (event.key === "Enter") {
    event.preventDefault();
    if (active >= 0 && tracks[active]) addSeed(tracks[active]);
  } else if (event.key === "Escape") { closeSuggestions(); }
}

// -- steering -------------------------------------------------------------------------------

function renderSteer() {
  const words = [...new Set([...STEER_WORDS, ...state.steer.map((w) => w.replace(/^[-+]/, ""))])];
  $("steer-chips").replaceChildren(...words.map((word) => {
    const mode = state.steer.includes(word) ? "toward" : state.steer.includes("-" + word) ? "away" : "off";
    return el("button", { type: "button", class: `chip steer ${mode}`, "data-word": word, "aria-pressed": String(mode !== "off"),
      title: { off: `steer toward ${word}`, toward: `steer away from ${word}`, away: `stop steering by ${word}` }[mode],
      onclick: () => toggleSteer(word, mode) }, mode === "away" ? `− ${word}` : mode === "toward" ? `+ ${word}` : word);
  }));
}

function toggleSteer(word, mode) {
  const rest = state.steer.filter((w) => w !== word && w !== "-" + word);
  const next = mode === "off" ? [...rest, word] : mode === "toward" ? [...rest, "-" + word] : rest;
  return go({ ...fromForm(), exclude: state.exclude, steer: next });
}

// -- profile and LLM ---------------------------------------------------------------------------

async function showProfile() {
  const node = $("profile-summary");
  try {
    const profile = await api("GET", `/v1/profiles/${encodeURIComponent(profileName())}`);
    const parts = [[profile.liked_tracks, "liked track"], [profile.unwanted_tracks, "disliked track"],
      [profile.liked_artists, "liked artist"], [profile.unwanted_artists, "disliked artist"]]
      .filter(([items]) => items.length).map(([items, word]) => plural(items.length, word));
    const applied = "applied";
    node.textContent = state.noprofile ? `off for this playlist (${parts.join(", ") || "empty"})`
      : parts.length ? `${applied}: ${parts.join(", ")}` : "empty so far";
  } catch (error) { node.textContent = error.message; }
}

async function setUpLLM() {
  try { llmModel = (await api("GET", "/healthz")).llm || llmModel; } catch { /* the page works without it */ }
  $("llm-label").textContent = llmModel.configured
    ? `also ask the LLM (${llmModel.model}; slower)`
    : "also ask the bundled demo model (SmolLM2-135M: tiny, it mostly echoes retrieval)";
  $("llm-box").classList.toggle("demo", !llmModel.configured);
}

// -- wiring ------------------------------------------------------------------------------------

function start() {
  $("profile").value = localStorage.getItem("profile") || "default";
  $("ask").addEventListener("submit", (event) => { event.preventDefault(); go(fromForm()); });
  $("seed-query").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(searchSeeds, 200); });
  $("seed-query").addEventListener("keydown", seedKeys);
  $("seed-query").addEventListener("blur", () => setTimeout(closeSuggestions, 100));
  $("strength").addEventListener("input", () => { $("strength-value").textContent = $("strength").value; });
  $("strength").addEventListener("change", () => state.steer.length && go(fromForm()));
  $("discovery").addEventListener("input", () => showDiscovery(tenths($("discovery").value)));
  $("discovery").addEventListener("change", () => go(fromForm()));
  $("steer-word").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const word = $("steer-word").value.trim();
    $("steer-word").value = "";
    if (word) go({ ...fromForm(), steer: [...state.steer.filter((w) => w !== word), word] });
  });
  $("use-profile").addEventListener("change", () => { go({ ...fromForm(), exclude: state.exclude, moves: state.moves }); showProfile(); });
  $("with-llm").addEventListener("change", () => { state = { ...state, llm: $("with-llm").checked }; history.replaceState(null, "", toAddress(state)); });
  $("profile").addEventListener("change", () => { localStorage.setItem("profile", profileName()); showProfile(); });
  window.addEventListener("popstate", () => { state = fromAddress(); fillForm(); ask(); showProfile(); });
  state = fromAddress();
  fillForm();
  setUpLLM();
  showProfile();
  ask();
}

start();
