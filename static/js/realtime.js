// The one socket of this tab. Pages never open their own: they subscribe here.
//
//   import { subscribe, send, onStatus } from "./realtime.js";
//   const topic = subscribe("chat.42", lastSeq, (frame) => { ... });
//   const ack = await send({ type: "post", topic: "chat.42", body, client_id });
//
// The protocol is in docs/realtime.md. This module keeps the last position per
// topic, resumes from it after every reconnect, drops repeats, asks again when
// positions jump, sends heartbeats, and shows "live / reconnecting / offline".

const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 30000;
const TOO_MANY_WAIT_MS = 60000;
const PONG_WAIT_MS = 10000;
const REQUEST_WAIT_MS = 15000;
const HELLO_WAIT_MS = 5000; // a socket that says no hello by then is given up
const CLOSE_SIGNED_OUT = 4401;
const CLOSE_TOO_MANY = 4429;

const topics = new Map(); // topic -> { seq, contiguous, handlers: Set }
const pending = new Map(); // ref -> { resolve, reject, timer }
const statusListeners = new Set();
let socket = null;
let state = "connecting";
let attempt = 0;
let heartbeat = null;
let pongTimer = null;
let retryTimer = null;
let helloTimer = null;
let nextRef = 1;
let stopped = false;
let wasLive = false; // once live, every later connection is a reconnection

