// Upgrades the chat page: live messages, posting over the socket, no repeats.
// Without this module the page is a plain form and links; with it nothing
// needs a reload. Messages are keyed by id and placed by position (seq).

import { onStatus, send, status, subscribe } from "./realtime.js";

const root = document.getElementById("chat");
const strings = document.getElementById("chat-strings")?.dataset ?? {};

if (root && root.dataset.live === "1") start();

function start() {
  const topic = root.dataset.topic;
  const log = document.getElementById("chat-log");
  const form = document.getElementById("post-form");
  const userId = Number(root.dataset.user);
  const spaceId = root.dataset.space;
  const moderate = root.dataset.moderate === "1";
  const mayPost = root.dataset.mayPost === "1";
  const timeZone = root.dataset.timeZone || undefined;
  // The server's formats as an Intl locale (region, clock, digits): live times read as reloaded ones.
  const lang = document.documentElement.dataset.locale || document.documentElement.lang || undefined;
  const timeFormat = new Intl.DateTimeFormat(lang, { timeZone, hour: "numeric", minute: "2-digit" });
  const dayFormat = new Intl.DateTimeFormat(lang, { timeZone, day: "numeric", month: "long", year: "numeric" });
  const dayKey = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const outbox = new Map(); // client_id -> { frame, element }
  let readTimer = null;
  let lastRead = 0;

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
  }

  function link(href, text, action) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (action) a.dataset.action = action;
    return a;
  }

  function messageUrl(id, what) {
    return `/spaces/${spaceId}/chat/messages/${id}/${what}/`;
  }

  function render(data) {
    const li = document.createElement("li");
    const visible = !data.deleted && !data.hidden;
    li.className = "chat-message";
    if (data.author && data.author.id === userId) li.classList.add("own");
    if (!visible) li.classList.add("gone");
    li.id = `m-${data.seq}`;
    li.dataset.id = data.id;
    li.dataset.seq = data.seq;
    li.dataset.day = dayKey.format(new Date(data.created));

    const meta = document.createElement("p");
    meta.className = "chat-meta";
    const author = document.createElement("span");
    author.className = "chat-author";
    const name = document.createElement("bdi");
    name.textContent = data.author ? data.author.name : strings.former;
    author.append(name);
    const when = document.createElement("a");
    when.className = "chat-time";
    when.href = `#m-${data.seq}`;
    const time = document.createElement("time");
    time.dateTime = data.created;
    time.textContent = timeFormat.format(new Date(data.created));
    when.append(time);
    meta.append(author, " ");
    // The role beside the name: a display name alone can pass for a co-lead's.
    const role = data.author && data.author.role;
    const roleLabel = role && strings[`role${role.charAt(0).toUpperCase()}${role.slice(1)}`];
    if (roleLabel) {
      const badge = document.createElement("span");
      badge.className = `role role-${role}`;
      badge.textContent = roleLabel;
      meta.append(badge, " ");
    }
    meta.append(when);
    if (data.edited && visible) {
      const flag = document.createElement("span");
      flag.className = "chat-flag";
      flag.textContent = strings.edited;
      meta.append(" ", flag);
    }
    li.append(meta);

    if (data.reply_to) {
      const reply = document.createElement("p");
      reply.className = "chat-reply";
      const name = data.reply_to.author ? data.reply_to.author.name : strings.former;
      reply.append(link(`#m-${data.reply_to.seq}`, `${strings.replyTo} ${name}`));
      if (data.reply_to.excerpt) {
        const excerpt = document.createElement("span");
        excerpt.dir = "auto";
        excerpt.textContent = data.reply_to.excerpt;
        reply.append(": ", excerpt);
      }
      li.append(reply);
    }

    if (visible) {
      const body = document.createElement("div");
      body.className = "chat-body";
      body.lang = data.lang || "";
      // Rendered once on the server through the one rich-text path and sanitised there.
      body.innerHTML = data.html;
      li.append(body);
      const actions = document.createElement("p");
      actions.className = "chat-actions";
      if (mayPost) actions.append(link(`?reply_to=${data.id}#post-form`, strings.reply, "reply"), " ");
      if (data.author && data.author.id === userId) {
        actions.append(link(messageUrl(data.id, "edit"), strings.edit, "edit"), " ");
        actions.append(link(messageUrl(data.id, "delete"), strings.delete, "delete"));
      } else {
        actions.append(link(messageUrl(data.id, "report"), strings.report, "report"));
      }
      if (moderate) actions.append(" ", link(messageUrl(data.id, "hide"), strings.hide));
      li.append(actions);
    } else {
      const gone = document.createElement("p");
      gone.className = "chat-gone-text";
      gone.textContent = data.deleted ? strings.deleted : strings.hidden;
      li.append(gone);
    }
    return li;
  }

  function daySeparator(date) {
    const li = document.createElement("li");
    li.className = "chat-day";
    const span = document.createElement("span");
    span.textContent = dayFormat.format(date);
    li.append(span);
    return li;
  }

  function dayOf(element) {
    return element.dataset.day ?? element.querySelector("time")?.dateTime?.slice(0, 10);
  }

  // One separator before the first message of each day (in the reader's zone).
  function separate() {
    for (const old of log.querySelectorAll(".chat-day")) old.remove();
    let previous = null;
    for (const element of log.querySelectorAll(".chat-message")) {
      const day = dayOf(element);
      if (day && day !== previous) {
        const divider = element.previousElementSibling?.classList.contains("chat-divider")
          ? element.previousElementSibling
          : element;
        const time = element.querySelector("time")?.dateTime;
        divider.before(daySeparator(time ? new Date(time) : new Date()));
      }
      previous = day ?? previous;
    }
  }

  function place(data) {
    const stick = nearBottom();
    const element = render(data);
    const existing = log.querySelector(`.chat-message[data-id="${data.id}"]`);
    if (existing) {
      // An edit, a deletion, a hide, or our own pending post confirmed: keep its place.
      existing.replaceWith(element);
    } else {
      log.querySelector(".chat-empty")?.remove();
      const later = [...log.querySelectorAll(".chat-message[data-seq]")].find(
        (candidate) => Number(candidate.dataset.seq) > data.seq,
      );
      // Older than something shown (a late fill) goes before it; new ones before pending posts.
      log.insertBefore(element, later ?? log.querySelector(".chat-pending"));
    }
    separate();
    if (stick && !existing) element.scrollIntoView({ block: "end" });
  }

  function markRead(seq) {
    lastRead = Math.max(lastRead, seq);
    if (document.visibilityState !== "visible" || readTimer) return;
    readTimer = setTimeout(() => {
      readTimer = null;
      send({ type: "read", topic, seq: lastRead }).catch(() => {});
    }, 2000);
  }

  function announce(text) {
    let region = document.getElementById("chat-alert");
    if (!region && form) {
      region = document.createElement("p");
      region.id = "chat-alert";
      region.className = "errorlist";
      region.setAttribute("role", "alert");
      form.prepend(region);
    }
    if (region) region.textContent = text || "";
  }

  subscribe(topic, Number(root.dataset.head), (frame) => {
    if (frame.type === "ack" && frame.client_id) {
      settle(frame.client_id, frame); // an ack that came late, after the wait ran out
    } else if (frame.type === "event") {
      if (frame.event === "closed") return; // a position this reader may not see
      place(frame.data);
      if (!frame.data.author || frame.data.author.id !== userId) markRead(frame.seq);
    } else if (frame.type === "unsubscribed" && frame.code) {
      announce(strings.removed);
      if (form) form.hidden = true;
    }
  });

  // The person's own notifications (mentions, replies, moderation) while on this page.
  const notice = document.getElementById("chat-notice");
  if (notice && userId) {
    subscribe(`user.${userId}`, null, (frame) => {
      if (frame.type !== "event") return;
      notice.replaceChildren(
        frame.data.url ? link(frame.data.url, frame.data.text) : document.createTextNode(frame.data.text),
      );
      notice.hidden = false;
    });
  }

  onStatus((state) => {
    if (state === "live") for (const clientId of outbox.keys()) deliver(clientId);
  });

  // The post is stored: its pending element becomes the message (or goes, if shown already).
  function settle(clientId, ack) {
    const item = outbox.get(clientId);
    if (!item) return;
    outbox.delete(clientId);
    clearTimeout(item.retry);
    if (log.querySelector(`.chat-message[data-id="${ack.id}"]`)) {
      item.element.remove(); // the live event came first and is shown already
      return;
    }
    item.element.dataset.id = ack.id;
    item.element.dataset.seq = ack.seq;
    item.element.id = `m-${ack.seq}`;
    item.element.classList.remove("chat-pending");
  }

  function deliver(clientId) {
    const item = outbox.get(clientId);
    if (!item) return;
    clearTimeout(item.retry);
    send(item.frame).then(
      (ack) => settle(clientId, ack),
      (error) => {
        if (!outbox.has(clientId)) return; // settled meanwhile by a late ack
        if (error.code === "disconnected" || error.code === "timeout") {
          // Kept: sent again with the same id when the socket is back, stored once.
          item.element.querySelector(".chat-time").textContent = strings.notSent;
          if (error.code === "timeout") {
            // No answer on a live socket: send again after a growing pause (2 s, 4 s … 30 s).
            item.tries = (item.tries || 0) + 1;
            const pause = Math.min(30000, 1000 * 2 ** item.tries);
            item.retry = setTimeout(() => status() === "live" && deliver(clientId), pause);
          }
          return;
        }
        outbox.delete(clientId);
        item.element.remove();
        announce(error.message);
        if (form && !form.body.value) form.body.value = item.frame.body;
      },
    );
  }

  if (form && mayPost) {
    form.addEventListener("submit", (submitEvent) => {
      const body = form.body.value.trim();
      if (!body) return; // the server's form shows the message
      submitEvent.preventDefault();
      announce("");
      const clientId = `w-${crypto.randomUUID ? crypto.randomUUID() : Date.now() + Math.random()}`;
      const replyTo = Number(form.reply_to?.value) || null;
      const frame = { type: "post", topic, body, client_id: clientId, reply_to: replyTo };
      const element = document.createElement("li");
      element.className = "chat-message own chat-pending";
      element.dataset.day = dayKey.format(new Date());
      const meta = document.createElement("p");
      meta.className = "chat-meta";
      const time = document.createElement("span");
      time.className = "chat-time";
      time.textContent = strings.sending;
      meta.append(time);
      const text = document.createElement("div");
      text.className = "chat-body";
      text.textContent = body;
      element.append(meta, text);
      log.querySelector(".chat-empty")?.remove();
      log.append(element);
      separate();
      element.scrollIntoView({ block: "end" });
      outbox.set(clientId, { frame, element });
      form.body.value = "";
      if (form.reply_to) form.reply_to.value = "";
      form.querySelector("[data-replying]")?.remove();
      deliver(clientId);
    });
    form.body.addEventListener("keydown", (keyEvent) => {
      if (keyEvent.key === "Enter" && (keyEvent.ctrlKey || keyEvent.metaKey)) form.requestSubmit();
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && lastRead) markRead(lastRead);
  });
}

