// The reviewer's page: the queue of drafts submitted by the units they review, each opened with its
// findings, claimed vs rule scores and each section's nearest precedent (shared text marked), comments
// per section, 退回整改 / 通过; and the upload of any report file for the same view.
"use strict";

let opened = null;

// the totals as far as they are known: nothing printed as a dash or a literal null
function scoreLine(s) {
  const part = (label, total, grade) => total === null || total === undefined ? null :
    label + " " + total + " 分" + (grade ? "（" + grade + "）" : "");
  const parts = [part("自评总分", s.claimed_total, s.claimed_grade), part("按规则计算", s.computed_total, s.computed_grade)]
    .filter(Boolean);
  return parts.length ? parts.join("，") : "评分项尚未全部回答，暂无总分";
}

// the report's own tables, as the officer confirmed them, in the form's column words
function dataTables(card) {
  if (!card) return [];
  const out = [];
  const cell = (v) => el("td", {}, v === null || v === undefined ? "" : String(v));
  if (card.funding && card.funding.length) {
    out.push(el("h3", {}, "资金情况（万元）"), el("table", { class: "data-funding" },
      el("tr", {}, ...["资金来源", ...(card.columns || ["计划安排资金", "实际到位资金", "实际支出", "结余"])].map((h) => el("th", {}, h))),
      ...card.funding.map((r) => el("tr", {}, cell(r.source), cell(r.planned), cell(r.arrived), cell(r.spent), cell(r.balance)))));
  }
  if (card.expenses && card.expenses.length) {
    out.push(el("h3", {}, "支出明细"), el("table", { class: "data-expenses" },
      el("tr", {}, ...["支出内容", "实际支出数（万元）", "会计凭证号"].map((h) => el("th", {}, h))),
      ...card.expenses.map((e) => el("tr", {}, cell(e.content), cell(e.amount), cell(e.voucher)))));
  }
  if (card.indicators && card.indicators.length) {
    out.push(el("h3", {}, "绩效指标"), el("table", { class: "data-indicators" },
      el("tr", {}, ...["二级指标", "指标内容", "目标值", "实际完成值"].map((h) => el("th", {}, h))),
      ...card.indicators.map((i) => el("tr", {}, cell(i.level2), cell(i.name), cell(i.target), cell(i.actual)))));
  }
  return out;
}

// a resubmission: what changed since the round the reviewer returned — figures first, then the sections
function roundChanges(c) {
  if (!c) return [];
  return [
    el("h3", {}, "与第 " + c.since_round + " 次送审相比（第 " + c.round + " 次）"),
    c.figures.length ? el("table", { class: "round-changes" },
      el("tr", {}, ...["改动的数字", "上次", "本次"].map((h) => el("th", {}, h))),
      ...c.figures.map((f) => el("tr", {}, el("td", {}, f.what), el("td", {}, f.before), el("td", {}, f.after))))
      : el("p", { class: "cite" }, "数字没有改动。"),
    c.sections.length ? el("p", {}, "改动的章节：" + c.sections.map((s) => s.title + "（" + s.change + "）").join("、"))
      : el("p", { class: "cite" }, "各章节文字没有改动。"),
  ];
}

function findingsAndScores(r) {
  const s = r.score;
  return [
    el("p", { class: "score-line" }, scoreLine(s)),
    el("h3", {}, "对不上的地方（" + r.findings.length + " 条）"),
    r.findings.length ? null : el("p", { class: "cite" }, "没有发现对不上的地方。"),
    ...r.findings.map((f) => el("div", { class: "sev-" + f.severity, "data-code": f.code },
      "[" + SEVERITY[f.severity] + "] " + f.message)),
    el("h3", {}, "评分：自评与规则得分"),
    el("table", { class: "scores" }, el("tr", {}, ...["指标", "分值", "自评", "规则得分", "说明"].map((h) => el("th", {}, h))),
      ...s.items.map((i) => el("tr", { class: i.claimed !== null && i.computed !== null && i.claimed !== i.computed ? "differs" : "" },
        el("td", {}, i.path.join("/")), el("td", {}, i.weight), el("td", {}, i.claimed ?? ""),
        el("td", {}, i.computed ?? ""), el("td", {}, i.reason)))),
  ];
}

