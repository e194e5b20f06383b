// The operator console: stored readings with search and paging, a reading's page (the
// straightened image with each field's box, every field's value, what was read and how sure),
// corrections, checking, deletion and export. The operator's key is typed once, kept in this
// tab's session storage and sent as the x-api-key header, never in an address. What a key may
// do is its role's (the server answers 403 otherwise). No framework and no build step.
"use strict";

// Fields below this confidence are highlighted for a look.
const LOW_CONFIDENCE = 0.6;
const PAGE_SIZE = 25;

const $ = (id) => document.getElementById(id);
const KEY = "kitascanOperatorKey";
let cursors = [];      // `before` of each page shown so far; the last is the current page's
let nextBefore = null;
let current = null;    // the reading shown

function key() { return sessionStorage.getItem(KEY) || ""; }

function say(text) { $("message").textContent = text; }

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { "x-api-key": key(), ...(options.headers || {}) } });
  if (res.status === 401) {
    sessionStorage.removeItem(KEY);
    show("key");
    say("The key was not accepted.");
    throw new Unauthorized();
  }
  return res;
}

async function refusal(res) {
  const body = await res.json().catch(() => ({}));
  if (res.status === 403) return "Your key's role does not allow this (" + (body.message || "forbidden") + ").";
  return body.message || ("Failed (" + res.status + ").");
}

function show(view) {
  for (const v of ["key", "list", "scan"]) $(v + "-view").hidden = v !== view;
  $("sign-out").hidden = view === "key";
  if (view === "key") $("key-input").focus();
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function when(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "") : ""; }

function query(before) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const [name, id] of [["q", "q"], ["from", "from"], ["to", "to"], ["document_type", "kind"]]) {
    const v = $(id).value.trim();
    if (v) p.set(name, v);
  }
  if (before) p.set("before", before);
  return p;
}

async function loadPage(before) {
  const res = await api("/api/v1/scans?" + query(before));
  if (!res.ok) { say(await refusal(res)); return false; }
  const page = await res.json();
  const rows = page.scans.map((s) => {
    const tr = el("tr");
    tr.dataset.scanId = s.id;
    tr.append(el("td", when(s.created_at)), el("td", s.status === "permit" ? s.document_type : "not a permit"),
      el("td", s.full_name), el("td", s.permit_number), el("td", s.passport_number), el("td", s.source));
    tr.addEventListener("click", () => openScan(s.id));
    return tr;
  });
  $("scan-rows").replaceChildren(...rows);
  $("no-scans").hidden = rows.length > 0;
  nextBefore = page.next_before;
  $("next-page").disabled = !nextBefore;
  $("first-page").disabled = !before;
  show("list");
  return true;
}

async function search(event) {
  if (event) event.preventDefault();
  cursors = [];
  say("");
  await loadPage(null);
}

function fieldRow(name, f, canEdit) {
  const tr = el("tr");
  tr.dataset.field = name;
  const conf = Number(f.confidence) || 0;
  if (f.value && conf < LOW_CONFIDENCE) tr.classList.add("low");
  const value = el("td", f.value, "value");
  const edit = el("button", "Correct");
  edit.type = "button";
  edit.className = "edit";
  edit.addEventListener("click", () => startEdit(tr, name, f.value));
  const tools = el("td");
  if (canEdit) tools.append(edit);
  tr.append(el("td", name.replace(/_/g, " "), "name"), value, el("td", f.value_original, "original"),
    el("td", conf.toFixed(2), "confidence"), tools);
  tr.addEventListener("mouseenter", () => highlight(name, true));
  tr.addEventListener("mouseleave", () => highlight(name, false));
  return tr;
}

function startEdit(tr, name, value) {
  const cell = tr.querySelector(".value");
  const form = el("form");
  form.className = "correct";
  const input = el("input");
  input.value = value || "";
  input.name = "value";
  const save = el("button", "Save");
  save.type = "submit";
  form.append(input, save);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    await correct(name, input.value);
  });
  cell.replaceChildren(form);
  input.focus();
}

async function correct(name, value) {
  const res = await api("/api/v1/scans/" + encodeURIComponent(current.id) + "/fields/" + encodeURIComponent(name), {
    method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ value }),
  });
  if (!res.ok) { say(await refusal(res)); await render(current.id); return; }
  say("Saved.");
  renderScan(await res.json());
}

function highlight(name, on) {
  for (const p of $("overlay").querySelectorAll("polygon")) if (p.dataset.field === name) p.classList.toggle("hover", on);
  for (const tr of $("field-rows").children) if (tr.dataset.field === name) tr.classList.toggle("hover", on);
}

// Each field's box over the straightened image, in the image's pixels (the reading's
// `page_polygons`, else the field's own polygon).
function drawBoxes(scan, width, height) {
  const svg = $("overlay");
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  const ns = "http://www.w3.org/2000/svg";
  const onPage = (scan.reading && scan.reading.page_polygons) || {};
  const fields = (scan.reading && scan.reading.fields) || {};
  const shapes = [];
  for (const [name, f] of Object.entries(fields)) {
    const points = onPage[name] || f.polygon || [];
    if (points.length < 3) continue;
    const p = document.createElementNS(ns, "polygon");
    p.setAttribute("points", points.map(([x, y]) => x + "," + y).join(" "));
    p.dataset.field = name;
    if ((Number(f.confidence) || 0) < LOW_CONFIDENCE) p.classList.add("low");
    const title = document.createElementNS(ns, "title");
    title.textContent = name.replace(/_/g, " ");
    p.append(title);
    p.addEventListener("mouseenter", () => highlight(name, true));
    p.addEventListener("mouseleave", () => highlight(name, false));
    shapes.push(p);
  }
  svg.replaceChildren(...shapes);
}

