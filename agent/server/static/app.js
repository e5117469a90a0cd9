// The page: ask for a playlist, show retrieval at once and the LLM modes when they come.
// Catalog text only ever reaches the page through textContent (see el()).
"use strict";

const HEADINGS = { retrieval: "Retrieval", rerank: "LLM rerank", llm: "Pure LLM" };
const LABELS = { R: "retrieval", K: "rerank", L: "LLM" };
const SPOTIFY = "spotify:track:";
const seeds = new Map(); // uri -> "song · artist"
let asked = 0; // ignores answers to an earlier question

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let data;
  try { data = JSON.parse(text); } catch { data = text; }
  if (!response.ok) throw new Error(data && data.error ? data.error.message : `HTTP ${response.status}`);
  return data;
}

function status(text, kind = "") {
  const node = document.getElementById("status");
  node.textContent = text;
  node.className = kind;
}

function profileName() { return document.getElementById("profile").value.trim() || "default"; }

function request(mode) {
  return {
    title: document.getElementById("title").value, n: Number(document.getElementById("count").value),
    seeds: [...seeds.keys()], profile: profileName(), ...(mode ? { mode } : {}),
  };
}

// -- one column per mode ----------------------------------------------------------

function spotifyLink(uri) {
  if (!uri || !uri.startsWith(SPOTIFY)) return null;
  return el("a", { href: "https://open.spotify.com/track/" + encodeURIComponent(uri.slice(SPOTIFY.length)),
    target: "_blank", rel: "noopener", class: "spotify" }, "Open in Spotify");
}

function explanation(track, playlist) {
  const names = new Map(playlist.neighbours.map((n) => [n.pid, n]));
  const voters = track.voters.map((pid) => names.get(pid)).filter(Boolean);
  const parts = [];
  if (voters.length) {
    parts.push(el("p", {}, `Voted by ${track.voters.length} playlist${track.voters.length === 1 ? "" : "s"}, score ${track.score.toFixed(2)}:`));
    parts.push(el("ul", { class: "voters" }, voters.slice(0, 8).map((n) =>
      el("li", {}, `“${n.name}”`, el("span", { class: "muted" }, ` similarity ${n.similarity.toFixed(2)}`)))));
    if (track.voters.length > 8) parts.push(el("p", { class: "muted" }, `… and ${track.voters.length - 8} more.`));
  } else if (!track.in_catalog) {
    parts.push(el("p", {}, "Named by the LLM; not in the catalog."));
  } else {
    parts.push(el("p", {}, `Score ${track.score}.`));
  }
  if (track.merged_uris.length) parts.push(el("p", { class: "muted" }, `${track.merged_uris.length} other version(s) merged in.`));
  if (track.signals) parts.push(el("p", { class: "muted" }, "Signals: " + JSON.stringify(track.signals)));
  const summary = track.voters.length ? `why · ${track.voters.length} votes` : "why";
  return el("details", { class: "why" }, el("summary", {}, summary), parts);
}

function feedback(track, verb) {
  const label = verb === "like" ? "♥ like" : "✕ dislike";
  return el("button", {
    type: "button", class: `feedback ${verb}`, title: `${verb} this track (profile)`, "aria-label": `${verb} ${track.track_name}`,
    onclick: async (event) => {
      const button = event.currentTarget;
      try {
        await api("POST", `/v1/profiles/${encodeURIComponent(profileName())}/${verb}`, { tracks: [track.track_uri] });
        button.closest("li").dataset.feedback = verb;
        status(`${verb === "like" ? "Liked" : "Disliked"} “${track.track_name}” in profile ${profileName()}.`);
      } catch (error) { status(error.message, "error"); }
    },
  }, label);
}

function trackItem(track, playlist, also) {
  const badges = (also || "").split("").map((label) => el("span", { class: `badge ${label}`, title: `also in ${LABELS[label]}` }, label));
  const actions = track.track_uri ? [spotifyLink(track.track_uri), feedback(track, "like"), feedback(track, "dislike")] : [];
  return el("li", { class: track.in_catalog ? "track" : "track missing" },
    el("span", { class: "rank" }, track.rank),
    el("div", { class: "body" },
      el("div", { class: "name" }, track.track_name, badges),
      el("div", { class: "artist" }, track.artist_name),
      el("div", { class: "actions" }, actions, explanation(track, playlist))));
}

