// What every page shares: building nodes (text always through textContent, never innerHTML), calling the
// API with the session's CSRF token, and the header naming who is logged in.
"use strict";

const SEVERITY = { error: "错误", warning: "警告", info: "提示" };
const ROLE_NAMES = { officer: "经办人", reviewer: "审核人", admin: "管理员" };
const STATUS_NAMES = { draft: "起草中", submitted: "已送审", returned: "退回整改", approved: "已通过" };
const ACTION_NAMES = { submit: "送审", return: "退回整改", approve: "审核通过", precedent: "加入先例库" };
let me = null;  // /api/me: mode, user, csrf

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// a page sets this to show an API error where its user is looking
let reportError = (message) => window.alert(message);

async function api(method, path, body, raw, attempt = 0) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) {
    opts.body = body;
  } else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  if (me && me.csrf && method !== "GET") opts.headers["X-CSRF-Token"] = me.csrf;
  const res = await fetch(path, opts);
  if (res.status === 429 && attempt < 2) {  // the heavy pool is full for a moment: wait as told, then once more
    const wait = Math.min(parseInt(res.headers.get("Retry-After") || "3", 10) || 3, 10);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    return api(method, path, body, raw, attempt + 1);
  }
  if (res.status === 401 && me && me.mode === "accounts") {
    window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname);
    throw new Error("请先登录");
  }
  if (raw && res.ok) return res;
  const data = await res.json().catch(() => ({ ok: false, error: "服务器返回了无法识别的内容", hint: "" }));
  if (!data.ok) {
    reportError(data.error + (data.hint ? "（" + data.hint + "）" : ""));
    throw new Error(data.error);
  }
  return data;
}

function marked(text) {
  const span = el("span", { class: "text" });
  for (const part of String(text).split(/(【待(?:核实|补充)：[^】]*】)/)) {
    if (!part) continue;
    if (part.startsWith("【待核实")) span.append(el("mark", { class: "verify" }, part));
    else if (part.startsWith("【待补充")) span.append(el("mark", { class: "gap" }, part));
    else span.append(document.createTextNode(part));
  }
  return span;
}

// text with [start, end) spans marked: the words a section shares with a precedent
function shared(text, spans) {
  const box = el("span", { class: "text" });
  let last = 0;
  for (const [s, e] of (spans || []).slice().sort((a, b) => a[0] - b[0])) {
    if (s < last) continue;
    box.append(text.slice(last, s), el("mark", { class: "shared" }, text.slice(s, e)));
    last = e;
  }
  box.append(text.slice(last));
  return box;
}

function statusBadge(status) {
  return el("span", { class: "badge status-" + status }, STATUS_NAMES[status] || status);
}

function when(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : "";
}

// the header: who is logged in, where they can go, log out; or the single-user mode and how to leave it
async function loadMe() {
  me = await api("GET", "/api/me");
  const box = document.getElementById("who");
  if (!box) return me;
  box.replaceChildren();
  const roles = me.user ? me.user.roles : [];
  const links = [["/", "起草", "officer"], ["/review", "审核", "reviewer"], ["/admin", "管理", "admin"]]
    .filter(([href, , role]) => roles.includes(role) && href !== window.location.pathname)
    .map(([href, label]) => el("a", { href, class: "nav" }, label));
  if (me.model) box.append(el("span", { class: "model", id: "model-name", title: "内网语言模型：可用它起草和改写各节" }, "模型：" + me.model));
  if (me.mode === "local") {
    box.append(el("span", { class: "mode" }, "本机单用户模式"), ...links,
      me.setup_possible ? el("a", { href: "/login?setup=1", class: "nav", id: "enable-accounts" }, "启用账号…") : null);
  } else if (me.user) {
    const u = me.user;
    const where = u.role === "reviewer" ? "审核：" + (u.units || []).join("、") : u.unit;
    box.append(el("span", { class: "user", id: "user-name" }, u.display_name + "（" + ROLE_NAMES[u.role] + (where ? " · " + where : "") + "）"),
      ...links, el("button", { class: "logout", onclick: logout }, "退出"));
  }
  return me;
}

async function logout() {
  await api("POST", "/api/logout", {});
  window.location.href = "/login";
}

// a POST answered with server-sent events: onEvent(name, data) for each; returns the AbortController's promise
async function postEvents(path, body, onEvent, controller) {
  const headers = { "Content-Type": "application/json" };
  if (me && me.csrf) headers["X-CSRF-Token"] = me.csrf;
  const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body), signal: controller.signal });
  if (!res.ok || !(res.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
    const data = await res.json().catch(() => ({ error: "服务器返回了无法识别的内容", hint: "" }));
    onEvent("error", data);
    return;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}