function url() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/`;
}

function setState(next) {
  if (state === next) return;
  state = next;
  for (const element of document.querySelectorAll("[data-live-status]")) {
    const key = `text${next.replace(/(^|-)(\w)/g, (_m, _d, c) => c.toUpperCase())}`;
    element.dataset.state = next;
    element.textContent = element.dataset[key] || next;
    element.hidden = false;
  }
  for (const listener of statusListeners) listener(next);
}

export function onStatus(listener) {
  statusListeners.add(listener);
  listener(state);
  return () => statusListeners.delete(listener);
}

export function status() {
  return state;
}

function raw(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

// Send a frame and wait for its answer (ack, subscribed, pong) or error.
// Rejects with { code: "disconnected" } when the socket is not open.
export function send(frame) {
  const ref = `c${nextRef++}`;
  return new Promise((resolve, reject) => {
    // The ref leads, so the server can name it even in a frame too large to read.
    if (!raw({ ref, ...frame })) {
      reject({ type: "error", code: "disconnected", ref });
      return;
    }
    const timer = setTimeout(() => {
      pending.delete(ref);
      reject({ type: "error", code: "timeout", ref });
    }, REQUEST_WAIT_MS);
    pending.set(ref, { resolve, reject, timer });
  });
}

// Follow a topic from position `after` (null: from now on). Returns a handle
// whose unsubscribe() stops it.
export function subscribe(topic, after, handler) {
  let entry = topics.get(topic);
  if (!entry) {
    entry = { seq: after ?? null, contiguous: true, handlers: new Set() };
    topics.set(topic, entry);
    if (state === "live") raw({ type: "subscribe", topic, after: entry.seq ?? undefined });
  }
  entry.handlers.add(handler);
  return {
    unsubscribe() {
      entry.handlers.delete(handler);
      if (entry.handlers.size === 0) {
        topics.delete(topic);
        raw({ type: "unsubscribe", topic });
      }
    },
  };
}

function deliver(topic, frame) {
  const entry = topics.get(topic);
  if (!entry) return;
  for (const handler of entry.handlers) {
    try {
      handler(frame);
    } catch (error) {
      console.error(error);
    }
  }
}

function onEvent(frame) {
  const entry = topics.get(frame.topic);
  if (!entry) return;
  if (entry.seq !== null && frame.seq <= entry.seq) return; // seen already
  if (entry.contiguous && entry.seq !== null && frame.seq > entry.seq + 1) {
    // A gap: ask for everything after the last position we have.
    raw({ type: "subscribe", topic: frame.topic, after: entry.seq });
    return;
  }
  entry.seq = frame.seq;
  deliver(frame.topic, frame);
}

function onFrame(frame) {
  const waiting = frame.ref ? pending.get(frame.ref) : undefined;
  if (waiting) {
    pending.delete(frame.ref);
    clearTimeout(waiting.timer);
    (frame.type === "error" ? waiting.reject : waiting.resolve)(frame);
  }
  switch (frame.type) {
    case "ack":
      // An answer after its request timed out: the topic's page may still settle it.
      if (!waiting && frame.topic) deliver(frame.topic, frame);
      break;
    case "hello":
      clearTimeout(helloTimer);
      attempt = 0;
      startHeartbeat(frame.heartbeat || 25);
      resume();
      wasLive = true;
      setState("live");
      break;
    case "event":
      onEvent(frame);
      break;
    case "subscribed": {
      const entry = topics.get(frame.topic);
      if (entry) {
        entry.contiguous = frame.contiguous !== false;
        // Above the head (a server restored from a backup): start again at the head.
        if (entry.seq === null || entry.seq > frame.head) entry.seq = frame.head;
      }
      deliver(frame.topic, frame);
      break;
    }
    case "unsubscribed":
    case "unread":
    case "error":
      if (frame.topic) deliver(frame.topic, frame);
      break;
    default:
      break;
  }
}

function resume() {
  const wanted = {};
  for (const [topic, entry] of topics) wanted[topic] = entry.seq;
  if (Object.keys(wanted).length) raw({ type: "resume", topics: wanted });
}

function startHeartbeat(seconds) {
  stopHeartbeat();
  heartbeat = setInterval(() => {
    if (!raw({ type: "ping" })) return;
    clearTimeout(pongTimer);
    pongTimer = setTimeout(() => socket && socket.close(), PONG_WAIT_MS);
  }, seconds * 1000);
}

function stopHeartbeat() {
  clearInterval(heartbeat);
  clearTimeout(pongTimer);
}

function failPending() {
  for (const [ref, waiting] of pending) {
    clearTimeout(waiting.timer);
    waiting.reject({ type: "error", code: "disconnected", ref });
  }
  pending.clear();
}

function scheduleReconnect(wait) {
  clearTimeout(retryTimer);
  if (stopped) return;
  // Exponential back-off with full jitter, so many tabs do not return at once.
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
  const delay = wait ?? Math.round(Math.random() * ceiling);
  attempt += 1;
  retryTimer = setTimeout(connect, delay);
}

function connect() {
  clearTimeout(retryTimer);
  if (stopped) return;
  if (!navigator.onLine) {
    setState("offline");
    return;
  }
  if (state !== "live") setState(wasLive ? "reconnecting" : "connecting");
  const ws = new WebSocket(url());
  socket = ws;
  // Opened (or stuck opening) but silent: a proxy or a server that hangs. Try again.
  clearTimeout(helloTimer);
  helloTimer = setTimeout(() => {
    if (socket === ws) ws.close();
  }, HELLO_WAIT_MS);
  ws.addEventListener("message", (message) => {
    clearTimeout(pongTimer);
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    onFrame(frame);
  });
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;
    clearTimeout(helloTimer);
    socket = null;
    stopHeartbeat();
    failPending();
    if (event.code === CLOSE_SIGNED_OUT) {
      stopped = true;
      setState("signed-out");
      return;
    }
    setState(navigator.onLine ? "reconnecting" : "offline");
    scheduleReconnect(event.code === CLOSE_TOO_MANY ? TOO_MANY_WAIT_MS : undefined);
  });
}

window.addEventListener("online", () => {
  attempt = 0;
  if (!socket) connect();
});
window.addEventListener("offline", () => {
  setState("offline");
  if (socket) socket.close();
});
document.addEventListener("visibilitychange", () => {
  // Back to a tab whose socket the browser let go: reconnect now, not after back-off.
  if (document.visibilityState === "visible" && !socket && !stopped) {
    attempt = 0;
    connect();
  }
});

connect();