async function showImage(scan) {
  const img = $("scan-image");
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  img.removeAttribute("src");
  $("overlay").replaceChildren();
  $("no-image").hidden = scan.has_image;
  img.hidden = !scan.has_image;
  if (!scan.has_image) return;
  const res = await api("/api/v1/scans/" + encodeURIComponent(scan.id) + "/image");
  if (!res.ok || !current || current.id !== scan.id) return;
  img.src = URL.createObjectURL(await res.blob());
  await img.decode().catch(() => {});
  drawBoxes(scan, img.naturalWidth, img.naturalHeight);
}

function renderScan(scan) {
  const first = !current || current.id !== scan.id;
  current = scan;
  $("scan-view").dataset.scanId = scan.id;
  $("scan-title").textContent = (scan.status === "permit" ? scan.document_type : "Not a permit") + " · " + when(scan.created_at) + " · " + scan.source;
  $("checked").textContent = scan.checked_at ? "checked by " + scan.checked_by + " at " + when(scan.checked_at) : "not checked";
  const fields = (scan.reading && scan.reading.fields) || {};
  $("field-rows").replaceChildren(...Object.entries(fields).map(([n, f]) => fieldRow(n, f, true)));
  $("audit").replaceChildren(...(scan.audit || []).map((a) => el("li",
    when(a.at) + " " + a.who + ": " + (a.action === "correct" ? a.field.replace(/_/g, " ") + " \u201c" + a.old_value + "\u201d \u2192 \u201c" + a.new_value + "\u201d" : a.action))));
  show("scan");
  if (first) showImage(scan);
  else drawBoxes(scan, $("scan-image").naturalWidth, $("scan-image").naturalHeight);
}

async function render(id) {
  const res = await api("/api/v1/scans/" + encodeURIComponent(id));
  if (!res.ok) { say(await refusal(res)); return; }
  renderScan(await res.json());
}

async function openScan(id) {
  say("");
  current = null;
  await render(id);
}

async function markChecked() {
  const res = await api("/api/v1/scans/" + encodeURIComponent(current.id) + "/checked", { method: "PUT" });
  if (!res.ok) { say(await refusal(res)); return; }
  say("Marked checked.");
  renderScan(await res.json());
}

async function remove() {
  if (!window.confirm("Delete this reading and its image for good?")) return;
  const res = await api("/api/v1/scans/" + encodeURIComponent(current.id), { method: "DELETE" });
  if (!res.ok) { say(await refusal(res)); return; }
  say("Deleted.");
  current = null;
  await search();
}

async function exportScans() {
  const format = $("export-format").value;
  const p = new URLSearchParams({ format });
  for (const id of ["from", "to"]) if ($(id).value) p.set(id, $(id).value);
  const res = await api("/api/v1/scans/export?" + p);
  if (!res.ok) { say(await refusal(res)); return; }
  const url = URL.createObjectURL(await res.blob());
  const a = el("a");
  a.href = url;
  a.download = "kitascan-scans." + format;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  say("Exported.");
}

// Forgets the key and everything shown with it.
function signOut() {
  sessionStorage.removeItem(KEY);
  current = null;
  for (const id of ["scan-rows", "field-rows", "overlay", "audit"]) $(id).replaceChildren();
  delete $("scan-view").dataset.scanId;
  const img = $("scan-image");
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  img.removeAttribute("src");
  say("");
  show("key");
}

function guard(f) {
  return (...args) => f(...args).catch((e) => { if (!(e instanceof Unauthorized)) say("Something failed: " + e.message); });
}

// Fleet delivery's state from /healthz (no key needed, no personal data): the sink, its link,
// the outbox's depth and oldest undelivered age, the last delivery. Hidden when delivery is off.
async function fleetStatus() {
  const res = await fetch("/healthz");
  if (!res.ok) return;
  const fleet = (await res.json()).fleet || {};
  $("fleet").hidden = !fleet.sink;
  if (!fleet.sink) return;
  const age = fleet.oldest_undelivered_age_seconds;
  $("fleet").textContent = "Fleet (" + fleet.sink + "): " + fleet.connection
    + (fleet.reason ? " (" + fleet.reason + ")" : "")
    + ", outbox " + (fleet.outbox_depth ?? "?")
    + (age != null ? ", oldest waiting " + Math.round(age) + " s" : "")
    + ", last delivery " + (fleet.last_delivery || "none");
}

function start() {
  guard(fleetStatus)();
  setInterval(guard(fleetStatus), 10000);
  $("key-form").addEventListener("submit", guard(async (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, $("key-input").value.trim());
    $("key-input").value = "";
    say("");
    await search();
  }));
  $("sign-out").addEventListener("click", signOut);
  $("search-form").addEventListener("submit", guard(search));
  $("next-page").addEventListener("click", guard(async () => { cursors.push(nextBefore); await loadPage(nextBefore); }));
  $("first-page").addEventListener("click", guard(search));
  $("back").addEventListener("click", guard(async () => { current = null; await loadPage(cursors[cursors.length - 1] || null); }));
  $("mark-checked").addEventListener("click", guard(markChecked));
  $("delete").addEventListener("click", guard(remove));
  $("export").addEventListener("click", guard(exportScans));
  if (key()) guard(search)(); else show("key");
}

start();
