// Drawing playlists. Catalog and user text only ever reaches the page through text
// nodes (see el()): it is never markup.
"use strict";

const HEADINGS = { retrieval: "Retrieval", rerank: "LLM rerank", llm: "Pure LLM" };
const LABELS = { R: "retrieval", K: "rerank", L: "LLM" };
const SPOTIFY = "spotify:track:";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

// The discovery slider's value in words: the page's three named steps, 0 / 0.3 / 0.7.
function discoveryWords(value) {
  return `${value}: ${value >= 0.7 ? "deep cuts" : value >= 0.3 ? "balanced" : value > 0 ? "fewer hits" : "hits"}`;
}

function showDiscovery(value) {
  const slider = document.getElementById("discovery");
  slider.value = String(value);
  slider.setAttribute("aria-valuetext", discoveryWords(value));
  document.getElementById("discovery-value").textContent = discoveryWords(value);
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

function status(text, kind = "", ...extra) {
  const node = document.getElementById("status");
  node.replaceChildren(text, ...extra);
  node.className = kind;
}

function plural(count, word) { return `${count} ${word}${count === 1 ? "" : "s"}`; }

function spotifyLink(uri) {
  if (!uri || !uri.startsWith(SPOTIFY)) return null;
  return el("a", { href: "https://open.spotify.com/track/" + encodeURIComponent(uri.slice(SPOTIFY.length)),
    target: "_blank", rel: "noopener", class: "spotify" }, "Spotify");
}

function why(sentence) {
  return el("details", { class: "why" }, el("summary", {}, "why"), el("p", {}, sentence));
}

function button(label, title, onclick, extraClass = "") {
  return el("button", { type: "button", class: `icon ${extraClass}`.trim(), title, "aria-label": title, onclick }, label);
}

// `edit` (retrieval only) holds the per-track actions: {remove, replace, move, moreLike, feedback}.
function trackItem(track, index, count, sentence, also, edit) {
  const badges = (also || "").split("").filter(Boolean)
    .map((label) => el("span", { class: `badge ${label}`, title: `also in ${LABELS[label]}` }, label));
  const name = track.track_name;
  const actions = [spotifyLink(track.track_uri)];
  if (track.track_uri && edit) {
    actions.push(
      button("♥ like", `like ${name}`, (e) => edit.feedback(track, "like", e.currentTarget), "feedback like"),
      button("dislike", `dislike ${name}`, (e) => edit.feedback(track, "dislike", e.currentTarget), "feedback dislike"),
      button("↑", `move ${name} up`, () => edit.move(track, index - 1), index === 0 ? "hidden" : ""),
      button("↓", `move ${name} down`, () => edit.move(track, index + 1), index === count - 1 ? "hidden" : ""),
      button("replace", `replace ${name}`, () => edit.replace(track, index), "word"),
      button("remove", `remove ${name}`, () => edit.remove(track), "word"),
      el("button", { type: "button", class: "secondary small more", title: `a new playlist after ${name}`,
        "aria-label": `a new playlist after ${name}`,
        onclick: () => edit.moreLike(track) }, "more like this"));
  }
  return el("li", { class: "track", "data-uri": track.track_uri || "" },
    el("span", { class: "rank" }, index + 1),
    el("div", { class: "body" },
      el("div", { class: "name" }, name, badges),
      el("div", { class: "artist" }, track.artist_name),
      el("div", { class: "actions" }, actions, why(sentence))));
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
    parts.push(`${plural(playlist.neighbours.length, "similar playlist")}`);
  }
  if (playlist.seeds && playlist.seeds.length) {
    parts.push("after " + playlist.seeds.map((s) => `“${s.track_name}”`).join(", "));
  }
  return parts.join(" · ");
}

// The songs an LLM named that the catalog lacks are counted, not listed as if playable.
function missingNote(playlist) {
  const missing = playlist.tracks.filter((t) => !t.in_catalog);
  if (!missing.length) return null;
  return el("details", { class: "missing-note" },
    el("summary", {}, `${missing.length} of ${playlist.tracks.length} named songs are not in the catalog`),
    el("ul", {}, missing.map((t) => el("li", { class: "muted" }, `${t.track_name} · ${t.artist_name}`))));
}

function column(mode, playlist, also, edit) {
  const section = el("article", { class: "column", "data-mode": mode }, el("h2", {}, HEADINGS[mode]));
  if (!playlist) {
    section.append(el("p", { class: "waiting" }, el("span", { class: "spinner" }), "waiting for the LLM…"));
    return section;
  }
  section.append(el("p", { class: "caption muted" }, caption(playlist)));
  for (const warning of playlist.warnings) section.append(el("p", { class: "warning" }, warning));
  const shown = playlist.tracks.map((t, i) => [t, i]).filter(([t]) => t.in_catalog);
  section.append(el("ol", { class: "tracks" }, shown.map(([t, i], position) =>
    trackItem(t, position, shown.length, playlist.explanations[i], also && also[i], edit))));
  section.append(missingNote(playlist) || "");
  section.append(el("div", { class: "exports" }, el("span", { class: "muted" }, "Export"),
    ["m3u", "csv", "json"].map((format) => download(playlist, format))));
  return section;
}

function show(columns) {
  document.getElementById("results").replaceChildren(...columns);
}
