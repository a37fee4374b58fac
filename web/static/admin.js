// The admin's page: users and their units, the knowledge base (upload with progress, list, replace,
// delete, search), the precedent setting, and the audit log.
"use strict";

const KIND_NAMES = { report: "报告", policy: "政策" };
const AUDIT_NAMES = { login: "登录", logout: "退出", login_failed: "登录失败", login_held: "登录被暂停", login_disabled: "停用账号尝试登录",
  user_add: "添加用户", user_update: "修改用户", accounts_on: "启用账号", local_drafts_moved: "本机草稿归入单位",
  draft_create: "新建草稿", draft_delete: "删除草稿", draft_submit: "送审", draft_return: "退回整改", draft_approve: "审核通过",
  comment: "审核意见", precedent_add: "加入先例库", kb_upload: "上传文档", kb_replace: "替换文档", kb_delete: "删除文档",
  settings: "修改设置", draft_confirm: "确认数据", note_move: "移动说明", section_save: "保存章节", section_undo: "撤销章节修改",
  section_redo: "重做章节修改", draft_export: "导出" };

function showTab(name) {
  for (const b of document.querySelectorAll("button.tab")) b.classList.toggle("active", b.dataset.tab === name);
  for (const s of document.querySelectorAll(".admin > section")) s.hidden = s.id !== "tab-" + name;
  ({ users: loadUsers, kb: loadDocs, settings: loadSettings, audit: loadAudit })[name]();
}

// ---------------------------------------------------------------- users

async function loadUsers() {
  const data = await api("GET", "/api/users");
  document.getElementById("units").replaceChildren(...data.units.map((u) => el("option", { value: u })));
  const t = document.getElementById("users");
  t.replaceChildren(el("tr", {}, ...["用户名", "姓名", "角色", "单位 / 审核的单位", "状态", "操作"].map((h) => el("th", {}, h))));
  for (const u of data.users) {
    t.append(el("tr", { "data-user": u.username, class: u.disabled ? "disabled" : "" },
      el("td", {}, u.username), el("td", {}, u.display_name), el("td", {}, ROLE_NAMES[u.role]),
      el("td", {}, u.role === "reviewer" ? u.units.join("、") : u.unit), el("td", {}, u.disabled ? "已停用" : "正常"),
      el("td", {},
        el("button", { class: "toggle", onclick: () => updateUser(u, { disabled: !u.disabled }) }, u.disabled ? "启用" : "停用"),
        el("button", { class: "reset", onclick: () => {
          const password = window.prompt("为 " + u.username + " 设置新密码（至少 8 位）：");
          if (password) updateUser(u, { password });
        } }, "重置密码"),
        u.role === "reviewer" ? el("button", { class: "units", onclick: () => {
          const units = window.prompt("审核的单位（逗号分隔）：", u.units.join("，"));
          if (units !== null) updateUser(u, { units });
        } }, "审核单位") : null)));
  }
}

async function updateUser(u, changes) {
  await api("PUT", "/api/users/" + u.id, changes);
  await loadUsers();
}

async function addUser(event) {
  event.preventDefault();
  const v = (id) => document.getElementById(id).value;
  await api("POST", "/api/users", { username: v("u-name"), display_name: v("u-display"), role: v("u-role"),
    unit: v("u-unit"), units: v("u-units"), password: v("u-password") });
  document.getElementById("add-user").reset();
  await loadUsers();
}

// ---------------------------------------------------------------- knowledge base

function uploadOne(file, kind, bar, replaceId) {
  // XMLHttpRequest: fetch cannot report how much of a file has been sent
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(replaceId ? "PUT" : "POST", "/api/kb/documents" + (replaceId ? "/" + replaceId : "") + "?kind=" + kind);
    xhr.setRequestHeader("X-CSRF-Token", me.csrf || "");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.update("上传中 " + Math.round(e.loaded / e.total * 100) + "%", e.loaded / e.total * 0.5); };
    xhr.upload.onload = () => bar.update("正在读取并建关键词索引…", 0.6);
    xhr.onload = () => {
      let data;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = { ok: false, error: "服务器返回了无法识别的内容", hint: "" }; }
      if (data.ok) {
        const d = data.document;
        bar.update(d.unchanged ? "内容未变，已在库中" : "已索引 " + d.passages + " 段，可检索（向量计算中）", 1, "indexed");
      } else {
        bar.update("失败：" + data.error + (data.hint ? "（" + data.hint + "）" : ""), 1, "failed");
      }
      resolve(data);
    };
    xhr.onerror = () => { bar.update("失败：网络中断", 1, "failed"); resolve({ ok: false }); };
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

function fileBar(name) {
  const progress = el("progress", { max: "1", value: "0" });
  const label = el("span", { class: "cite" }, "等待上传");
  const row = el("div", { class: "upload-row" }, el("span", { class: "file-name" }, name), progress, label);
  row.update = (text, value, state) => {
    label.textContent = text;
    progress.value = value;
    if (state) row.dataset.state = state;
  };
  return row;
}