// Mentions: after "@" the message box offers the space's people by display name.
// A listbox owned by the textbox (aria-activedescendant): arrows move, Enter or Tab
// inserts "@[Display Name]", Escape closes. Without it, typing the same works.
function mentionBox() {
  const box = document.querySelector("#post-form textarea[name=body]");
  const list = document.getElementById("mention-list");
  const data = document.getElementById("mention-people");
  if (!box || !list || !data) return;
  const people = JSON.parse(data.textContent);
  let options = [];
  let active = -1;
  // A textarea may not take the combobox role; as a textbox it still owns the
  // listbox (aria-controls) and points at the chosen option (aria-activedescendant).
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);

  function query() {
    const before = box.value.slice(0, box.selectionStart);
    const match = before.match(/(?:^|[^\w@])@(\[?)([^\s@\]]{0,40})$/u);
    return match ? { start: before.length - match[2].length - match[1].length - 1, text: match[2] } : null;
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    options.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (options[index]) {
      box.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
  }

  function choose(index) {
    const found = query();
    const person = options[index] && people[Number(options[index].dataset.index)];
    if (!found || !person) return close();
    const token = /\s/.test(person.name) ? `@[${person.name}] ` : `@${person.name} `;
    const end = box.selectionStart;
    box.value = box.value.slice(0, found.start) + token + box.value.slice(end);
    const caret = found.start + token.length;
    box.setSelectionRange(caret, caret);
    close();
    box.focus();
  }

  function update() {
    const found = query();
    if (!found) return close();
    const needle = found.text.toLocaleLowerCase();
    const hits = [];
    people.forEach((person, index) => {
      const name = person.name.toLocaleLowerCase();
      if (name.startsWith(needle) || name.split(/\s+/).some((word) => word.startsWith(needle))) {
        hits.push(index);
      }
    });
    if (!hits.length) return close();
    options = hits.slice(0, 8).map((index, i) => {
      const li = document.createElement("li");
      li.id = `mention-option-${i}`;
      li.setAttribute("role", "option");
      li.dataset.index = index;
      const name = document.createElement("bdi");
      name.textContent = people[index].name;
      li.append(name);
      const label = strings[`role${people[index].role.charAt(0).toUpperCase()}${people[index].role.slice(1)}`];
      if (label) li.append(` · ${label}`);
      li.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the message box
        choose(i);
      });
      return li;
    });
    list.replaceChildren(...options);
    list.hidden = false;
    highlight(0);
  }

  box.addEventListener("input", update);
  box.addEventListener("blur", () => setTimeout(close, 100));
  box.addEventListener("keydown", (event) => {
    if (list.hidden || !options.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      event.stopImmediatePropagation(); // Enter picks a name here; it does not send
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
}

mentionBox();
