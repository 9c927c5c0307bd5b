// 网格通 web chat: plays the people of the simulated Telegram through the control API and
// follows everything live through server-sent events. No build step, no libraries.
"use strict";

const T = {
  typing: "对方正在输入…",
  typingIn: (name) => `${name} 正在输入…`,
  members: (n) => `${n} 位成员`,
  botChat: "机器人",
  notStarted: "点击下方「开始」与机器人对话",
  blocked: "你已屏蔽机器人",
  restart: "重新开始",
  start: "开始",
  joined: (name) => `${name} 加入了群聊`,
  left: (name) => `${name} 离开了群聊`,
  deleted: (name) => `${name} 撤回了一条消息`,
  removed: (name, by) => `${by} 删除了${name}的一条消息`,
  edited: "已编辑",
  photo: "[图片]",
  location: "[位置]",
  file: "[文件]",
  you: "我",
  reply: "引用",
  like: '<svg viewBox="0 0 24 24" width="13" height="13" aria-hidden="true"><path d="M7 10v10H4V10h3zm2 10V10l4.2-6.3c.8-1.2 2.8-.6 2.6 1L15.3 9H20a1.5 1.5 0 0 1 1.5 1.8l-1.6 7.6A2 2 0 0 1 18 20H9z" fill="currentColor"/></svg>赞',
  replyTo: (name, text) => `引用 ${name}：${text}`,
  noCommands: "这个会话没有命令菜单",
  pressed: "已发送",
  noAnswer: "机器人没有响应",
  failed: (why) => `操作失败：${why}`,
  yesterday: "昨天",
  locationLabel: "位置",
  roleless: "其他",
  personaHint: "切换身份后，会话列表会变成这个人的",
  current: "当前",
  groupCount: (role, n) => `${role}（${n}）`,
  blockedToast: "已屏蔽机器人",
  botIntro: "点击下方「开始」，就可以私聊报事、查看和处理案件。",
};

const PLACES = [
  ["福业街菜场门口", 29.9531, 121.7138],
  ["招宝山街道办事处", 29.9589, 121.7206],
  ["城河路与车站路口", 29.9495, 121.7117],
  ["骆驼街道社区服务中心", 29.9702, 121.6255],
  ["蛟川街道工业区", 29.9321, 121.6783],
];
// The persona switcher's headings, leaders first. A role reads "网格长 · 城河一网格" (several
// positions joined by "；"); its title (before " · ") picks the heading by its start, so that
// 区级 goes under 区 but 社区 never does.
const ROLE_GROUPS = ["网格长", "网格员", "社区", "街道", "部门", "区", "管理员", "居民"];
const DEFAULT_TIMEZONE = "Asia/Shanghai";
const PALETTE = ["#f0a04b", "#e5735c", "#6aa6e8", "#9b7fe6", "#4fb7a8", "#d87bb0", "#8fa85b",
  "#e08b3e", "#5f8fd9", "#c2875e"];

const $ = (selector) => document.querySelector(selector);
const state = {
  users: new Map(),
  bots: new Map(),
  me: null,
  chats: [],
  current: null,
  messages: new Map(), // chat key -> array of messages
  typing: new Map(), // chat key -> {until, botId}
  unread: new Map(),
  replyTo: null,
  lastSeq: 0,
  timeZone: DEFAULT_TIMEZONE, // the bot's configured zone, from the seed: times read as the bot writes them
};

// ----- talking to the server ---------------------------------------------------------------

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: {} };
  if (options.body !== undefined) {
    init.method = options.method || "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(`/control${path}`, init);
  const data = await response.json();
  if (!data.ok) throw new Error(data.error || response.statusText);
  return data.result;
}

function toast(text, ms = 1600) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), ms);
}

function alertBox(text) {
  $("#alert-text").textContent = text;
  $("#alert-dialog").hidden = false;
}

// ----- names, avatars, times ---------------------------------------------------------------

function person(id) {
  return state.users.get(id) || state.bots.get(id) || { id, name: String(id), first_name: String(id) };
}

function nameOf(user) {
  if (!user) return "";
  if (user.name) return user.name;
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

function avatar(who, size = "") {
  const el = document.createElement("span");
  el.className = `avatar ${size}`;
  if (who.is_bot) {
    el.classList.add("bot");
    el.textContent = "网";
  } else {
    el.style.background = PALETTE[Math.abs(Math.imul(who.id, 2654435761) >>> 7) % PALETTE.length];
    el.textContent = nameOf(who).slice(0, 1);
  }
  return el;
}

function chatAvatar(chat) {
  if (chat.type === "private") return avatar(state.bots.get(chat.bot_id) || { is_bot: true, id: 0 });
  const el = document.createElement("span");
  el.className = "avatar group";
  el.textContent = (chat.title || "群").replace(/网格群$/, "").slice(0, 2);
  return el;
}

const clock = { zone: null, format: null };

// The wall clock in the configured zone (not the browser's): {year, month, day, hour, minute}.
function zonedParts(millis) {
  if (clock.zone !== state.timeZone) {
    const options = { year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      clock.format = new Intl.DateTimeFormat("en-US", { ...options, timeZone: state.timeZone });
    } catch (error) { // a zone this browser does not know: its own clock beats no clock
      console.error(error);
      clock.format = new Intl.DateTimeFormat("en-US", options);
    }
    clock.zone = state.timeZone;
  }
  const parts = {};
  for (const part of clock.format.formatToParts(new Date(millis))) parts[part.type] = part.value;
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: parts.hour, minute: parts.minute };
}

