// Homeplan's service worker: keeps a patient's plan usable without a connection.
// Served by patients.views.service_worker at /plan/sw.js (scope /plan/), which puts
// self.HOMEPLAN in front of this file: the cache version (from the static files), the app
// shell's URLs, and the URLs below. See docs/architecture.md, "Offline".
//
// - Pages: network first; a patient page that arrives is saved, under its owner (the
//   X-Homeplan-Owner header), and shown from the cache when the network fails. A patient
//   page that sends the phone to the login page (the session ended) drops the saved pages.
// - After each visit online, the patient's coming week (offline.json) is saved too.
// - Check-offs and "session done" that cannot reach the server wait in IndexedDB, each with
//   its UUID, and are sent in order when the connection returns (Background Sync, a page
//   load, or the page's "online" event). The server stores a UUID once.
// - The same for a write the server fails (any 5xx: 503 while its database is down, 502 from
//   the proxy while the app restarts) or does not answer within SEND_TIMEOUT_MS, and for the
//   function check-in: kept, shown as "not sent yet", sent again.
//   A page the server fails to give is shown from the saved copy, as offline.
// - "Mark as read" on an education page waits the same way, and the page shows it read.
// - A message to the clinic (/plan/messages/) waits the same way (kind "message"); the
//   thread's saved copy shows it as "Waiting to send" (offline.js). The page's script has
//   shown the urgent-care advice already if it named an emergency sign (messages.js). One
//   over the hourly limit (429) is kept and tried again later, not dropped.
// - A symptom report ("My symptoms got worse") made offline, or failed by the server, waits
//   in the same queue and is sent the same way; the page has already shown its advice
//   (static/js/symptoms.js).
// - The camera coach's model (static/vendor/mediapipe-pose/) is not saved with the app: only
//   when the patient chooses "Keep the camera ready for offline use" does the guided page put
//   it in its own cache (CAMERA_CACHE, static/js/camera/coach.js); from then on it is served
//   from there, and kept when the worker's version changes.
// - A patient page that is not saved gets the offline fallback page (CONFIG.offlinePage,
//   rendered by the server): the emergency signs and the numbers to call.
// - The scripts' words (the JavaScript catalogue, CONFIG.catalogUrl, in the patient's
//   language) are saved with the app shell and refreshed from the network on each visit
//   online, so guided mode and the saved pages keep their words offline. This worker shows
//   no words of its own: the pages say what happened, in their language.
"use strict";

const CONFIG = self.HOMEPLAN;
const SHELL_CACHE = `homeplan-shell-${CONFIG.version}`;
const PAGES_PREFIX = `homeplan-pages-${CONFIG.version}-`;
const CAMERA_CACHE = "homeplan-camera";
const CAMERA_FILES = "/vendor/mediapipe-pose/";
const DB_NAME = "homeplan-offline";
const SYNC_TAG = "homeplan-queue";
const SAVED_AT_HEADER = "X-Homeplan-Saved-At";
const REFRESH_MS = 10 * 60 * 1000;
const WRITE = /^\/plan\/(\d{4}-\d{2}-\d{2})\/(?:check|feedback|sessions\/([1-3])\/done)\/$/;
// A form sent as it is, with no day in its address: the function check-in. (The symptom
// report has its own path, symptomReport below: its page shows the advice itself.)
const FORM_WRITE = /^\/plan\/check-in\/$/;
// "Mark as read" on an education page: queued like a form, shown read from the queue.
const READ_WRITE = /^\/plan\/learn\/[\w-]+\/read\/$/;
const DATED = /^\/plan\/(\d{4}-\d{2}-\d{2})\//;
// The server answers a write in well under this even when its database is down (a fast 503);
// longer means it is stuck, and the entry is kept to be sent again (its UUID makes that safe).
const SEND_TIMEOUT_MS = 15000;

// --- IndexedDB: the queue of unsent writes, and a few facts that must outlive the worker ----

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      request.result.createObjectStore("meta");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name, mode, action) {
  const database = await openDb();
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(name, mode);
    const request = action(transaction.objectStore(name));
    transaction.oncomplete = () => {
      database.close();
      resolve(request.result);
    };
    transaction.onerror = () => {
      database.close();
      reject(transaction.error);
    };
  });
}

