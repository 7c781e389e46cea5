// The notification list comes alive: new notices arrive over the person's own
// topic and are put at the top of the list. Without JavaScript the page still
// lists them; a reload shows the same.
import { subscribe } from "./realtime.js";

const list = document.getElementById("notification-list");
const userId = list?.dataset.user;

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

if (list && userId) {
  subscribe(`user.${userId}`, null, (frame) => {
    if (frame.type !== "event" || frame.event !== "notification.new") return;
    list.querySelector("[data-empty]")?.remove();
    list.prepend(item(frame.data));
  });
}