function dayKey(p) { return `${p.year}-${p.month}-${p.day}`; }

function shortTime(seconds, withDay = false) {
  const d = zonedParts(seconds * 1000);
  const now = Date.now();
  const today = zonedParts(now);
  const hm = `${d.hour}:${d.minute}`;
  if (dayKey(d) === dayKey(today)) return hm;
  if (dayKey(d) === dayKey(zonedParts(now - 86400000))) return withDay ? `${T.yesterday} ${hm}` : T.yesterday;
  const day = `${d.year === today.year ? "" : `${d.year}年`}${d.month}月${d.day}日`;
  return withDay ? `${day} ${hm}` : day;
}

function fullTime(seconds) {
  const d = zonedParts(seconds * 1000);
  return `${d.year}年${d.month}月${d.day}日 ${d.hour}:${d.minute}（${state.timeZone}）`;
}

// ----- entities to HTML (offsets are UTF-16, as JavaScript strings are) ---------------------

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function renderEntities(text, entities) {
  if (!text) return "";
  const cuts = new Set([0, text.length]);
  for (const e of entities || []) {
    cuts.add(e.offset);
    cuts.add(Math.min(e.offset + e.length, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  let html = "";
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i];
    const end = points[i + 1];
    let piece = escapeHtml(text.slice(start, end));
    const covering = (entities || []).filter((e) => e.offset <= start && e.offset + e.length >= end);
    covering.sort((a, b) => b.length - a.length);
    for (const e of covering.reverse()) piece = wrapEntity(e, piece, text);
    html += piece;
  }
  return html;
}

function wrapEntity(entity, inner, text) {
  const whole = text.substr(entity.offset, entity.length);
  switch (entity.type) {
    case "bold": return `<b>${inner}</b>`;
    case "italic": return `<i>${inner}</i>`;
    case "underline": return `<u>${inner}</u>`;
    case "strikethrough": return `<s>${inner}</s>`;
    case "spoiler": return `<span class="spoiler">${inner}</span>`;
    case "code": return `<code>${inner}</code>`;
    case "pre": return `<code class="pre">${inner}</code>`;
    case "blockquote":
    case "expandable_blockquote": return `<span class="quote-ent">${inner}</span>`;
    case "text_link": return `<a href="${escapeHtml(entity.url)}" target="_blank" rel="noopener">${inner}</a>`;
    case "url": return `<a href="${escapeHtml(whole)}" target="_blank" rel="noopener">${inner}</a>`;
    case "email": return `<a href="mailto:${escapeHtml(whole)}">${inner}</a>`;
    case "bot_command": return `<span class="cmd" data-cmd="${escapeHtml(whole)}">${inner}</span>`;
    case "mention":
    case "text_mention": return `<span class="mention">${inner}</span>`;
    case "hashtag": return `<span class="tag">${inner}</span>`;
    default: return inner;
  }
}

// ----- the persona ---------------------------------------------------------------------------

function positionsOf(role) {
  return (role || "").split("；").map((text) => text.trim()).filter(Boolean).map((text) => {
    const [title, ...where] = text.split(" · ");
    return { text, title: title.trim(), where: where.join(" · ").trim(), rank: groupRank(title.trim()) };
  });
}

function groupRank(title) {
  const index = ROLE_GROUPS.findIndex((group) => title.startsWith(group));
  return index === -1 ? ROLE_GROUPS.length : index;
}

// The position that places someone in the switcher: their most senior one.
function mainPosition(user) {
  const positions = positionsOf(user.role);
  if (!positions.length) return { text: T.roleless, title: T.roleless, where: "", rank: ROLE_GROUPS.length };
  return positions.reduce((best, p) => (p.rank < best.rank ? p : best));
}

function groupTitle(position) {
  return ROLE_GROUPS[position.rank] || T.roleless;
}

// Where the main position is, then any other positions whole: "城河二网格；网格员 · 城河一网格".
function placesOf(user) {
  const main = mainPosition(user);
  const others = positionsOf(user.role).filter((p) => p.text !== main.text).map((p) => p.text);
  return [main.where, ...others].filter(Boolean).join("；");
}

// Under the name in the switcher: the places, then the id.
function personaDetail(user) {
  return [placesOf(user), `ID ${user.id}`, user.username ? `@${user.username}` : ""].filter(Boolean).join(" · ");
}

function renderMe() {
  const me = state.users.get(state.me);
  const rail = $("#me-avatar");
  rail.replaceChildren();
  const mini = $("#me-mini");
  mini.replaceChildren();
  if (!me) {
    $("#me-name").textContent = "—";
    $("#me-title").textContent = "";
    $("#me-where").textContent = "";
    return;
  }
  const big = avatar(me, "big");
  rail.style.background = big.style.background;
  rail.textContent = big.textContent;
  rail.title = `${nameOf(me)}（${me.role || T.roleless}）· 切换身份`;
  const small = avatar(me, "small");
  mini.style.background = small.style.background;
  mini.textContent = small.textContent;
  const main = mainPosition(me);
  $("#me-name").textContent = nameOf(me);
  $("#me-title").textContent = main.title;
  $("#me-where").textContent = placesOf(me);
  $("#me-button").title = `当前身份：${nameOf(me)}（${me.role || T.roleless}）· 点击切换`;
}

function openPersonaDialog() {
  const list = $("#persona-list");
  list.replaceChildren();
  const hint = document.createElement("h3");
  hint.textContent = T.personaHint;
  list.append(hint);
  const groups = new Map();
  const people = [...state.users.values()]
    .map((user) => ({ user, main: mainPosition(user) }))
    .sort((a, b) => a.main.rank - b.main.rank || a.user.id - b.user.id);
  for (const { user, main } of people) {
    const heading = groupTitle(main);
    if (!groups.has(heading)) groups.set(heading, []);
    groups.get(heading).push(user);
  }
  const jump = $("#persona-jump");
  jump.replaceChildren();
  for (const [heading, users] of groups) {
    const section = document.createElement("section");
    const chip = document.createElement("button");
    chip.textContent = heading;
    chip.title = T.groupCount(heading, users.length);
    chip.addEventListener("click", () => {
      // Just under the sticky header, which scrollIntoView would hide the heading behind.
      const card = section.closest(".sheet-card");
      const header = card.querySelector("header");
      card.scrollTop += section.getBoundingClientRect().top - header.getBoundingClientRect().bottom;
    });
    jump.append(chip);
    section.className = "persona-group";
    section.dataset.group = heading;
    const title = document.createElement("h3");
    title.className = "group-title";
    title.textContent = T.groupCount(heading, users.length);
    section.append(title);
    list.append(section);
    for (const user of users) {
      const button = document.createElement("button");
      const current = user.id === state.me;
      button.className = `persona${current ? " current" : ""}`;
      button.dataset.userId = user.id;
      const who = document.createElement("span");
      who.className = "who";
      who.innerHTML = `${escapeHtml(nameOf(user))}<small>${escapeHtml(personaDetail(user))}</small>`;
      button.append(avatar(user), who);
      if (current) {
        const mark = document.createElement("span");
        mark.className = "current-mark";
        mark.textContent = T.current;
        button.append(mark);
      }
      button.addEventListener("click", () => {
        $("#persona-dialog").hidden = true;
        switchPersona(user.id);
      });
      section.append(button);
    }
  }
  $("#persona-dialog").hidden = false;
  const chosen = list.querySelector(".persona.current");
  if (chosen) chosen.scrollIntoView({ block: "center" });
}

async function switchPersona(userId) {
  state.me = userId;
  localStorage.setItem("gridbot.persona", String(userId));
  state.unread.clear();
  state.replyTo = null;
  renderMe();
  await loadChats();
  const stillHere = state.chats.find((c) => c.key === state.current);
  if (stillHere) await openChat(stillHere.key);
  else if (!isPhone() && state.chats.length) await openChat(state.chats[0].key);
  else closeChat();
}

// ----- the chat list -------------------------------------------------------------------------

function isPhone() { return window.matchMedia("(max-width: 720px)").matches; }

async function loadState() {
  const snapshot = await api("/state");
  state.users = new Map(snapshot.users.map((u) => [u.id, u]));
  state.bots = new Map(snapshot.bots.map((b) => [b.id, { ...b, name: b.first_name }]));
  state.lastSeq = snapshot.last_event;
  state.timeZone = snapshot.timezone || DEFAULT_TIMEZONE;
  const asked = Number(new URLSearchParams(location.search).get("as"));
  if (state.users.has(asked) && !state.me) state.me = asked;
  const saved = Number(localStorage.getItem("gridbot.persona"));
  if (!state.users.has(state.me)) {
    const resident = [...state.users.values()].find((u) => (u.role || "").includes("居民"));
    state.me = state.users.has(saved) ? saved : (resident || [...state.users.values()][0] || {}).id || null;
  }
  renderMe();
}

async function loadChats() {
  if (!state.me) {
    state.chats = [];
  } else {
    state.chats = await api(`/chats?user_id=${state.me}`);
  }
  state.chats.sort((a, b) => lastDate(b) - lastDate(a) || (a.type === "private") - (b.type === "private"));
  renderChatList();
}

function lastDate(chat) {
  const cached = state.messages.get(chat.key);
  const last = cached && cached.length ? cached[cached.length - 1] : chat.last_message;
  return last ? last.date : 0;
}

function previewOf(message) {
  if (!message) return "";
  if (message.deleted) return deletedLine(message);
  let body = message.text || (message.photo ? T.photo : message.location ? T.location : message.document ? T.file : "");
  if (message.new_chat_members) body = T.joined(message.new_chat_members.map(nameOf).join("、"));
  if (message.photo && message.caption) body = `${T.photo} ${message.caption}`;
  const chat = state.chats.find((c) => c.key === message.chat_key);
  if (chat && chat.type !== "private" && !message.new_chat_members) {
    const who = message.from.id === state.me ? T.you : nameOf(person(message.from.id));
    return `${who}：${body}`;
  }
  return body;
}

function renderChatList() {
  const list = $("#chat-list");
  const filter = $("#search").value.trim();
  list.replaceChildren();
  for (const chat of state.chats) {
    if (filter && !(chat.title || "").includes(filter)) continue;
    const cached = state.messages.get(chat.key);
    const visible = cached ? cached.filter((m) => !m.deleted) : [];
    const last = visible.length ? visible[visible.length - 1] : chat.last_message;
    const item = document.createElement("li");
    item.className = `chat-item${chat.key === state.current ? " active" : ""}`;
    item.dataset.key = chat.key;
    const meta = document.createElement("div");
    meta.className = "meta";
    const row = document.createElement("div");
    row.className = "row";
    row.innerHTML = `<span class="name">${escapeHtml(chat.title || "")}</span><span class="time"${last ? ` title="${escapeHtml(fullTime(last.date))}"` : ""}>${last ? shortTime(last.date) : ""}</span>`;
    const preview = document.createElement("div");
    preview.className = "preview";
    const typing = state.typing.get(chat.key);
    const typingText = chat.type === "private" ? T.typing : T.typingIn(nameOf(person(typing && typing.botId)));
    preview.textContent = chat.not_started ? T.notStarted : isTyping(chat.key) ? typingText : previewOf(last);
    meta.append(row, preview);
    item.append(chatAvatar(chat), meta);
    const unread = state.unread.get(chat.key);
    if (unread) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = unread > 99 ? "99+" : unread;
      item.append(badge);
    }
    item.addEventListener("click", () => openChat(chat.key));
    list.append(item);
  }
  $("#empty-list").hidden = state.chats.length > 0;
}

