// Reviewer page: upload a report, see findings, claimed vs rule scores and each section's nearest
// precedent with the shared text highlighted. All text goes in with textContent.
"use strict";

const SEVERITY = { error: "错误", warning: "警告", info: "提示" };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

function shared(text, spans) {
  const box = el("span");
  let last = 0;
  for (const [s, e] of spans.slice().sort((a, b) => a[0] - b[0])) {
    box.append(text.slice(last, s), el("mark", { class: "verify" }, text.slice(s, e)));
    last = e;
  }
  box.append(text.slice(last));
  return box;
}

async function upload(format) {
  const file = document.getElementById("file").files[0];
  if (!file) return null;
  const form = new FormData();
  form.append("file", file);
  return fetch("/api/review?format=" + format, { method: "POST", body: form });
}

async function run(event) {
  event.preventDefault();
  const out = document.getElementById("result");
  out.replaceChildren(el("p", {}, "正在审核…"));
  const res = await upload("json");
  if (!res) { out.replaceChildren(el("p", {}, "请先选择文件")); return; }
  const data = await res.json();
  if (!data.ok) { out.replaceChildren(el("p", { class: "sev-error" }, data.error + "（" + data.hint + "）")); return; }
  const r = data.review, s = r.score;
  out.replaceChildren(
    el("h2", {}, (r.project.name || data.file) + (r.project.unit ? "（" + r.project.unit + "）" : "")),
    el("p", {}, "自评总分 " + (s.claimed_total ?? "—") + "（" + (s.claimed_grade ?? "—") + "），按规则计算 " +
      (s.computed_total ?? "—") + "（" + (s.computed_grade ?? "—") + "）"),
    el("h3", {}, "对不上的地方（" + r.findings.length + " 条）"),
    ...r.findings.map((f) => el("div", { class: "sev-" + f.severity, "data-code": f.code },
      "[" + SEVERITY[f.severity] + "] " + f.message)),
    el("h3", {}, "评分：自评与规则得分"),
    el("table", { class: "scores" }, el("tr", {}, ...["指标", "分值", "自评", "规则得分", "说明"].map((h) => el("th", {}, h))),
      ...s.items.map((i) => el("tr", { class: i.claimed !== null && i.computed !== null && i.claimed !== i.computed ? "differs" : "" },
        el("td", {}, i.path.join("/")), el("td", {}, i.weight), el("td", {}, i.claimed ?? ""),
        el("td", {}, i.computed ?? ""), el("td", {}, i.reason)))),
    el("h3", {}, "各章节最相近的先例"),
    ...(r.precedents || []).map((sec) => el("div", { class: "sec" }, el("h4", {}, sec.heading),
      ...sec.passages.map((p) => el("div", { class: "option" },
        el("div", { class: "cite" }, "《" + p.title + "》（" + p.source + "）相同文字 " + Math.round(p.overlap * 100) + "%"),
        shared(p.text, p.shared_in_passage))))),
  );
  const exports = document.getElementById("exports");
  exports.replaceChildren(
    el("button", { onclick: () => download("md") }, "导出审核意见（Markdown）"),
    el("button", { onclick: () => download("docx") }, "导出审核意见（Word）"));
}

async function download(format) {
  const res = await upload(format);
  if (!res || !res.ok) return;
  const url = URL.createObjectURL(await res.blob());
  const a = el("a", { href: url, download: "审核意见." + format });
  document.body.append(a);
  a.click();
  a.remove();
}

document.addEventListener("DOMContentLoaded", () => document.getElementById("upload").addEventListener("submit", run));
