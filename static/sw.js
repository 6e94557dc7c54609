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
"use strict";

const CONFIG = self.HOMEPLAN;
const SHELL_CACHE = `homeplan-shell-${CONFIG.version}`;
const PAGES_PREFIX = `homeplan-pages-${CONFIG.version}-`;
const DB_NAME = "homeplan-offline";
const SYNC_TAG = "homeplan-queue";
const SAVED_AT_HEADER = "X-Homeplan-Saved-At";
const REFRESH_MS = 10 * 60 * 1000;
const WRITE = /^\/plan\/(\d{4}-\d{2}-\d{2})\/(?:check|sessions\/([1-3])\/done)\/$/;
const DATED = /^\/plan\/(\d{4}-\d{2}-\d{2})\//;

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
  const keep = new Set([SHELL_CACHE, owner ? PAGES_PREFIX + owner : ""]);
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
    const match = url.pathname.match(WRITE);
    if (match) event.respondWith(write(event, match));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    if (url.pathname.startsWith(CONFIG.scope)) event.respondWith(page(event));
  } else if (CONFIG.shell.includes(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then((r) => r || fetch(request)));
  } else if (request.destination === "image") {
    event.respondWith(image(request));
  }
});

async function page(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (response.type === "opaqueredirect") {
      event.waitUntil(dropSavedPagesIfSignedOut(request.url));
    } else {
      event.waitUntil(afterOnlinePage(request, response.clone()));
    }
    return response;
  } catch (error) {
    return (await savedPage(new URL(request.url))) || offlinePage(await planSaved());
  }
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
async function savedPage(url) {
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
  response = response || (await cache.match(url.href));
  // Never show a page saved for someone else, whatever cache it sits in.
  if (!response || response.headers.get(CONFIG.ownerHeader) !== owner) return null;
  return markedAsSaved(response);
}

// The page learns it is a saved copy (and from when) from an attribute on <body>.
async function markedAsSaved(response) {
  const savedAt = response.headers.get(SAVED_AT_HEADER) || "";
  const html = (await response.text()).replace(
    "<body ",
    `<body data-offline-saved="${savedAt.replace(/[^0-9TZ:.+-]/g, "")}" `,
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

function offlinePage(withPlan) {
  const saved = withPlan
    ? "This page isn't saved on this phone. Your plan for today and the coming week is."
    : "Your plan isn't saved on this phone. Connect to the internet and sign in to see it.";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline · Homeplan</title><link rel="stylesheet" href="${CONFIG.shell[0]}"></head>
<body><main class="container py-4"><h1 class="h3">You're offline</h1>
<p>${saved}</p>
<p><a class="btn btn-primary" href="${CONFIG.scope}">Open today's plan</a></p></main></body></html>`;
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
  const wanted = [...pages, ...plan.images.map(absolute)];
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
  await metaSet("savedAt", Date.now());
  await metaSet("savedDay", plan.today);
  await tell({ type: "saved", at: new Date().toISOString() });
}

// Days gone by (beyond the days that can still be changed) and pictures no longer in the plan.
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
      || !url.pathname.startsWith(CONFIG.scope);
    if (stale) await cache.delete(request);
  }
}

// --- Writes: sent at once when possible, queued otherwise ----------------------------------

async function write(event, match) {
  const request = event.request;
  const fields = await formFields(request.clone());
  try {
    const response = await fetch(request);
    event.waitUntil(refreshDay(match[1]));
    return response;
  } catch (error) {
    const entry = await enqueue(request, fields, match);
    if (!entry) return new Response("You're offline.", { status: 503 });
    return queuedResponse(request, entry);
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

async function enqueue(request, fields, match) {
  const owner = await metaGet("owner");
  if (!owner) return null; // nothing known about who is signed in: nothing to file it under
  const value = (name) => (fields.find(([n]) => n === name) || [])[1];
  const kept = fields.filter(([name]) => name !== "csrfmiddlewaretoken");
  // guided.js posts without an id or a time: the queue gives them one.
  if (!value("client_uuid")) kept.push(["client_uuid", newUuid()]);
  if (!value("made_at")) kept.push(["made_at", new Date().toISOString()]);
  const entry = {
    owner,
    url: new URL(request.url).pathname,
    day: match[1],
    kind: match[2] ? "session_done" : "check",
    session: match[2] || value("session") || "1",
    fields: kept,
    csrf: request.headers.get("X-CSRFToken") || value("csrfmiddlewaretoken") || "",
    queuedAt: Date.now(),
  };
  entry.seq = await queueAdd(entry);
  if (self.registration.sync) {
    try {
      await self.registration.sync.register(SYNC_TAG);
    } catch (error) {
      // No Background Sync here: the next page load or "online" event sends it.
    }
  }
  await tell({ type: "queued" });
  return entry;
}

async function dayUrl(day) {
  const today = localToday(await metaGet("timezone"));
  return absolute(day === today ? CONFIG.scope : `${CONFIG.scope}${day}/`);
}

async function queuedResponse(request, entry) {
  if (request.mode === "navigate") {
    // As the server would after a plain form post: back to the day, which the saved copy shows.
    return Response.redirect(await dayUrl(entry.day), 303);
  }
  // htmx and guided mode: "accepted, nothing to swap"; the page marks it done from the queue.
  return new Response(null, { status: 204, headers: { "X-Homeplan-Queued": "1" } });
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
  const rejected = [];
  for (const [index, entry] of entries.entries()) {
    let response;
    try {
      response = await fetch(entry.url, {
        method: "POST",
        body: new URLSearchParams(entry.fields),
        headers: { "X-CSRFToken": csrf || entry.csrf, Accept: "application/json" },
        redirect: "manual",
      });
    } catch (error) {
      break; // still offline: the next sync, page load or "online" event tries again
    }
    if (response.type === "opaqueredirect" || response.status === 403) {
      // Signed out meanwhile (or the token predates a new sign-in): keep everything, ask.
      await tell({ type: "signin", count: entries.length - index });
      return;
    }
    if (response.status >= 500) break;
    if (response.ok) {
      sent += 1;
    } else {
      let message = "";
      try {
        message = (await response.json()).error;
      } catch (error) {
        message = "";
      }
      rejected.push(message || "It was not accepted.");
    }
    await queueDelete(entry.seq);
  }
  if (sent) {
    await saveComingWeek(true);
  }
  await tell({ type: "sent", sent, rejected, pending: (await queued()).length });
}

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(replay());
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
  return (await queued()).map(({ kind, day, session, fields }) => ({ kind, day, session, fields }));
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