// ----- the conversation ----------------------------------------------------------------------

function currentChat() { return state.chats.find((c) => c.key === state.current) || null; }

async function openChat(key) {
  $("#commands-panel").hidden = true;
  $("#chat-menu-panel").hidden = true;
  state.current = key;
  state.unread.delete(key);
  state.replyTo = null;
  $("#app").classList.add("in-chat");
  $("#welcome").hidden = true;
  $("#messages").hidden = false;
  const chat = currentChat();
  if (chat && !chat.not_started) {
    const view = await api(`/chats/${encodeURIComponent(key)}/transcript`);
    state.messages.set(key, view.messages);
    Object.assign(chat, { members: view.members });
    for (const botId of view.typing || []) state.typing.set(key, { botId, until: Date.now() + 5000 });
  } else {
    state.messages.set(key, []);
  }
  renderChatList();
  renderHeader();
  renderMessages(true);
  renderBars();
  if (!isPhone()) $("#input").focus();
}

function closeChat() {
  state.current = null;
  $("#app").classList.remove("in-chat");
  $("#welcome").hidden = false;
  $("#messages").hidden = true;
  $("#composer").hidden = true;
  $("#start-bar").hidden = true;
  $("#reply-bar").hidden = true;
  $("#keyboard-bar").hidden = true;
  $("#chat-title").textContent = "网格通";
  $("#chat-subtitle").textContent = "";
  $("#chat-menu").hidden = true;
  renderChatList();
}