const metaGet = (key) => store("meta", "readonly", (s) => s.get(key));
const metaSet = (key, value) => store("meta", "readwrite", (s) => s.put(value, key));
const queueAdd = (entry) => store("queue", "readwrite", (s) => s.add(entry));
const queueDelete = (seq) => store("queue", "readwrite", (s) => s.delete(seq));

// Only the current patient's entries: another patient's stay unseen until they sign in again.
async function queued() {
  const owner = await metaGet("owner");
  const all = await store("queue", "readonly", (s) => s.getAll());
  return all.filter((entry) => entry.owner === owner).sort((a, b) => a.seq - b.seq);
}

// --- Helpers ----------------------------------------------------------------------------------

function localToday(zone) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit" };
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone || undefined })
      .formatToParts(new Date());
  } catch (error) {
    parts = new Intl.DateTimeFormat("en-GB", options).formatToParts(new Date());
  }
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

function absolute(url) {
  return new URL(url, self.location.origin).href;
}

async function tell(message) {
  const clients = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  clients.forEach((client) => client.postMessage(message));
}

function pagesCache(owner) {
  return caches.open(PAGES_PREFIX + owner);
}

async function dropCachesExcept(owner) {
  const keep = new Set([SHELL_CACHE, CAMERA_CACHE, owner ? PAGES_PREFIX + owner : ""]);
  const names = await caches.keys();
  await Promise.all(
    names.filter((n) => n.startsWith("homeplan-") && !keep.has(n)).map((n) => caches.delete(n)),
  );
}

// A different patient's page arrived: the previous patient's saved pages go at once.
async function ownerSet(owner) {
  if (!owner || (await metaGet("owner")) === owner) return;
  await metaSet("owner", owner);
  await metaSet("savedAt", 0);
  await dropCachesExcept(owner);
}

async function save(owner, url, response) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT_HEADER, new Date().toISOString());
  const body = await response.blob();
  const cache = await pagesCache(owner);
  await cache.put(url, new Response(body, { status: response.status, headers }));
}

// --- Install, activate -----------------------------------------------------------------------

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(CONFIG.shell))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // A new version (a deploy) drops every file of the old one; pages are saved again on
      // the next visit online.
      await dropCachesExcept(await metaGet("owner"));
      await metaSet("savedAt", 0);
      await self.clients.claim();
    })(),
  );
});

// --- Fetch -----------------------------------------------------------------------------------

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST") {
    const match = url.pathname.match(WRITE)
      || ((FORM_WRITE.test(url.pathname) || READ_WRITE.test(url.pathname)
        || url.pathname === CONFIG.messagesUrl) && [url.pathname]);
    if (match) event.respondWith(write(event, match));
    else if (url.pathname === CONFIG.symptomsUrl) event.respondWith(symptomReport(event));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    if (url.pathname.startsWith(CONFIG.scope)) event.respondWith(page(event));
  } else if (url.pathname === CONFIG.catalogUrl) {
    event.respondWith(catalog(request));
  } else if (url.pathname.includes(CAMERA_FILES)) {
    event.respondWith(caches.match(request, { cacheName: CAMERA_CACHE }).then((r) => r || fetch(request)));
  } else if (CONFIG.shell.includes(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then((r) => r || fetch(request)));
  } else if (request.destination === "image") {
    event.respondWith(image(request));
  } else if (request.destination === "video") {
    event.respondWith(video(request));
  }
});

async function page(event) {
  const request = event.request;
  let response;
  try {
    response = await fetch(request);
    if (response.type === "opaqueredirect") {
      event.waitUntil(dropSavedPagesIfSignedOut(request.url));
      return response;
    }
  } catch (error) {
    return (await savedPage(new URL(request.url))) || offlinePage(await planSaved());
  }
  if (serverFailed(response)) {
    return (await savedPage(new URL(request.url), "server")) || response;
  }
  event.waitUntil(afterOnlinePage(request, response.clone()));
  return response;
}