function precedentBox(p) {
  return el("div", { class: "option precedent" },
    el("div", { class: "cite" }, "最相近的先例：《" + p.title + "》（" + p.source + "）" + (p.heading || "") +
      " · 相同文字 " + Math.round(p.overlap * 100) + "% · 内容相近 " + Math.round(p.similarity * 100) + "%"),
    shared(p.text, p.shared_in_passage));
}

// corpus signals of reports of the same kind of project only: their scores and grades, the sentences they share
function corpusBox(c) {
  if (!c || !c.reports) return [];
  const kind = c.project_type && c.project_type !== "其他" ? "“" + c.project_type + "”类" : "";
  return [el("h3", {}, "同类报告概况（" + kind + c.reports + " 份）"),
    el("p", { class: "cite" }, "自评等次：" + (Object.entries(c.grades || {}).map(([g, n]) => g + " " + n + " 份").join("，") || "无记录")),
    ...(c.recurring_sentences || []).slice(0, 5).map((s) => el("div", { class: "cite" },
      "常见套话（" + s.reports.length + " 份报告）：" + s.sentence))];
}

// ---------------------------------------------------------------- a submitted draft

async function openDraft(id) {
  opened = id;
  const out = document.getElementById("result");
  out.replaceChildren(el("p", {}, "正在打开…"));
  const [data, view, preview] = await Promise.all([api("GET", "/api/drafts/" + id),
    api("GET", "/api/drafts/" + id + "/review"), api("GET", "/api/drafts/" + id + "/preview")]);
  if (opened !== id) return;
  const d = data.draft, r = view.review;
  const reviewing = d.status === "submitted";
  const nearest = Object.fromEntries((r.precedents || []).map((p) => [p.section, p]));
  const sections = preview.sections.map((sec) => {
    const p = nearest[sec.kind] && nearest[sec.kind].passages[0];
    const comments = data.comments.filter((c) => c.section === sec.kind);
    return el("div", { class: "sec review-sec", "data-section": sec.kind },
      el("h4", {}, sec.title, sec.adopted ? null : el("span", { class: "status" }, "（经办人未采用，此为系统草稿）")),
      p ? shared(sec.text, p.shared) : marked(sec.text),
      p ? precedentBox(p) : el("div", { class: "cite no-precedent" }, "无可比先例（知识库中没有同类项目的相近段落）"),
      ...comments.map((c) => el("div", { class: "comment" }, el("span", { class: "cite" },
        "第 " + c.round + " 次送审 · " + c.author + "："), c.text)),
      reviewing ? commentForm(sec.kind) : null);
  });
  const general = data.comments.filter((c) => !c.section);
  out.replaceChildren(
    el("h2", {}, d.title + "（" + d.unit + "）", " ", statusBadge(d.status)),
    el("div", { class: "cite" }, "经办人 " + d.author + " · 送审 " + when(d.submitted_at)),
    actions(d, data.events),
    ...roundChanges(r.changes),
    ...findingsAndScores(r),
    ...dataTables(data.data),
    el("h3", {}, "各章节与先例对照"),
    ...sections,
    el("h3", {}, "对全文的意见"),
    ...general.map((c) => el("div", { class: "comment" }, el("span", { class: "cite" }, "第 " + c.round + " 次送审 · " + c.author + "："), c.text)),
    reviewing ? commentForm("") : null,
    el("h3", {}, "审核记录"),
    ...data.events.map((e) => el("div", { class: "cite" }, when(e.at) + " " + e.actor + " " + (ACTION_NAMES[e.action] || e.action) +
      (e.note ? "：" + e.note : ""))));
  document.getElementById("exports").replaceChildren(
    el("a", { class: "export-link", href: "/api/drafts/" + id + "/export?format=docx", download: "" }, "下载 Word"), " ",
    el("a", { class: "export-link", href: "/api/drafts/" + id + "/export?format=md", download: "" }, "下载 Markdown"));
  await loadQueue();
}

