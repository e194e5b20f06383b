// The kiosk page: what the person at the tray should do (from the daemon's state and reason),
// the last reading and a history list, live from /api/v1/events; an upload form. No framework
// and no build step.
"use strict";

const FIELDS = [
  ["document_type", "Document"], ["permit_number", "Permit no."], ["full_name", "Name"],
  ["nationality", "Nationality"], ["place_of_birth", "Place of birth"],
  ["date_of_birth", "Date of birth"], ["gender", "Sex"], ["passport_number", "Passport no."],
  ["passport_expiry", "Passport expiry"], ["permit_expiry", "Permit expiry"],
  ["stay_permit_index", "Permit index"], ["status", "Status"], ["occupation", "Occupation"],
  ["address", "Address"], ["guarantor_name", "Guarantor"], ["issued_place", "Issued at"],
  ["issued_date", "Issued on"], ["niora", "NIORA"],
];

// What the person at the tray is told: [Bahasa Indonesia, English]. By the reason when there
// is one (the gate's: hold_still, adjust; the daemon's: read_failed, fault), else by the state.
// The names are the API's (/healthz, `state` events; the README's table lists them all).
const SAY_REASON = {
  moving: ["Tahan, jangan digerakkan", "Hold it still"],
  partly_outside: ["Geser izin tinggal hingga seluruhnya terlihat di baki", "Move your permit fully into view on the tray"],
  too_small: ["Dekatkan izin tinggal, letakkan di dalam area bertanda", "Move your permit closer, into the marked area"],
  out_of_focus: ["Kamera tidak bisa fokus: letakkan izin tinggal rata di baki", "Cannot focus: lay your permit flat on the tray"],
  glare: ["Silau: miringkan sedikit atau jauhkan dari cahaya", "Glare: tilt it slightly or move it away from the light"],
  too_dark: ["Terlalu gelap: nyalakan lampu atau tambah cahaya", "Too dark: switch on the lamp or add more light"],
  not_a_permit: ["Ini bukan izin tinggal (KITAS/KITAP)", "This is not a residence permit (KITAS/KITAP)"],
  unreadable: ["Tidak dapat dibaca. Angkat lalu letakkan kembali", "Could not read it. Lift it and place it again"],
  camera_frozen: ["Kamera tidak berfungsi. Mohon panggil petugas", "The camera is not working. Please call staff"],
  camera_unavailable: ["Kamera tidak berfungsi. Mohon panggil petugas", "The camera is not working. Please call staff"],
  store_failed: ["Hasil tidak dapat disimpan. Mohon panggil petugas", "The result could not be saved. Please call staff"],
};
const SAY_STATE = {
  connecting: ["Menghubungkan…", "Connecting…"],
  offline: ["Tidak terhubung ke pemindai. Mohon panggil petugas", "Not connected to the scanner. Please call staff"],
  idle: ["Letakkan izin tinggal Anda di baki", "Place your permit on the tray"],
  hold_still: ["Tahan, jangan digerakkan", "Hold it still"],
  adjust: ["Atur letak izin tinggal Anda di baki", "Adjust your permit on the tray"],
  reading: ["Sedang membaca, mohon tunggu", "Reading, please wait"],
  read_ok: ["Selesai. Silakan ambil izin tinggal Anda", "Done. Please take your permit"],
  read_failed: ["Tidak dapat dibaca. Angkat lalu letakkan kembali", "Could not read it. Lift it and place it again"],
  fault: ["Terjadi gangguan. Mohon panggil petugas", "Something is wrong. Please call staff"],
};
const SAY_UNKNOWN = ["Mohon tunggu", "Please wait"];

const $ = (id) => document.getElementById(id);
let shownId = null;
let imageUrl = null;

function key() { return localStorage.getItem("kitascanKey") || ""; }

function headers() { const k = key(); return k ? { "x-api-key": k } : {}; }

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  if (res.status === 401) { askKey("This kiosk needs an API key."); throw new Error("unauthorized"); }
  return res;
}

function say(text) { $("message").textContent = text; }

function askKey(why) { $("key-form").hidden = false; if (why) say(why); $("key-input").focus(); }

// Shows the instruction for a state and reason; keeps both names as data-state and data-reason.
function setState(state, reason) {
  const box = $("instruction");
  box.dataset.state = state;
  if (reason) box.dataset.reason = reason; else delete box.dataset.reason;
  const own = (table, name) => (name && Object.hasOwn(table, name) ? table[name] : null);
  const [id, en] = own(SAY_REASON, reason) || own(SAY_STATE, state) || SAY_UNKNOWN;
  $("say-id").textContent = id;
  $("say-en").textContent = en;
}