// The JavaScript catalogue: network first, so a patient whose language changed gets the new
// words at once; the saved copy (from the install, or the last visit online) when there is
// no answer. Its Vary (Cookie, Accept-Language) is for the browser's HTTP cache: the copy
// here is the last one this phone fetched.
async function catalog(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(absolute(CONFIG.catalogUrl), response.clone());
      return response;
    }
  } catch (error) {
    // Offline: the saved copy.
  }
  return (await cache.match(absolute(CONFIG.catalogUrl), { ignoreVary: true }))
    || new Response(null, { status: 503 });
}

// The server answered, but could not do its job (its database down, a proxy with no app
// behind it): for the patient, the same as no answer.
function serverFailed(response) {
  return response.status >= 500;
}

async function afterOnlinePage(request, response) {
  const owner = response.headers.get(CONFIG.ownerHeader);
  if (response.status !== 200 || !owner) return;
  await ownerSet(owner);
  await save(owner, request.url, response);
  await saveComingWeek(false);
  await replay();
}

// A patient page answered with a redirect. When it leads to the login page, the session
// ended without a logout (it expired, or was ended on the server), and the phone may be in
// someone else's hands: the saved pages go. Entries waiting to be sent stay in the queue,
// under their owner, and are sent once the patient signs in again. (A navigation's redirect
// is opaque to the worker, so it asks again, following it, to see where it leads.)
async function dropSavedPagesIfSignedOut(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin" });
  } catch (error) {
    return;
  }
  if (!response.redirected || new URL(response.url).pathname !== CONFIG.loginUrl) return;
  await dropCachesExcept(null);
  await metaSet("savedAt", 0);
}

// Today is the device's date in the patient's time zone: after midnight offline, the saved
// copy of the new day is shown, not yesterday's "today".
async function savedPage(url, reason = "offline") {
  const owner = await metaGet("owner");
  if (!owner) return null;
  const cache = await pagesCache(owner);
  const today = localToday(await metaGet("timezone"));
  const dayMatch = url.pathname.match(/^\/plan\/(\d{4}-\d{2}-\d{2})\/$/);
  const day = url.pathname === CONFIG.scope ? today : dayMatch && dayMatch[1];
  let response = null;
  if (day === today) {
    const todayPage = await cache.match(CONFIG.scope);
    response = todayPage && todayPage.headers.get(CONFIG.dayHeader) === today
      ? todayPage
      : await cache.match(`${CONFIG.scope}${today}/?offline-copy=1`);
  }
  // The thread: its newest saved copy, also for "Ask about this exercise" (messages.js puts
  // the exercise in the box); earlier messages only as they were saved.
  if (url.pathname === CONFIG.messagesUrl && !/[?&]before=/.test(url.search)) {
    response = await newestThread(cache);
  }
  response = response || (await cache.match(url.href));
  // A coming day is saved as it will look on the day (/plan/<date>/?offline-copy=1): the
  // "next day" link (/plan/<date>/) finds it there.
  if (!response && day && day > today) {
    response = await cache.match(`${CONFIG.scope}${day}/?offline-copy=1`);
    // Drawn as it will look on the day: the page says it is a coming day (offline.js).
    if (response) reason = "coming";
  }
  // Never show a page saved for someone else, whatever cache it sits in.
  if (!response || response.headers.get(CONFIG.ownerHeader) !== owner) return null;
  return markedAsSaved(response, reason);
}

// The thread as last saved: by a visit, or with the coming week (a copy that did not count as
// the patient reading it). Not a copy opened from "Ask about this exercise" (its box would
// ask about that exercise again) nor one of earlier messages.
async function newestThread(cache) {
  let newest = null;
  for (const request of await cache.keys(absolute(CONFIG.messagesUrl), { ignoreSearch: true })) {
    if (/[?&](exercise|before)=/.test(new URL(request.url).search)) continue;
    const saved = await cache.match(request);
    const at = (saved && saved.headers.get(SAVED_AT_HEADER)) || "";
    if (saved && (!newest || at > newest.headers.get(SAVED_AT_HEADER))) newest = saved;
  }
  return newest;
}