function isTyping(key) {
  const typing = state.typing.get(key);
  return Boolean(typing && typing.until > Date.now());
}

function renderHeader() {
  const chat = currentChat();
  if (!chat) return;
  $("#chat-title").textContent = chat.title || "";
  const subtitle = $("#chat-subtitle");
  const typing = state.typing.get(chat.key);
  subtitle.classList.toggle("typing", isTyping(chat.key));
  if (isTyping(chat.key)) {
    subtitle.textContent = chat.type === "private" ? T.typing : T.typingIn(nameOf(person(typing.botId)));
  } else if (chat.type === "private") {
    subtitle.textContent = T.botChat;
  } else {
    const count = Object.values(chat.members || {}).filter((s) => !["left", "kicked"].includes(s)).length;
    subtitle.textContent = T.members(count);
  }
  $("#chat-menu").hidden = chat.type !== "private";
}

function blockedBot(chat) {
  return chat.type === "private" && (chat.members || {})[String(chat.bot_id)] === "kicked";
}

function renderBars() {
  const chat = currentChat();
  const notStarted = Boolean(chat && chat.not_started);
  const blocked = Boolean(chat && blockedBot(chat));
  $("#start-bar").hidden = !(notStarted || blocked);
  $("#start-button").textContent = blocked ? T.restart : T.start;
  $("#composer").hidden = !chat || notStarted || blocked;
  const reply = $("#reply-bar");
  if (state.replyTo) {
    const m = findMessage(state.current, state.replyTo);
    reply.hidden = !m;
    if (m) $("#reply-text").textContent = T.replyTo(nameOf(person(m.from.id)), summary(m));
  } else {
    reply.hidden = true;
  }
  renderReplyKeyboard();
}