function commentForm(section) {
  const box = el("textarea", { class: "comment-input", rows: "2", placeholder: section ? "对这一节的意见" : "对全文的意见" });
  return el("div", { class: "comment-form" }, box, el("button", { class: "add-comment", onclick: async () => {
    if (!box.value.trim()) return;
    await api("POST", "/api/drafts/" + opened + "/comments", { section, text: box.value });
    await openDraft(opened);
  } }, "写意见"));
}

function actions(d, events) {
  const bar = el("div", { class: "actions" });
  if (d.status === "submitted") {
    const note = el("textarea", { id: "decision-note", rows: "2", placeholder: "退回或通过的说明（退回时，没有章节意见就须写明）" });
    bar.append(note,
      el("button", { id: "return-draft", onclick: () => decide("return", note.value) }, "退回整改"),
      el("button", { id: "approve-draft", onclick: () => decide("approve", note.value) }, "通过"));
  } else if (d.status === "approved" && !events.some((e) => e.action === "precedent")) {
    bar.append(el("button", { id: "to-precedents", onclick: async () => {
      await api("POST", "/api/drafts/" + opened + "/precedent", {});
      await openDraft(opened);
    } }, "加入先例库"));
  }
  return bar;
}

async function decide(action, note) {
  if (action === "approve" && !window.confirm("确定审核通过？通过后经办人不能再修改。")) return;
  await api("POST", "/api/drafts/" + opened + "/" + action, { note });
  await openDraft(opened);
}

async function loadQueue() {
  const data = await api("GET", "/api/drafts");
  const order = { submitted: 0, returned: 1, approved: 2 };
  const list = document.getElementById("queue");
  list.replaceChildren();
  if (!data.drafts.length) list.append(el("li", { class: "cite" }, "暂无送审的报告"));
  for (const d of data.drafts.slice().sort((a, b) => (order[a.status] ?? 3) - (order[b.status] ?? 3))) {
    list.append(el("li", { class: d.id === opened ? "active" : "", "data-id": d.id, onclick: () => openDraft(d.id) },
      el("div", {}, d.title), el("div", { class: "cite" }, d.unit + " · " + d.author + " "), statusBadge(d.status)));
  }
}

// ---------------------------------------------------------------- an uploaded file

async function upload(format) {
  const file = document.getElementById("file").files[0];
  if (!file) return null;
  const form = new FormData();
  form.append("file", file);
  return api("POST", "/api/review?format=" + format, form, format !== "json");
}

async function run(event) {
  event.preventDefault();
  opened = null;
  const out = document.getElementById("result");
  out.replaceChildren(el("p", {}, "正在审核…"));
  let data;
  try {
    data = await upload("json");
  } catch (err) {
    return;
  }
  if (!data) { out.replaceChildren(el("p", {}, "请先选择文件")); return; }
  const r = data.review;
  out.replaceChildren(
    el("h2", {}, (r.project.name || data.file) + (r.project.unit ? "（" + r.project.unit + "）" : "")),
    ...findingsAndScores(r),
    el("h3", {}, "各章节最相近的先例"),
    ...(r.precedents || []).map((sec) => el("div", { class: "sec" }, el("h4", {}, sec.heading),
      ...(sec.passages.length ? sec.passages.map(precedentBox)
        : [el("div", { class: "cite no-precedent" }, "无可比先例（知识库中没有同类项目的相近段落）")]))),
    ...corpusBox(r.corpus));
  document.getElementById("exports").replaceChildren(
    el("button", { onclick: () => download("md") }, "导出审核意见（Markdown）"),
    el("button", { onclick: () => download("docx") }, "导出审核意见（Word）"));
}

async function download(format) {
  const res = await upload(format);
  if (!res) return;
  const url = URL.createObjectURL(await res.blob());
  const a = el("a", { href: url, download: "审核意见." + format });
  document.body.append(a);
  a.click();
  a.remove();
}

document.addEventListener("DOMContentLoaded", async () => {
  reportError = (message) => document.getElementById("result").prepend(el("p", { class: "sev-error" }, "⚠ " + message));
  document.getElementById("upload").addEventListener("submit", run);
  await loadMe();
  await loadQueue();
  const wanted = new URLSearchParams(window.location.search).get("draft");
  if (wanted) await openDraft(wanted);
});
