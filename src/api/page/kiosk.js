// The walk-up screen: for the person at the tray only. A large instruction following the
// daemon's state and reason (Bahasa Indonesia first, English below) and, after the camera has
// read a permit, its kind, the holder's name and the permit number for `show_secs` seconds;
// then the screen clears and keeps nothing of the reading (not in the DOM, not in a variable).
// It never shows history, images or another reading: its stream (/api/v1/kiosk/events)
// carries nothing else, but for the live view of the tray (a few small frames a second with
// the outline of the paper found, never stored). No framework and no build step.
"use strict";

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
  needs_key: ["Pemindai belum disiapkan. Mohon panggil petugas", "The scanner is not set up. Please call staff"],
  idle: ["Letakkan izin tinggal Anda di baki", "Place your permit on the tray"],
  hold_still: ["Tahan, jangan digerakkan", "Hold it still"],
  adjust: ["Atur letak izin tinggal Anda di baki", "Adjust your permit on the tray"],
  reading: ["Sedang membaca, mohon tunggu", "Reading, please wait"],
  read_ok: ["Selesai. Silakan ambil izin tinggal Anda", "Done. Please take your permit"],
  read_failed: ["Tidak dapat dibaca. Angkat lalu letakkan kembali", "Could not read it. Lift it and place it again"],
  fault: ["Terjadi gangguan. Mohon panggil petugas", "Something is wrong. Please call staff"],
};
const SAY_UNKNOWN = ["Mohon tunggu", "Please wait"];
// States after which the reading on screen may stay until its time is up: the person is
// taking their permit away. Any other (a document laid down, a fault) clears it at once.
const KEEPS_RESULT = new Set(["read_ok", "idle"]);

const $ = (id) => document.getElementById(id);
let clearTimer = null;

// The kiosk's own key, set up once by staff on the kiosk's browser (any role will do: the
// stream carries only what this screen shows).
function key() { return localStorage.getItem("kitascanKioskKey") || ""; }

function headers() { const k = key(); return k ? { "x-api-key": k } : {}; }

// Shows the instruction for a state and reason; keeps both names as data-state and data-reason.
function setState(state, reason) {
  const box = $("instruction");
  box.dataset.state = state;
  if (reason) box.dataset.reason = reason; else delete box.dataset.reason;
  const own = (table, name) => (name && Object.hasOwn(table, name) ? table[name] : null);
  const [id, en] = own(SAY_REASON, reason) || own(SAY_STATE, state) || SAY_UNKNOWN;
  $("say-id").textContent = id;
  $("say-en").textContent = en;
  if (!KEEPS_RESULT.has(state)) clearResult();
}

// The reading's kind, name and number, until `show_secs` have passed.
function showResult(r) {
  $("result-kind").textContent = r.document_type || "";
  $("result-name").textContent = r.full_name || "";
  $("result-number").textContent = r.permit_number || "";
  $("result").hidden = false;
  document.body.classList.add("has-result");
  if (clearTimer) clearTimeout(clearTimer);
  const secs = Number(r.show_secs) > 0 ? Number(r.show_secs) : 10;
  clearTimer = setTimeout(clearResult, secs * 1000);
}

// Back to the instruction alone, with nothing of the reading left in the page.
function clearResult() {
  if (clearTimer) { clearTimeout(clearTimer); clearTimer = null; }
  for (const id of ["result-kind", "result-name", "result-number"]) $(id).textContent = "";
  $("result").hidden = true;
  document.body.classList.remove("has-result");
}

// The live view: the frame as a blob URL (the previous one released) and the paper's outline.
let liveUrl = null;
function showFrame(f) {
  const bytes = Uint8Array.from(atob(f.jpeg), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
  const img = $("live-image");
  img.onload = () => { if (liveUrl && liveUrl !== url) URL.revokeObjectURL(liveUrl); liveUrl = url; };
  img.src = url;
  $("live-outline").setAttribute("viewBox", "0 0 " + f.width + " " + f.height);
  const quad = $("live-quad");
  if (Array.isArray(f.outline)) quad.setAttribute("points", f.outline.map(([x, y]) => x + "," + y).join(" "));
  else quad.removeAttribute("points");
  $("live").hidden = false;
}

function hideLive() {
  $("live").hidden = true;
  $("live-image").removeAttribute("src");
  if (liveUrl) { URL.revokeObjectURL(liveUrl); liveUrl = null; }
}

function onEvent(type, data) {
  if (type === "state") setState(data.state, data.reason);
  else if (type === "reading") showResult(data);
  else if (type === "frame") showFrame(data);
}

// EventSource cannot send the API key header, so the stream is read with fetch.
async function listen() {
  for (;;) {
    try {
      const res = await fetch("/api/v1/kiosk/events", { headers: { ...headers(), accept: "text/event-stream" } });
      if (res.status === 401) { askKey(); return; }
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
    } catch (e) { /* reconnect below */ }
    hideLive();
    setState("offline");
    await new Promise((r) => setTimeout(r, 3000));
  }
}

// Staff set the kiosk's key once; the person at the tray is told to call them meanwhile.
function askKey() {
  setState("needs_key");
  $("key-form").hidden = false;
}

function start() {
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem("kitascanKioskKey", $("key-input").value.trim());
    $("key-input").value = "";
    $("key-form").hidden = true;
    listen();
  });
  listen();
}

start();