function summary(message) {
  return message.text || message.caption || (message.photo ? T.photo : message.location ? T.location : T.file);
}

function findMessage(key, id) {
  return (state.messages.get(key) || []).find((m) => m.message_id === id);
}

function renderReplyKeyboard() {
  const bar = $("#keyboard-bar");
  const messages = state.messages.get(state.current) || [];
  let keyboard = null;
  for (const m of messages) {
    if (!m.from_bot || !m.reply_markup) continue;
    if (m.reply_markup.keyboard) keyboard = m.reply_markup.keyboard;
    if (m.reply_markup.remove_keyboard) keyboard = null;
  }
  bar.replaceChildren();
  bar.hidden = !keyboard;
  if (!keyboard) return;
  for (const row of keyboard) {
    const line = document.createElement("div");
    line.className = "krow";
    for (const button of row) {
      const label = typeof button === "string" ? button : button.text;
      const b = document.createElement("button");
      b.textContent = label;
      b.addEventListener("click", () => {
        if (button.request_location) openLocationDialog();
        else sendText(label);
      });
      line.append(b);
    }
    bar.append(line);
  }
}

function renderMessages(jump = false) {
  const box = $("#messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  box.replaceChildren();
  let previous = null;
  const chat = currentChat();
  if (chat && chat.not_started) box.append(botIntro(chat));
  for (const message of state.messages.get(state.current) || []) {
    if (!previous || message.date - previous.date > 300) {
      const sep = document.createElement("div");
      sep.className = "time-sep";
      sep.innerHTML = `<span>${shortTime(message.date, true)}</span>`;
      sep.title = fullTime(message.date);
      box.append(sep);
    }
    box.append(renderMessage(message));
    previous = message;
  }
  if (jump || nearBottom) {
    box.style.scrollBehavior = "auto";
    box.scrollTop = box.scrollHeight;
    box.style.scrollBehavior = "";
  }
}

function botIntro(chat) {
  const card = document.createElement("div");
  card.className = "intro";
  const bot = state.bots.get(chat.bot_id) || { is_bot: true, id: 0, first_name: chat.title };
  const name = document.createElement("b");
  name.textContent = nameOf(bot);
  const about = document.createElement("span");
  about.textContent = T.botIntro;
  card.append(avatar(bot), name, about);
  return card;
}

function systemLine(text) {
  const line = document.createElement("div");
  line.className = "system";
  const span = document.createElement("span");
  span.textContent = text;
  line.append(span);
  return line;
}

// 撤回 when the author took it back; otherwise who removed it (the bot hides a phone number).
function deletedLine(message) {
  const author = message.from.id === state.me ? T.you : nameOf(person(message.from.id));
  const by = message.deleted_by;
  if (by === undefined || by === null || by === message.from.id) return T.deleted(author);
  return T.removed(author, by === state.me ? T.you : nameOf(person(by)));
}

function renderMessage(message) {
  const sender = person(message.from.id);
  if (message.deleted) return systemLine(deletedLine(message));
  if (message.new_chat_members) return systemLine(T.joined(message.new_chat_members.map(nameOf).join("、")));
  if (message.left_chat_member) return systemLine(T.left(nameOf(message.left_chat_member)));
  const chat = currentChat();
  const mine = message.from.id === state.me;
  const row = document.createElement("div");
  row.className = `msg${mine ? " me" : ""}`;
  row.dataset.messageId = message.message_id;
  const body = document.createElement("div");
  body.className = "body";
  if (chat && chat.type !== "private" && !mine) {
    const name = document.createElement("div");
    name.className = "sender";
    name.textContent = nameOf(sender);
    if (sender.role) {
      const tag = document.createElement("span");
      tag.className = "role-tag";
      tag.textContent = sender.role;
      name.append(tag);
    }
    body.append(name);
  }
  const wrap = document.createElement("div");
  wrap.className = "bubble-wrap";
  wrap.append(renderBubble(message), renderActions(message));
  body.append(wrap);
  if (message.reply_to_message) {
    const quote = document.createElement("div");
    quote.className = "reply-quote";
    quote.textContent = `${nameOf(person(message.reply_to_message.from.id))}：${summary(message.reply_to_message)}`;
    body.append(quote);
  }
  const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
  if (keyboard && keyboard.length) body.append(renderKeyboard(message, keyboard));
  const reactions = renderReactions(message);
  if (reactions) body.append(reactions);
  row.append(avatar(sender), body);
  row.addEventListener("touchstart", () => {
    for (const other of document.querySelectorAll(".msg.touched")) other.classList.remove("touched");
    row.classList.add("touched");
  }, { passive: true });
  return row;
}

function renderBubble(message) {
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.photo) {
    bubble.classList.add("media");
    const img = document.createElement("img");
    img.className = "photo";
    img.alt = "照片";
    img.src = `/control/files/${encodeURIComponent(message.photo[0].file_id)}`;
    img.dataset.full = `/control/files/${encodeURIComponent(message.photo[message.photo.length - 1].file_id)}`;
    img.addEventListener("click", () => showPhoto(img.dataset.full));
    bubble.append(img);
    if (message.caption) {
      bubble.classList.add("with-caption");
      const caption = document.createElement("div");
      caption.className = "caption";
      caption.innerHTML = renderEntities(message.caption, message.caption_entities);
      bubble.append(caption);
    }
  } else if (message.location) {
    bubble.classList.add("media");
    const { latitude, longitude } = message.location;
    const place = PLACES.find(([, lat, lng]) => Math.abs(lat - latitude) < 0.0005 && Math.abs(lng - longitude) < 0.0005);
    bubble.innerHTML = `<div class="location"><div class="map"><span class="pin"></span></div>
      <div class="label">${escapeHtml(place ? place[0] : T.locationLabel)}<small>${latitude.toFixed(4)}°N, ${longitude.toFixed(4)}°E</small></div></div>`;
  } else if (message.document) {
    bubble.classList.add("media");
    const doc = message.document;
    const ext = (doc.file_name || "").split(".").pop().toUpperCase().slice(0, 4) || "FILE";
    bubble.innerHTML = `<a class="doc" href="/control/files/${encodeURIComponent(doc.file_id)}" target="_blank" download="${escapeHtml(doc.file_name || "file")}">
      <span class="icon">${escapeHtml(ext)}</span><span>${escapeHtml(doc.file_name || "file")}<small>${Math.max(1, Math.round(doc.file_size / 1024))} KB</small></span></a>`;
    if (message.caption) {
      const caption = document.createElement("div");
      caption.className = "caption";
      caption.innerHTML = renderEntities(message.caption, message.caption_entities);
      bubble.append(caption);
    }
  } else {
    bubble.innerHTML = renderEntities(message.text || "", message.entities);
  }
  if (message.edit_date && message.from_bot === false) {
    const mark = document.createElement("span");
    mark.className = "edited";
    mark.textContent = T.edited;
    (bubble.querySelector(".caption") || bubble).append(mark);
  }
  bubble.addEventListener("dblclick", () => toggleReaction(message, "👍"));
  bubble.addEventListener("click", (event) => {
    const spoiler = event.target.closest(".spoiler");
    if (spoiler) spoiler.classList.toggle("shown");
    const command = event.target.closest(".cmd");
    if (command && currentChat() && !blockedBot(currentChat())) sendText(command.dataset.cmd);
  });
  return bubble;
}