function when(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleString([], { dateStyle: "short", timeStyle: "medium" });
}

function historyItem(s) {
  const li = document.createElement("li");
  li.dataset.scanId = s.id;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = s.status === "permit" ? (s.full_name || s.permit_number || "Permit") : "Not a permit";
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = [s.document_type, when(s.created_at), s.source].filter(Boolean).join(" · ");
  li.append(who, meta);
  li.addEventListener("click", () => show(s.id));
  return li;
}

async function loadHistory() {
  const res = await api("/api/v1/scans?limit=30");
  if (!res.ok) { say("Could not load the history (" + res.status + ")"); return; }
  const page = await res.json();
  $("history").replaceChildren(...page.scans.map(historyItem));
  if (page.scans.length && !shownId) await show(page.scans[0].id);
}

async function show(id) {
  const res = await api("/api/v1/scans/" + encodeURIComponent(id));
  if (!res.ok) return;
  const scan = await res.json();
  shownId = scan.id;
  const fields = (scan.reading && scan.reading.fields) || {};
  const dl = $("fields");
  dl.replaceChildren();
  for (const [name, label] of FIELDS) {
    const f = fields[name];
    if (!f || !f.value) continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.dataset.field = name;
    dd.textContent = f.value;
    dl.append(dt, dd);
  }
  const type = $("doc-type");
  type.textContent = scan.status === "permit" ? (scan.document_type || "Permit") : "Not a permit";
  type.classList.toggle("not-permit", scan.status !== "permit");
  $("when").textContent = when(scan.created_at);
  $("last").dataset.scanId = scan.id;
  $("last").classList.remove("is-empty");
  $("empty").hidden = true;
  $("summary").hidden = false;
  for (const li of $("history").children) li.classList.toggle("selected", li.dataset.scanId === scan.id);
  await showImage(scan);
}

async function showImage(scan) {
  const fig = $("figure");
  if (!scan.has_image) { fig.hidden = true; return; }
  const res = await api("/api/v1/scans/" + encodeURIComponent(scan.id) + "/image");
  if (!res.ok || shownId !== scan.id) return;
  const blob = await res.blob();
  if (imageUrl) URL.revokeObjectURL(imageUrl);
  imageUrl = URL.createObjectURL(blob);
  $("page-image").src = imageUrl;
  fig.hidden = false;
}

function onEvent(type, data) {
  if (type === "state") setState(data.state, data.reason);
  else if (type === "scan") {
    $("history").prepend(historyItem(data));
    show(data.id);
    say(data.status === "permit" ? "New reading" : "Read: not a permit");
  } else if (type === "deleted") {
    for (const li of [...$("history").children]) if (li.dataset.scanId === data.id) li.remove();
  }
}

// EventSource cannot send the API key header, so the stream is read with fetch.
async function listen() {
  for (;;) {
    try {
      const res = await api("/api/v1/events", { headers: { accept: "text/event-stream" } });
      if (!res.ok || !res.body) throw new Error("events " + res.status);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = "message";
          const data = [];
          for (const line of frame.split("\n")) {
            if (line.startsWith("event:")) type = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (data.length) { try { onEvent(type, JSON.parse(data.join("\n"))); } catch (e) { /* skip a bad frame */ } }
        }
      }
    } catch (e) {
      if (e.message === "unauthorized") return;
    }
    setState("offline");
    await new Promise((r) => setTimeout(r, 3000));
  }
}

async function upload(event) {
  event.preventDefault();
  const file = $("upload-file").files[0];
  if (!file) { say("Choose a JPEG, PNG or PDF first."); return; }
  const form = new FormData();
  form.append("image", file);
  $("upload-button").disabled = true;
  say("Reading " + file.name + "...");
  try {
    const res = await api("/ocr/v1/kitas-kitap", { method: "POST", body: form });
    const body = await res.json().catch(() => ({}));
    if (res.ok) say(body.reason || "Read");
    else if (res.status === 503) say("The reader is busy; try again in a few seconds.");
    else say(body.reason || ("Upload failed (" + res.status + ")"));
  } catch (e) {
    if (e.message !== "unauthorized") say("Upload failed.");
  } finally {
    $("upload-button").disabled = false;
  }
}

function start() {
  $("last").classList.add("is-empty");
  $("upload-form").addEventListener("submit", upload);
  $("key-button").addEventListener("click", () => askKey(""));
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem("kitascanKey", $("key-input").value.trim());
    $("key-form").hidden = true;
    say("");
    loadHistory().catch(() => {});
    listen();
  });
  loadHistory().catch(() => {});
  listen();
}

start();