async function uploadFiles(event) {
  event.preventDefault();
  const files = [...document.getElementById("kb-files").files];
  if (!files.length) return;
  const kind = document.getElementById("kb-kind").value;
  const box = document.getElementById("kb-progress");
  const summary = el("div", { id: "kb-summary" }, "已索引 0 / " + files.length);
  const bars = files.map((f) => fileBar(f.name));
  box.replaceChildren(summary, ...bars);
  let done = 0, failed = 0;
  for (let i = 0; i < files.length; i++) {  // one at a time: each is searchable as soon as it is in
    const data = await uploadOne(files[i], kind, bars[i]);
    if (data.ok) done += 1; else failed += 1;
    summary.textContent = "已索引 " + done + " / " + files.length + (failed ? "，失败 " + failed : "") + "（关键词检索可用）";
    await loadDocs();
  }
  document.getElementById("kb-upload").reset();
  watchVectors();
}

async function loadDocs() {
  const data = await api("GET", "/api/kb/documents");
  showVectors(data.progress);
  const t = document.getElementById("kb-docs");
  t.replaceChildren(el("tr", {}, ...["文档", "类别", "年度", "地区", "项目类型", "段落", "向量", "加入时间", "操作"].map((h) => el("th", {}, h))));
  for (const d of data.documents) {
    const replace = el("input", { type: "file", hidden: "", accept: ".docx,.xlsx,.txt,.md" });
    replace.addEventListener("change", async () => {
      const bar = fileBar(replace.files[0].name);
      document.getElementById("kb-progress").replaceChildren(bar);
      await uploadOne(replace.files[0], d.kind, bar, d.id);
      await loadDocs();
      watchVectors();
    });
    t.append(el("tr", { "data-doc": d.source },
      el("td", {}, el("div", {}, d.title), el("div", { class: "cite" }, d.source)), el("td", {}, KIND_NAMES[d.kind] || d.kind),
      el("td", {}, d.year ?? ""), el("td", {}, d.region ?? ""), el("td", {}, d.project_type ?? ""),
      el("td", {}, d.passages), el("td", {}, d.vectors + " / " + d.passages), el("td", {}, when(d.added_at)),
      el("td", {}, d.builtin ? el("span", { class: "cite" }, "内置") : [
        el("button", { class: "replace", onclick: () => replace.click() }, "替换"), replace,
        el("button", { class: "delete", onclick: async () => {
          if (!window.confirm("删除《" + d.title + "》？其段落将不再被检索。")) return;
          await api("DELETE", "/api/kb/documents/" + d.id);
          await loadDocs();
        } }, "删除")].reduce((cell, node) => { cell.append(node); return cell; }, el("span")))));
  }
}

function showVectors(p) {
  const names = { starting: "正在启动", indexing: "正在建立检索索引", embedding: "向量计算中", done: "检索就绪", off: "检索未启用",
    error: "向量计算出错（关键词检索仍可用）" };
  document.getElementById("kb-status").textContent = (names[p.state] || p.state) +
    (p.state === "embedding" ? "：" + (p.done || 0) + " / " + (p.total || 0) + " 段" : "");
}

let watching = null;
function watchVectors() {
  if (watching) return;
  watching = setInterval(async () => {
    const data = await api("GET", "/api/kb/documents");
    showVectors(data.progress);
    if (["done", "off", "error"].includes(data.progress.state)) {
      clearInterval(watching);
      watching = null;
      if (!document.getElementById("tab-kb").hidden) loadDocs();
    }
  }, 1000);
}

async function search(event) {
  event.preventDefault();
  const q = document.getElementById("kb-query").value.trim();
  if (!q) return;
  const data = await api("GET", "/api/kb/search?k=5&q=" + encodeURIComponent(q));
  document.getElementById("kb-hits").replaceChildren(...(data.hits.length ? data.hits.map((h) => el("div", { class: "option hit" },
    el("div", { class: "cite" }, h.title + "（" + h.source + "）" + (h.heading || "") + " · " + h.retrievers.join("+")),
    el("div", {}, h.text.slice(0, 200)))) : [el("p", { class: "cite" }, "没有找到相关段落。")]));
}

// ---------------------------------------------------------------- settings and audit

async function loadSettings() {
  const data = await api("GET", "/api/settings");
  document.getElementById("precedent-mode").value = data.settings.precedent_on_approve;
}

async function saveSettings() {
  await api("PUT", "/api/settings", { precedent_on_approve: document.getElementById("precedent-mode").value });
  document.getElementById("settings-saved").textContent = "已保存";
}

async function loadAudit() {
  const data = await api("GET", "/api/audit?limit=200");
  const t = document.getElementById("audit");
  t.replaceChildren(el("tr", {}, ...["时间", "用户", "角色", "单位", "操作", "对象", "说明", "地址"].map((h) => el("th", {}, h))),
    ...data.entries.map((e) => el("tr", {}, el("td", {}, when(e.at)), el("td", {}, e.actor),
      el("td", {}, e.role.split(",").map((r) => ROLE_NAMES[r] || r).join("、")), el("td", {}, e.unit),
      el("td", {}, AUDIT_NAMES[e.action] || e.action), el("td", {}, e.target), el("td", {}, e.detail), el("td", {}, e.address))));
}

document.addEventListener("DOMContentLoaded", async () => {
  reportError = (message) => { document.getElementById("admin-error").textContent = "⚠ " + message; };
  for (const b of document.querySelectorAll("button.tab")) b.addEventListener("click", () => showTab(b.dataset.tab));
  document.getElementById("add-user").addEventListener("submit", addUser);
  document.getElementById("kb-upload").addEventListener("submit", uploadFiles);
  document.getElementById("kb-search").addEventListener("submit", search);
  document.getElementById("save-settings").addEventListener("click", saveSettings);
  await loadMe();
  showTab(new URLSearchParams(window.location.search).get("tab") || "users");
});