function renderActions(message) {
  const actions = document.createElement("div");
  actions.className = "actions";
  const like = document.createElement("button");
  like.innerHTML = T.like;
  like.title = "点赞";
  like.addEventListener("click", () => toggleReaction(message, "👍"));
  const reply = document.createElement("button");
  reply.textContent = T.reply;
  reply.addEventListener("click", () => {
    state.replyTo = message.message_id;
    renderBars();
    $("#input").focus();
  });
  actions.append(like, reply);
  return actions;
}

function renderKeyboard(message, rows) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "krow";
    for (const button of row) {
      if (button.url) {
        const link = document.createElement("a");
        link.className = "url-button";
        link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = `${button.text} ↗`;
        line.append(link);
        continue;
      }
      const b = document.createElement("button");
      b.textContent = button.text;
      b.dataset.callback = button.callback_data || "";
      b.addEventListener("click", () => pressButton(message, button, b));
      line.append(b);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function renderReactions(message) {
  const entries = Object.entries(message.reactions || {});
  if (!entries.length) return null;
  const box = document.createElement("div");
  box.className = "reactions";
  for (const [emoji, users] of entries) {
    const chip = document.createElement("button");
    chip.className = `reaction${users.includes(state.me) ? " mine" : ""}`;
    chip.textContent = `${emoji} ${users.length}`;
    chip.title = users.map((id) => nameOf(person(id))).join("、");
    chip.addEventListener("click", () => toggleReaction(message, emoji));
    box.append(chip);
  }
  return box;
}

function showPhoto(src) {
  const viewer = $("#viewer");
  viewer.querySelector("img").src = src;
  viewer.hidden = false;
}

// ----- acting --------------------------------------------------------------------------------

async function act(work) {
  try {
    return await work();
  } catch (error) {
    toast(T.failed(error.message), 2600);
    return null;
  }
}

async function sendText(text) {
  const chat = currentChat();
  if (!chat || !text.trim()) return;
  const body = { chat: chat.key, user_id: state.me, text };
  if (state.replyTo) body.reply_to = state.replyTo;
  const sent = await act(() => api("/messages", { body }));
  if (sent) {
    state.replyTo = null;
    renderBars();
  }
  return sent;
}

async function sendFromComposer() {
  const input = $("#input");
  const text = input.value;
  if (!text.trim()) return;
  input.value = "";
  autoGrow();
  const sent = await sendText(text);
  if (!sent) input.value = text;
}

async function sendPhoto(file) {
  const chat = currentChat();
  if (!chat || !file) return;
  const data = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
  const caption = $("#input").value.trim();
  const body = { chat: chat.key, user_id: state.me, photo: data, caption: caption || null };
  if (state.replyTo) body.reply_to = state.replyTo;
  if (await act(() => api("/messages", { body }))) {
    $("#input").value = "";
    state.replyTo = null;
    renderBars();
  }
}

async function sendLocation(latitude, longitude) {
  const chat = currentChat();
  if (!chat) return;
  $("#location-dialog").hidden = true;
  const body = { chat: chat.key, user_id: state.me, location: { latitude, longitude } };
  if (state.replyTo) body.reply_to = state.replyTo;
  if (await act(() => api("/messages", { body }))) {
    state.replyTo = null;
    renderBars();
  }
}

async function pressButton(message, button, element) {
  element.classList.add("busy");
  const result = await act(() => api("/press", {
    body: { chat: message.chat_key, message_id: message.message_id, user_id: state.me, data: button.callback_data, timeout: 8 },
  }));
  element.classList.remove("busy");
  if (!result) return;
  const answer = result.answer;
  if (!result.answered) toast(T.noAnswer);
  else if (answer && answer.text && answer.show_alert) alertBox(answer.text);
  else if (answer && answer.text) toast(answer.text);
  else if (answer && answer.url) window.open(answer.url, "_blank");
}

async function toggleReaction(message, emoji) {
  const mine = (message.reactions[emoji] || []).includes(state.me);
  await act(() => api("/react", {
    body: { chat: message.chat_key, message_id: message.message_id, user_id: state.me, emojis: mine ? [] : [emoji] },
  }));
}

async function startBot() {
  const chat = currentChat();
  if (!chat) return;
  const result = await act(() => api(`/users/${state.me}/start`, { body: { bot_id: chat.bot_id } }));
  if (result) {
    await loadChats();
    await openChat(chat.key);
  }
}

async function toggleCommands() {
  const panel = $("#commands-panel");
  if (!panel.hidden) {
    panel.hidden = true;
    return;
  }
  const chat = currentChat();
  if (!chat) return;
  const commands = (await act(() => api(`/chats/${encodeURIComponent(chat.key)}/commands?user_id=${state.me}`))) || [];
  panel.replaceChildren();
  if (!commands.length) {
    const none = document.createElement("div");
    none.className = "none";
    none.textContent = T.noCommands;
    panel.append(none);
  }
  for (const command of commands) {
    const b = document.createElement("button");
    b.innerHTML = `<b>/${escapeHtml(command.command)}</b><span>${escapeHtml(command.description)}</span>`;
    b.addEventListener("click", () => {
      panel.hidden = true;
      const input = $("#input");
      input.value = `/${command.command} `;
      input.focus();
      autoGrow();
    });
    panel.append(b);
  }
  panel.hidden = false;
}

function openLocationDialog() {
  const list = $("#place-list");
  list.replaceChildren();
  for (const [name, lat, lng] of PLACES) {
    const b = document.createElement("button");
    b.className = "place";
    b.innerHTML = `${escapeHtml(name)}<small>${lat.toFixed(4)}, ${lng.toFixed(4)}</small>`;
    b.addEventListener("click", () => sendLocation(lat, lng));
    list.append(b);
  }
  $("#location-dialog").hidden = false;
}

function autoGrow() {
  const input = $("#input");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
}

// ----- live events ---------------------------------------------------------------------------

function upsertMessage(message) {
  const list = state.messages.get(message.chat_key);
  if (!list) return false;
  const index = list.findIndex((m) => m.message_id === message.message_id);
  if (index === -1) list.push(message);
  else list[index] = message;
  return true;
}

function chatMatters(key) {
  return state.chats.some((c) => c.key === key);
}

async function handleEvent(event) {
  state.lastSeq = Math.max(state.lastSeq, event.seq);
  const key = event.chat;
  const data = event.data;
  switch (event.kind) {
    case "message": {
      const message = data.message;
      if (!chatMatters(key)) {
        if (message.chat && (message.chat.type !== "private" || message.chat.id === state.me)) await loadChats();
        return;
      }
      upsertMessage(message);
      const chat = state.chats.find((c) => c.key === key);
      if (chat) chat.last_message = message;
      if (message.from_bot) state.typing.delete(key);
      if (key !== state.current && message.from.id !== state.me) state.unread.set(key, (state.unread.get(key) || 0) + 1);
      break;
    }
    case "edit":
    case "reaction":
      upsertMessage(data.message);
      break;
    case "delete": {
      const message = findMessage(key, data.message_id);
      if (message) {
        message.deleted = true;
        message.deleted_by = data.deleted_by;
      }
      break;
    }
    case "settings":
      if (data.timezone) state.timeZone = data.timezone;
      renderChatList();
      if (state.current) renderMessages();
      return;
    case "typing":
      state.typing.set(key, { botId: data.bot_id, until: data.until * 1000 });
      setTimeout(refreshTyping, Math.max(0, data.until * 1000 - Date.now()) + 50);
      break;
    case "chat": {
      const mine = data.chat.user_id === state.me || (data.chat.members || {})[String(state.me)];
      if (mine || chatMatters(key)) {
        await loadChats();
        if (key === state.current) {
          const chat = currentChat();
          if (chat) chat.members = data.chat.members;
          renderBars();
        }
      }
      break;
    }
    case "user":
    case "bot":
    case "reset": {
      const current = state.current;
      await loadState();
      await loadChats();
      if (event.kind === "reset" || !state.chats.some((c) => c.key === current)) closeChat();
      return;
    }
    default:
      return;
  }
  renderChatList();
  if (key === state.current) {
    renderHeader();
    if (event.kind !== "typing") {
      renderMessages();
      renderBars();
    }
  }
}

function refreshTyping() {
  renderChatList();
  if (state.current) renderHeader();
}

function connect() {
  const source = new EventSource(`/control/stream?after=${state.lastSeq}`);
  let queue = Promise.resolve();
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    queue = queue.then(() => handleEvent(event)).catch((error) => console.error(error));
  };
}