// The page learns it is a saved copy (from when, and why) from attributes on <body>.
async function markedAsSaved(response, reason) {
  const savedAt = response.headers.get(SAVED_AT_HEADER) || "";
  const html = (await response.text()).replace(
    "<body ",
    `<body data-offline-saved="${savedAt.replace(/[^0-9TZ:.+-]/g, "")}" `
      + `data-offline-reason="${["server", "coming"].includes(reason) ? reason : "offline"}" `,
  );
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  headers.delete("Content-Encoding");
  return new Response(html, { status: 200, headers });
}

// Is today's plan saved on this phone (it is not after the saved pages were dropped)?
async function planSaved() {
  const owner = await metaGet("owner");
  return Boolean(owner && (await caches.match(CONFIG.scope, { cacheName: PAGES_PREFIX + owner })));
}

// The offline fallback (rendered by the server): the emergency signs and numbers, whatever
// page was asked for, and whether the plan itself is saved on this phone.
function offlinePage(withPlan = true) {
  const drop = withPlan ? "without-plan" : "with-plan";
  const html = CONFIG.offlinePage.replace(new RegExp(`<!--${drop}-->[\\s\\S]*?<!--/${drop}-->`), "");
  return new Response(html, {
    status: 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'self'",
    },
  });
}

async function image(request) {
  const owner = await metaGet("owner");
  if (owner) {
    const saved = await (await pagesCache(owner)).match(request);
    if (saved) return saved;
  }
  return fetch(request);
}

// A video kept on the phone (only when the patient chose "keep videos on this phone"): the
// player asks for pieces (Range: bytes=…), which are cut from the saved copy, so seeking
// works offline too. Not kept: straight to the network, ranges and all.
async function video(request) {
  const owner = await metaGet("owner");
  const saved = owner && (await (await pagesCache(owner)).match(request.url));
  if (!saved) return fetch(request);
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get("Range") || "");
  if (!range) return saved;
  const body = await saved.blob();
  const size = body.size;
  let first = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
  let last = range[1] !== "" && range[2] !== "" ? Math.min(Number(range[2]), size - 1) : size - 1;
  if (first >= size || last < first) {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  const headers = new Headers(saved.headers);
  headers.set("Content-Range", `bytes ${first}-${last}/${size}`);
  headers.set("Content-Length", String(last - first + 1));
  return new Response(body.slice(first, last + 1), { status: 206, headers });
}

// --- The coming week -------------------------------------------------------------------------

let saving = null;

function saveComingWeek(force) {
  saving = saving || doSaveComingWeek(force).finally(() => {
    saving = null;
  });
  return saving;
}

