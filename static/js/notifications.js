// The person's own topic on every page: new notices at the top of the
// notification list, and the unread counts (the badge beside "Notifications",
// the dashboard's "New messages", the chat's topic tabs) kept true without a
// reload. Without JavaScript the server renders the same counts on each page.
import { subscribe } from "./realtime.js";

const COUNT_AGAIN_MS = 300;

const link = document.querySelector("[data-unread-url]");
const userId = link?.dataset.user;
const list = document.getElementById("notification-list");
let timer = null;
let counting = false;
let again = false;

function item(data) {
  const li = document.createElement("li");
  li.className = "card unread";
  const text = data.url ? document.createElement("a") : document.createElement("span");
  if (data.url) text.href = data.url;
  text.dir = "auto";
  text.textContent = data.text;
  const meta = document.createElement("p");
  meta.className = "meta";
  const strong = document.createElement("strong");
  strong.textContent = list.dataset.textNew;
  meta.append(strong);
  li.append(text, meta);
  return li;
}

function show(counts) {
  for (const badge of document.querySelectorAll("[data-unread-badge]")) {
    badge.textContent = counts.badge.text;
    badge.hidden = !counts.badge.count;
  }
  for (const tab of document.querySelectorAll("[data-unread-conversation]")) {
    const text = counts.conversations[tab.dataset.unreadConversation];
    let badge = tab.querySelector(".badge");
    if (!text) {
      badge?.remove();
      continue;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      tab.append(" ", badge);
    }
    badge.textContent = text;
  }
  const section = document.querySelector("[data-unread-section]");
  if (section) {
    const fresh = document.createRange().createContextualFragment(counts.section);
    const replacement = fresh.querySelector("[data-unread-section]");
    if (replacement) section.replaceWith(replacement);
  }
}

// Counts are asked for again at most once at a time; signals in between make one more ask.
async function count() {
  if (counting) {
    again = true;
    return;
  }
  counting = true;
  try {
    const response = await fetch(link.dataset.unreadUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) show(await response.json());
  } catch {
    // Offline: the next signal or reconnect counts again.
  } finally {
    counting = false;
    if (again) {
      again = false;
      countSoon();
    }
  }
}

function countSoon() {
  clearTimeout(timer);
  timer = setTimeout(count, COUNT_AGAIN_MS);
}

if (link && userId) {
  let subscribedOnce = false;
  subscribe(`user.${userId}`, null, (frame) => {
    if (frame.type === "subscribed") {
      // After a reconnect, signals sent meanwhile were lost: count again.
      if (subscribedOnce) countSoon();
      subscribedOnce = true;
    } else if (frame.type === "unread") {
      countSoon();
    } else if (frame.type === "event" && frame.event === "notification.new") {
      if (list) {
        list.querySelector("[data-empty]")?.remove();
        list.prepend(item(frame.data));
      }
      countSoon();
    }
  });
}