// ----- wiring --------------------------------------------------------------------------------

function wire() {
  $("#me-avatar").addEventListener("click", openPersonaDialog);
  $("#me-button").addEventListener("click", openPersonaDialog);
  $("#search").addEventListener("input", renderChatList);
  $("#back").addEventListener("click", closeChat);
  $("#send").addEventListener("click", sendFromComposer);
  $("#input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendFromComposer();
    }
  });
  $("#input").addEventListener("input", autoGrow);
  $("#photo-button").addEventListener("click", () => $("#photo-input").click());
  $("#photo-input").addEventListener("change", (event) => {
    sendPhoto(event.target.files[0]);
    event.target.value = "";
  });
  $("#location-button").addEventListener("click", openLocationDialog);
  $("#location-send").addEventListener("click", () => sendLocation(Number($("#lat").value), Number($("#lng").value)));
  $("#commands-button").addEventListener("click", toggleCommands);
  $("#start-button").addEventListener("click", startBot);
  $("#reply-cancel").addEventListener("click", () => {
    state.replyTo = null;
    renderBars();
  });
  $("#alert-ok").addEventListener("click", () => ($("#alert-dialog").hidden = true));
  $("#viewer").addEventListener("click", () => ($("#viewer").hidden = true));
  $("#chat-menu").addEventListener("click", () => ($("#chat-menu-panel").hidden = !$("#chat-menu-panel").hidden));
  $("#chat-menu-panel").addEventListener("click", async (event) => {
    const action = event.target.dataset.action;
    $("#chat-menu-panel").hidden = true;
    const chat = currentChat();
    if (!chat) return;
    if (action === "block" && (await act(() => api(`/users/${state.me}/block`, { body: { bot_id: chat.bot_id } })))) toast(T.blockedToast);
    if (action === "restart") await startBot();
  });
  for (const close of document.querySelectorAll(".sheet-close")) {
    close.addEventListener("click", () => (close.closest(".sheet").hidden = true));
  }
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#commands-panel, #commands-button")) $("#commands-panel").hidden = true;
    if (!event.target.closest("#chat-menu-panel, #chat-menu")) $("#chat-menu-panel").hidden = true;
  });
  for (const sheet of document.querySelectorAll(".sheet")) {
    sheet.addEventListener("click", (event) => {
      if (event.target === sheet) sheet.hidden = true;
    });
  }
}

async function main() {
  wire();
  closeChat();
  await loadState();
  await loadChats();
  connect();
  const wanted = new URLSearchParams(location.search).get("chat");
  const first = state.chats.find((c) => c.key === wanted) || (!isPhone() && state.chats[0]);
  if (first) await openChat(first.key);
  document.body.dataset.ready = "1";
}

main();