function download(playlist, format) {
  return el("button", {
    type: "button", class: "secondary small", onclick: async () => {
      try {
        const response = await fetch("/v1/export", { method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ playlist, format }) });
        if (!response.ok) throw new Error(`export failed (HTTP ${response.status})`);
        const link = el("a", { href: URL.createObjectURL(await response.blob()),
          download: `${playlist.normalized_title || "playlist"}-${playlist.mode}.${format}` });
        document.body.append(link); link.click(); link.remove();
      } catch (error) { status(error.message, "error"); }
    },
  }, format.toUpperCase());
}

function caption(playlist) {
  const parts = [`${(playlist.seconds * 1000).toFixed(0)} ms`];
  if (playlist.llm) {
    parts.push(`${playlist.llm.backend} ${playlist.llm.model}`);
    if (playlist.llm.fallback) parts.push("LLM failed: retrieval order");
  } else {
    parts.push(`${playlist.neighbours.length} similar playlists · ${playlist.encoder}`);
  }
  if (playlist.match_rate !== null && playlist.match_rate !== undefined) parts.push(`${Math.round(playlist.match_rate * 100)}% in catalog`);
  return parts.join(" · ");
}

function column(mode, playlist, also) {
  const section = el("article", { class: "column", "data-mode": mode }, el("h2", {}, HEADINGS[mode]));
  if (!playlist) {
    section.append(el("p", { class: "waiting" }, el("span", { class: "spinner" }), "waiting for the LLM…"));
    return section;
  }
  section.append(el("p", { class: "caption muted" }, caption(playlist)));
  for (const warning of playlist.warnings) section.append(el("p", { class: "warning" }, warning));
  section.append(el("ol", { class: "tracks" }, playlist.tracks.map((t, i) => trackItem(t, playlist, also && also[i]))));
  section.append(el("div", { class: "exports" }, el("span", { class: "muted" }, "Export"),
    ["m3u", "csv", "json"].map((format) => download(playlist, format))));
  return section;
}

function show(columns) {
  const results = document.getElementById("results");
  results.replaceChildren(...columns);
}

// -- asking -----------------------------------------------------------------------------

async function ask(event) {
  event.preventDefault();
  const question = ++asked;
  const withLLM = document.getElementById("with-llm").checked;
  const started = performance.now();
  status("Finding similar playlists…");
  try {
    const retrieval = await api("POST", "/v1/playlists", request("retrieval"));
    if (question !== asked) return;
    const waiting = withLLM ? [column("rerank"), column("llm")] : [];
    show([column("retrieval", retrieval), ...waiting]);
    status(`“${retrieval.title}”: ${retrieval.tracks.length} tracks in ${((performance.now() - started) / 1000).toFixed(2)} s.`
      + (withLLM ? " Asking the LLM…" : ""));
    if (!withLLM) return;
    const timer = setInterval(() => {
      if (question === asked) status(`Asking the LLM… ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }, 1000);
    try {
      const comparison = await api("POST", "/v1/compare", request());
      if (question !== asked) return;
      show(comparison.playlists.map((p) => column(p.mode, p, comparison.also[p.mode])));
      const shared = Object.entries(comparison.overlap).map(([pair, n]) => `${pair}: ${n}`).join(" · ");
      status(`Shared songs: ${shared}.`);
    } finally { clearInterval(timer); }
  } catch (error) {
    if (question === asked) status(error.message, "error");
  }
}

function renderSeeds() {
  document.getElementById("seeds").replaceChildren(...[...seeds].map(([uri, label]) =>
    el("li", {}, label, el("button", { type: "button", class: "icon", "aria-label": `remove ${label}`,
      onclick: () => { seeds.delete(uri); renderSeeds(); } }, "×"))));
}

async function searchSeeds() {
  const query = document.getElementById("seed-query").value.trim();
  if (!query) return;
  try {
    const found = await api("GET", `/v1/search?q=${encodeURIComponent(query)}&limit=8`);
    document.getElementById("seed-results").replaceChildren(...found.tracks.map((t) => {
      const label = `${t.track_name} · ${t.artist_name}`;
      return el("li", {}, el("button", { type: "button", class: "chip", onclick: () => { seeds.set(t.track_uri, label); renderSeeds(); } }, "+ ", label));
    }));
    if (!found.tracks.length) status(`No song matches “${query}”.`);
  } catch (error) { status(error.message, "error"); }
}

document.getElementById("ask").addEventListener("submit", ask);
document.getElementById("seed-search").addEventListener("click", searchSeeds);
document.getElementById("seed-query").addEventListener("keydown", (event) => {
  if (event.key === "Enter") { event.preventDefault(); searchSeeds(); }
});