async function doSaveComingWeek(force) {
  const [savedAt, savedDay, zone] = await Promise.all([
    metaGet("savedAt"),
    metaGet("savedDay"),
    metaGet("timezone"),
  ]);
  if (!force && savedAt && Date.now() - savedAt < REFRESH_MS && savedDay === localToday(zone)) {
    // Saved a moment ago: a page opened since hears it too (the message of that save went to
    // the pages open then, and a page that never hears it would wait for ever).
    await tell({ type: "saved", at: new Date(savedAt).toISOString() });
    return;
  }
  let response;
  try {
    response = await fetch(CONFIG.manifestUrl, {
      redirect: "manual",
      headers: { Accept: "application/json" },
    });
  } catch (error) {
    return;
  }
  if (response.status !== 200) return; // signed out: a redirect to the login page
  const plan = await response.json();
  await ownerSet(plan.owner);
  await metaSet("timezone", plan.timezone);
  const pages = new Set(plan.pages.map(absolute));
  // Videos last: pages and pictures first, then (if the patient keeps them) the videos.
  const wanted = [...pages, ...plan.images.map(absolute), ...(plan.videos || []).map(absolute)];
  const queue = [...wanted];
  const worker = async () => {
    while (queue.length) {
      const url = queue.shift();
      try {
        const r = await fetch(url, { redirect: "manual" });
        if (r.status !== 200) continue;
        if (pages.has(url) && r.headers.get(CONFIG.ownerHeader) !== plan.owner) continue;
        await save(plan.owner, url, r);
      } catch (error) {
        return; // the connection went: what is saved stays
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await prune(plan, new Set(wanted));
  const now = Date.now();
  await metaSet("savedAt", now);
  await metaSet("savedDay", plan.today);
  await tell({ type: "saved", at: new Date(now).toISOString() });
}

// Days gone by (beyond the days that can still be changed), and pictures and videos no longer
// in the plan (or no longer kept).
async function prune(plan, wanted) {
  const cache = await pagesCache(plan.owner);
  const oldest = new Date(`${plan.today}T00:00:00Z`);
  oldest.setUTCDate(oldest.getUTCDate() - 2);
  const limit = oldest.toISOString().slice(0, 10);
  for (const request of await cache.keys()) {
    if (wanted.has(request.url)) continue;
    const url = new URL(request.url);
    const dated = url.pathname.match(DATED);
    const stale = url.search.includes("offline-copy")
      || (dated && dated[1] < limit)
      || !url.pathname.startsWith(CONFIG.scope)
      || url.pathname.startsWith(CONFIG.videosPrefix);
    if (stale) await cache.delete(request);
  }
}

// --- Writes: sent at once when possible, queued otherwise ----------------------------------

async function write(event, match) {
  const request = event.request;
  const fields = await formFields(request.clone());
  let response;
  try {
    response = await fetchWithin(request, SEND_TIMEOUT_MS);
  } catch (error) {
    // No answer: offline, or (aborted) connected but the server did not answer in time.
    return keep(request, fields, match, error.name === "AbortError" ? "server" : "offline", null);
  }
  if (serverFailed(response)) return keep(request, fields, match, "server", response);
  if (match[1]) event.waitUntil(refreshDay(match[1]));
  if (READ_WRITE.test(match[0])) event.waitUntil(refreshReading(match[0]));
  return response;
}

// Offline, no answer in time, or a server failure: the entry waits on the phone. Without a
// patient to file it under, the server's own answer (or a plain "offline") goes through.
async function keep(request, fields, match, reason, response) {
  const retryAfter = response ? Number(response.headers.get("Retry-After")) || 0 : 0;
  const entry = await enqueue(request, fields, match, reason, retryAfter);
  if (!entry) return response || offlineAnswer(request);
  return queuedResponse(request, entry);
}

// No answer, and nobody to keep the entry for: a form sent as a page gets the offline page (in
// the patient's language, from the server); a script's request, a bare 503 (its page speaks).
async function offlineAnswer(request) {
  return request.mode === "navigate"
    ? offlinePage(await planSaved())
    : new Response(null, { status: 503 });
}

// A fetch that gives up after `ms`; the server may still finish it, which the UUID allows for.
async function fetchWithin(request, ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await fetch(request, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

async function formFields(request) {
  try {
    const data = await request.formData();
    return [...data.entries()].filter(([, value]) => typeof value === "string");
  } catch (error) {
    return [];
  }
}

function newUuid() {
  if (self.crypto.randomUUID) return self.crypto.randomUUID();
  const b = self.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// An entry for the queue from a write's form fields, with an id and a time if it has none
// (a form sent without offline.js, guided.js); null when nobody is known to be signed in on
// this phone.
async function queueEntry(request, fields, { day, kind, session, reason }) {
  const owner = await metaGet("owner");
  if (!owner) return null; // nothing known about who is signed in: nothing to file it under
  const value = (name) => (fields.find(([n]) => n === name) || [])[1];
  const kept = fields.filter(([name]) => name !== "csrfmiddlewaretoken");
  if (!value("client_uuid")) kept.push(["client_uuid", newUuid()]);
  if (!value("made_at")) kept.push(["made_at", new Date().toISOString()]);
  return {
    owner,
    url: new URL(request.url).pathname,
    day,
    kind,
    session: kind === "check" || kind === "session_done" ? session || value("session") || "1" : "",
    fields: kept,
    csrf: request.headers.get("X-CSRFToken") || value("csrfmiddlewaretoken") || "",
    queuedAt: Date.now(),
    reason,
  };
}

async function enqueue(request, fields, match, reason, retryAfter) {
  const dated = match.length > 1;
  const entry = await queueEntry(request, fields, {
    day: dated ? match[1] : "",
    kind: !dated ? writeKind(match[0]) : match[2] ? "session_done" : "check",
    session: dated ? match[2] : "",
    reason,
  });
  return entry && remember(entry, retryAfter);
}

function writeKind(path) {
  if (READ_WRITE.test(path)) return "read";
  return path === CONFIG.messagesUrl ? "message" : "form";
}

// Keep an entry until it can be sent, and ask to be woken when the connection returns.
async function remember(entry, retryAfter = 0) {
  const reason = entry.reason;
  entry.seq = await queueAdd(entry);
  if (self.registration.sync) {
    try {
      await self.registration.sync.register(SYNC_TAG);
    } catch (error) {
      // No Background Sync here: the next page load or "online" event sends it.
    }
  }
  await tell({ type: "queued", reason, retryAfter });
  return entry;
}

async function dayUrl(day) {
  const today = localToday(await metaGet("timezone"));
  return absolute(day === today ? CONFIG.scope : `${CONFIG.scope}${day}/`);
}

// --- Symptom reports: sent at once, or kept and sent exactly once when the server answers ------

async function symptomReport(event) {
  const request = event.request;
  const fields = await formFields(request.clone());
  let response;
  try {
    response = await fetchWithin(request, SEND_TIMEOUT_MS);
  } catch (error) {
    return keepSymptomReport(request, fields, error.name === "AbortError" ? "server" : "offline");
  }
  if (serverFailed(response)) return keepSymptomReport(request, fields, "server", response);
  const signedOut = response.type === "opaqueredirect" || response.status === 403;
  if (!signedOut || request.mode === "navigate") return response;
  // Signed out meanwhile: keep the report until the patient signs in, like queued entries.
  const entry = await queueEntry(request, fields, { day: "", kind: "symptom_report", reason: "signin" });
  if (!entry) return response;
  await remember(entry);
  await tell({ type: "signin", count: (await queued()).length });
  return new Response(null, { status: 204, headers: { "X-Homeplan-Queued": "signin" } });
}

// symptoms.js has shown the advice already; the answer tells it the report waits on the phone.
async function keepSymptomReport(request, fields, reason, response) {
  const entry = await queueEntry(request, fields, { day: "", kind: "symptom_report", reason });
  if (request.mode === "navigate") {
    if (entry) await remember(entry);
    return response || offlinePage(); // no script on the page to say more
  }
  if (!entry) return response || offlineAnswer(request);
  const retryAfter = response ? Number(response.headers.get("Retry-After")) || 0 : 0;
  await remember(entry, retryAfter);
  return new Response(null, { status: 204, headers: { "X-Homeplan-Queued": reason } });
}

async function queuedResponse(request, entry) {
  if (request.mode === "navigate") {
    // As the server would after a plain form post: back to the day, which the saved copy
    // shows; a check-in form back to itself, filled in again by offline.js.
    const target = ["form", "message"].includes(entry.kind) ? absolute(entry.url)
      : entry.kind === "read" ? readBack(entry) : await dayUrl(entry.day);
    return Response.redirect(target, 303);
  }
  // htmx and guided mode: "accepted, nothing to swap"; the page marks it done from the queue.
  return new Response(null, { status: 204, headers: { "X-Homeplan-Queued": entry.reason } });
}

// Where "Mark as read" goes back to: the patient page it came from (its "next" field), or
// the education page itself.
function readBack(entry) {
  const next = (entry.fields.find(([name]) => name === "next") || [])[1] || "";
  const page = entry.url.replace(/read\/$/, "");
  return absolute(next.startsWith(CONFIG.scope) && !next.startsWith("//") ? next : page);
}

// After "Mark as read" reached the server: the saved copies of today, the Learn page and
// the education page show it read.
async function refreshReading(url) {
  const owner = await metaGet("owner");
  if (!owner) return;
  const pages = [CONFIG.scope, `${CONFIG.scope}learn/`, url.replace(/read\/$/, "")];
  for (const page of pages.map(absolute)) {
    try {
      const response = await fetch(page, { redirect: "manual" });
      if (response.status === 200 && response.headers.get(CONFIG.ownerHeader) === owner) {
        await save(owner, page, response);
      }
    } catch (error) {
      return; // offline again: the older copies stay
    }
  }
}

async function refreshDay(day) {
  const owner = await metaGet("owner");
  if (!owner) return;
  const url = await dayUrl(day);
  try {
    const response = await fetch(url, { redirect: "manual" });
    if (response.status === 200 && response.headers.get(CONFIG.ownerHeader) === owner) {
      await save(owner, url, response);
    }
  } catch (error) {
    // Offline again: the older copy stays.
  }
}

// --- Replay ----------------------------------------------------------------------------------

let replaying = null;
let replayAgain = false;

// One replay at a time, in order; a request during one (e.g. a fresh CSRF token after signing
// in) runs another once it ends.
function replay() {
  if (replaying) {
    replayAgain = true;
    return replaying;
  }
  replaying = (async () => {
    do {
      replayAgain = false;
      await doReplay();
    } while (replayAgain);
  })().finally(() => {
    replaying = null;
  });
  return replaying;
}

async function doReplay() {
  const entries = await queued();
  if (!entries.length) return;
  const csrf = await metaGet("csrf");
  let sent = 0;
  let serverTrouble = false;
  let retryAfter = 0;
  const rejected = [];
  for (const [index, entry] of entries.entries()) {
    let response;
    try {
      response = await fetchWithin(new Request(entry.url, {
        method: "POST",
        body: new URLSearchParams(entry.fields),
        headers: { "X-CSRFToken": csrf || entry.csrf, Accept: "application/json" },
        redirect: "manual",
      }), SEND_TIMEOUT_MS);
    } catch (error) {
      // Still offline (the next sync, page load or "online" event tries again), or the
      // server gave no answer in time (the page asks again, as after a 5xx).
      serverTrouble = error.name === "AbortError";
      break;
    }
    if (response.type === "opaqueredirect" || response.status === 403) {
      // Signed out meanwhile (or the token predates a new sign-in): keep everything, ask.
      await tell({ type: "signin", count: entries.length - index });
      return;
    }
    if (serverFailed(response) || response.status === 429) {
      // Kept, in order; the page asks again after Retry-After (offline.js). A message over
      // the hourly limit (429) waits the same way rather than being lost.
      serverTrouble = true;
      retryAfter = Number(response.headers.get("Retry-After")) || 0;
      break;
    }
    if (response.ok) {
      sent += 1;
    } else {
      let message = "";
      try {
        message = (await response.json()).error;
      } catch (error) {
        message = "";
      }
      rejected.push(message || ""); // offline.js words an empty reason
    }
    await queueDelete(entry.seq);
  }
  if (sent) {
    await saveComingWeek(true);
  }
  const pending = (await queued()).length;
  await tell({ type: "sent", sent, rejected, pending, serverTrouble, retryAfter });
}

// A sync that leaves entries waiting fails, so that the browser tries it again later, even
// with no page open (a server that failed them may answer by then).
self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(replay().then(async () => {
    if ((await queued()).length) throw new Error("entries still waiting");
  }));
});

// --- Messages from patient pages (static/js/offline.js) --------------------------------------

async function forget() {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith("homeplan-")).map((n) => caches.delete(n)));
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

async function answer(data) {
  if (data.csrf) await metaSet("csrf", data.csrf);
  if (data.type === "hello" && data.online) {
    await saveComingWeek(false);
    await replay();
  } else if (data.type === "replay") {
    await replay();
  } else if (data.type === "forget") {
    await forget();
    return true;
  }
  return (await queued()).map(({ kind, day, session, fields, url, reason }) => (
    { kind, day, session, fields, url, reason }
  ));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports[0];
  event.waitUntil(
    answer(data).then(
      (result) => port && port.postMessage(result),
      () => port && port.postMessage(null),
    ),
  );
});
