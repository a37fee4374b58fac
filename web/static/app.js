// The chat page. Everything the officer or the server writes is put in the page with textContent,
// never innerHTML, so pasted markup is shown, not run.
"use strict";

let current = null;
let currentDraft = null;  // the open draft's summary: its status decides what can be changed
let currentComments = [];
let currentData = null;  // the confirmed data card (indicators shown and edited in the draft column)

function showError(message) {
  document.getElementById("turns").append(el("div", { class: "turn assistant error" }, "⚠ " + message));
}
reportError = showError;

function editable_now() {
  return currentDraft !== null && ["draft", "returned"].includes(currentDraft.status);
}

function table(headers, rows) {
  return el("table", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h))),
    ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c ?? "")))));
}

function renderCard(card, live = true) {
  const box = el("div", { class: "card card-" + card.type });
  if (card.type === "question") {
    box.dataset.item = card.item || "";
    box.dataset.kind = card.kind;
  }
  if (card.type === "question") {
    renderQuestion(box, card, live);
  } else if (card.type === "recorded") {
    box.append(el("div", { class: "ok" }, "✓ " + card.text));
  } else if (card.type === "project") {
    for (const f of card.fields) box.append(el("div", { class: "ok" }, "✓ " + f.label + "：" + f.value));
    box.append(el("div", { class: "cite" }, "有误直接再说一遍即可，如“项目单位是……”。"));
  } else if (card.type === "note") {
    renderNote(box, card, live);
  } else if (card.type === "progress") {
    box.append(progressBar(card));
    if (card.missing.length) box.append(el("div", { class: "cite" }, "还需要：" + card.missing.join("、")));
  } else if (card.type === "paste") {
    if (card.project && card.project.name) box.append(el("div", {}, "项目：" + card.project.name));
    if (card.title_change) box.append(el("div", { class: "cite" }, "确认后草稿标题改为“" + card.title_change + "”"));
    const names = { funding: "资金表", expenses: "支出明细", indicators: "绩效指标" };
    if (card.kept && card.kept.length) {
      box.append(el("div", { class: "cite" }, "已确认的" + card.kept.map((k) => names[k]).join("、") + "保持不变。"));
    }
    if (card.funding.length) box.append(editable("funding", ["资金来源", ...(card.columns || ["计划安排", "实际到位", "实际支出", "结余"])],
      card.funding, ["source"], ["planned", "arrived", "spent", "balance"]));
    if (card.expenses.length) box.append(editable("expenses", ["支出内容", "实际支出数", "会计凭证号"],
      card.expenses, [], ["content", "amount", "voucher"]));
    if (card.indicators.length) {
      const t = editable("indicators", ["二级指标", "指标内容", "目标值", "实际完成值", "方向"],
        card.indicators, [], ["level2", "name", "target", "actual"]);
      // more is better (升) or less is better (降): guessed unless the table said; a click flips it
      card.indicators.forEach((ind, i) => {
        const cell = el("td", { class: "direction", "data-table": "indicators", "data-row": String(i), "data-col": "direction",
          "data-orig": ind.direction, title: "升：越大越好；降：越小越好。点击切换" }, ind.direction);
        if (live) cell.addEventListener("click", () => { cell.textContent = cell.textContent === "升" ? "降" : "升"; });
        t.rows[i + 1].append(cell);
        if (live) {
          const del = el("button", { class: "drop-row", title: "删除这一行（确认后生效）" }, "删除");
          del.addEventListener("click", () => { t.rows[i + 1].classList.toggle("dropped"); });
          t.rows[i + 1].append(el("td", {}, del));
        }
      });
      box.append(t);
    }
    for (const w of card.changes || []) box.append(el("div", { class: "sev-warning change" }, "变动：" + w));
    for (const w of card.warnings || []) box.append(el("div", { class: "sev-info" }, "提示：" + w));
    if (live && card.actions && card.actions.includes("confirm")) {
      box.append(el("div", { class: "cite" }, "数字有误可直接在表格中修改，再点“确认”。"));
      box.append(el("button", { class: "confirm", onclick: () => confirmData(box) }, "确认"));
    }
  } else if (card.type === "suggestions") {
    box.append(el("strong", {}, card.title));
    let index = 0;
    const holder = el("div");
    const show = () => {
      holder.replaceChildren();
      const opt = card.options[index];
      const cites = (opt.citations || []).map((c) => el("div", { class: "cite" },
        "参考：" + c.title + "（" + c.source + (c.project_type ? "，" + c.project_type : "") + "）" +
        (c.heading || "") + " 段落 " + c.passage_id));
      const edit = el("textarea", { class: "edit-box", hidden: "" });
      edit.value = opt.text;
      const note = opt.note ? el("div", { class: "cite note-" + opt.origin }, opt.note) : null;
      holder.append(el("div", { class: "option" }, note, marked(opt.text), ...cites,
        el("div", {}, "第 " + (index + 1) + " / " + card.options.length + " 条"),
        el("button", { class: "adopt", onclick: () => saveSection(card.section, opt.text, opt.origin, opt.citations) }, "采用"),
        el("button", { class: "next", onclick: () => { index = (index + 1) % card.options.length; show(); } }, "换一条"),
        el("button", { class: "edit", onclick: () => { edit.hidden = !edit.hidden; } }, "编辑"),
        edit,
        el("button", { class: "save-edit", onclick: () => saveSection(card.section, edit.value, "edit", opt.citations) }, "保存编辑"),
        me && me.model && opt.origin === "precedent" && opt.citations && opt.citations.length && editable_now()
          ? el("button", { class: "model-structure", onclick: () => {
            const box = document.querySelector(".sec[data-section='" + card.section + "'] .model-box");
            if (box) { box.scrollIntoView({ block: "center" }); modelWrite(card.section, "按这条先例的结构写", box, opt.citations[0].passage_id); }
          } }, "按这条先例的结构写（模型）") : null));
    };
    show();
    box.append(holder);
  } else if (card.type === "findings") {
    const f = card.funding || {};
    box.append(el("div", {}, "到位率 " + pct(f.arrival_rate) + "，执行率 " + pct(f.execution_rate)));
    if (card.findings.length === 0) box.append(el("div", {}, "没有发现对不上的地方。"));
    for (const item of card.findings) {
      box.append(el("div", { class: "sev-" + item.severity }, "[" + SEVERITY[item.severity] + "] " + item.message));
    }
  } else if (card.type === "score") {
    box.append(table(["指标", "分值", "自评", "规则得分", "说明"],
      card.items.map((i) => [i.item, i.weight, i.claimed, i.computed, i.reason])));
  } else if (card.type === "polish") {
    if (me && me.model) box.append(el("button", { class: "polish-all", onclick: (e) => { e.target.disabled = true; polishAll(box); } }, "开始润色全文"));
    else box.append(el("div", { class: "sev-warning" }, "未配置语言模型：润色全文不可用（以规则生成的草稿照常可用；配置见 serve --llm-url）。"));
  } else if (card.type === "export") {
    for (const [fmt, href] of Object.entries(card.links)) {
      box.append(el("a", { href, class: "export-link", download: "" }, "下载 " + fmt), " ");
    }
  } else if (card.type === "error") {
    box.append(el("div", { class: "sev-error" }, card.message));
  } else if (card.type === "decision") {
    box.append(el("span", { class: "decision", "data-kind": card.kind }, card.label));
  } else if (card.type === "answer") {
    box.hidden = true;  // the answer is the reply's own text
  } else if (card.type === "clarify") {
    box.append(el("div", { class: "ask" }, card.ask));
    if (live) box.append(el("div", { class: "quick clarify" }, ...card.buttons.map((b) =>
      el("button", { onclick: () => sendClarify(card.text, b.answer, b.label) }, b.label))));
  }
  return box;
}

function progressBar(p) {
  return el("div", { class: "progress" }, el("progress", { value: String(p.done), max: String(p.total || 1) }),
    el("span", { class: "count" }, "已完成 " + p.done + "/" + p.total));
}

// the next thing the form needs: quick replies where the answer is a choice, 跳过 / 上一题 always
function renderQuestion(box, card, live) {
  box.append(progressBar(card.progress));
  if (card.kind === "done") {
    box.append(el("div", {}, card.ask));
    if (live) box.append(el("div", { class: "quick" },
      el("button", { onclick: () => sendText("起草全文") }, "起草全文"),
      el("button", { onclick: () => sendText("导出") }, "导出")));
    return;
  }
  box.append(el("div", { class: "ask" }, el("span", { class: "group" }, card.group), card.label));
  if (card.note) box.append(el("div", { class: "cite" }, card.note));
  const quick = el("div", { class: "quick" });
  if (card.kind === "choice" || card.kind === "indicator") {
    for (const opt of card.options) {
      quick.append(el("button", { class: "choice", onclick: () => sendAnswer(card.item, [opt], opt) }, opt));
    }
  } else if (card.kind === "checks") {
    const none = card.options.includes("均无") ? "均无" : null;
    const picks = card.options.filter((o) => o !== none);
    for (const opt of picks) {
      const b = el("button", { class: "check", "aria-pressed": "false" }, opt);
      b.addEventListener("click", () => b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true"));
      quick.append(b);
    }
    quick.append(el("button", { class: "submit", onclick: () => {
      const chosen = [...quick.querySelectorAll("button.check[aria-pressed=true]")].map((b) => b.textContent);
      sendAnswer(card.item, chosen, chosen.length ? chosen.join("、") : (none || "均不符合"));
    } }, "确定"));
    if (!none) quick.append(el("button", { class: "all", onclick: () => sendAnswer(card.item, picks, "都符合") }, "都符合"));
    else quick.append(el("button", { class: "none", onclick: () => sendAnswer(card.item, [], none) }, none));
  }
  quick.append(el("button", { class: "skip", onclick: () => sendAnswer(card.item, null, "跳过", true) }, "跳过"),
    el("button", { class: "back", onclick: () => sendText("上一题") }, "上一题"));
  if (live) box.append(quick);
  const input = document.getElementById("input");
  if (live && input) input.placeholder = card.kind === "paste" ? "在此粘贴表格（从 Excel/WPS/Word 复制）" :
    card.kind === "indicator" ? "如“路域绿化率 目标60% 实际65%”，或点上面的按钮" : "直接输入回答，或点上面的按钮";
}

// where a statement went, and where else it can go
function renderNote(box, card, live) {
  const where = el("div", { class: "ok" }, "✓ 已记入" + card.title);
  box.append(where, el("div", { class: "cite" }, card.text));
  if (!live) return;
  const select = el("select", { class: "move" }, el("option", { value: "" }, "移到其他章节…"),
    ...card.move_to.map((m) => el("option", { value: m.section }, m.title)));
  select.addEventListener("change", async () => {
    if (!select.value) return;
    await api("PUT", "/api/drafts/" + current + "/notes/" + card.note_id, { section: select.value });
    where.textContent = "✓ 已移到" + select.options[select.selectedIndex].textContent;
    reloadDraft();
  });
  box.append(select);
}

async function sendText(text) {
  addTurn("user", text);
  const data = await api("POST", "/api/drafts/" + current + "/turns", { text });
  showReply(data.reply);
}

// the officer's choice on a question back: this is the answer to the question, or text for the report
async function sendClarify(text, answer, label) {
  for (const q of document.querySelectorAll("#turns .quick.clarify")) q.remove();
  addTurn("user", label);
  const data = await api("POST", "/api/drafts/" + current + "/turns", { text, answer });
  showReply(data.reply);
}

async function sendAnswer(item, selected, text, skip = false) {
  addTurn("user", text);
  const answer = skip ? { item, skip: true } : { item, selected };
  const data = await api("POST", "/api/drafts/" + current + "/turns", { text, answer });
  showReply(data.reply);
}

// only the newest question can still be answered by its buttons
function showReply(reply) {
  for (const q of document.querySelectorAll("#turns .card-question .quick")) q.remove();
  for (const s of document.querySelectorAll("#turns .card-note select.move")) s.remove();
  addTurn("assistant", reply.text, reply.cards);
  reloadDraft();
}

// a parsed table whose value cells the officer can correct before confirming
function editable(name, headers, rows, fixed, cols) {
  return el("table", {}, el("tr", {}, ...headers.map((h) => el("th", {}, h))),
    ...rows.map((r, i) => el("tr", {}, ...fixed.map((k) => el("td", {}, r[k] ?? "")),
      ...cols.map((k) => el("td", { contenteditable: "true", "data-table": name, "data-row": String(i),
        "data-col": k, "data-orig": r[k] ?? "" }, r[k] ?? "")))));
}

function pct(x) {
  return x === null || x === undefined ? "—" : (Math.round(parseFloat(x) * 10000) / 100) + "%";
}

// what was just done (recorded, a project field, a note, the decision taken) reads first, then the words, then what
// the words introduce (a table to confirm, findings, choices) and the next question
const DONE_CARDS = new Set(["recorded", "project", "note", "decision", "answer"]);
function addTurn(role, text, cards, live = true) {
  const div = el("div", { class: "turn " + role });
  for (const c of (cards || []).filter((c) => DONE_CARDS.has(c.type))) div.append(renderCard(c, live));
  if (text) div.append(el("div", { class: "words" }, text));
  for (const c of (cards || []).filter((c) => !DONE_CARDS.has(c.type))) div.append(renderCard(c, live));
  const turns = document.getElementById("turns");
  turns.append(div);
  turns.scrollTop = turns.scrollHeight;
}

// the report as it would be exported now: adopted sections, and the current draft of the others
let previewSeq = 0;
async function refreshDraft(states) {
  if (!current) return;
  const id = current;
  const seq = ++previewSeq;
  const view = await api("GET", "/api/drafts/" + id + "/preview");
  if (id !== current || seq !== previewSeq) return;  // a newer preview is on its way
  const box = document.getElementById("sections");
  box.replaceChildren();
  for (const kind of Object.keys(modelBoxes)) delete modelBoxes[kind];  // this draft's sections only
  const sc = view.score;
  box.append(el("div", { class: "score-line" }, sc.total !== null ? "综合得分 " + sc.total + " 分（" + sc.grade + "）"
    : "综合得分：评分项都回答后计算", " · ", progressBar(view.progress)));
  const open = editable_now();
  if (currentData && currentData.indicators && currentData.indicators.length) box.append(indicatorEditor(currentData.indicators, open));
  const general = currentComments.filter((c) => !c.section);
  if (general.length) box.append(commentsBox("审核意见（全文）", general));
  for (const sec of view.sections) {
    const s = states[sec.kind];
    const edit = el("textarea", { hidden: "" });
    edit.value = sec.text;
    const save = el("button", { hidden: "", onclick: () => saveSection(sec.kind, edit.value, "edit", s ? s.citations : []) }, "保存");
    const status = sec.adopted ? "已采用" : sec.origin === "notes" ? "草稿：据您的说明" :
      sec.origin === "precedent" ? "草稿：参考同类先例" : sec.origin === "skeleton" ? "草稿：提纲" : "草稿";
    const buttons = sec.adopted ? [
      el("button", { class: "undo", onclick: () => step(sec.kind, "undo"), ...(s && s.can_undo ? {} : { disabled: "" }) }, "撤销"),
      el("button", { class: "redo", onclick: () => step(sec.kind, "redo"), ...(s && s.can_redo ? {} : { disabled: "" }) }, "重做"),
    ] : [el("button", { class: "adopt-draft", onclick: () => saveSection(sec.kind, sec.text, sec.origin, []) }, "采用此稿")];
    const notes = currentComments.filter((c) => c.section === sec.kind);
    const modelBox = el("div", { class: "model-box", hidden: "" });
    modelBoxes[sec.kind] = modelBox;
    const modelButtons = open && me && me.model ? el("span", { class: "model-actions" },
      el("button", { class: "model-write", onclick: () => modelWrite(sec.kind, "", modelBox) }, "用模型写"),
      el("button", { class: "model-formal", onclick: () => modelWrite(sec.kind, "更正式一些", modelBox) }, "更正式一些"),
      el("button", { class: "model-short", onclick: () => modelWrite(sec.kind, "压缩到300字", modelBox) }, "压缩到300字")) : null;
    box.append(el("div", { class: "sec" + (sec.adopted ? " adopted" : "") + (notes.length ? " commented" : ""),
      "data-section": sec.kind },
      el("h3", {}, sec.title, el("span", { class: "status" }, status)), marked(sec.text),
      sec.note ? el("div", { class: "cite" }, sec.note) : null,
      notes.length ? commentsBox("审核意见", notes) : null,
      open ? el("div", {}, ...buttons, el("button", { onclick: () => { edit.hidden = !edit.hidden; save.hidden = edit.hidden; } }, "编辑"),
        modelButtons) : null,
      open ? edit : null, open ? save : null, modelBox));
  }
  const exports = document.getElementById("exports");
  exports.replaceChildren();
  for (const fmt of ["docx", "md"]) {
    exports.append(el("a", { href: "/api/drafts/" + id + "/export?format=" + fmt, class: "export-link", download: "" },
      "导出 " + (fmt === "docx" ? "Word" : "Markdown")), " ");
  }
}

// the confirmed indicators: renamed, corrected or deleted in place (every trace of a deleted row goes)
function indicatorEditor(rows, open) {
  const t = el("table", { class: "indicators-edit" }, el("tr", {}, ...["二级指标", "指标内容", "目标值", "实际完成值", ""].map((h) => el("th", {}, h))));
  // edits typed but not saved yet travel with a delete, so deleting one row never loses another row's edit
  const pending = () => [...t.querySelectorAll("td[data-col]")].filter((td) => td.textContent.trim() !== td.dataset.orig)
    .map((td) => ({ row: Number(td.dataset.row), col: td.dataset.col, value: td.textContent.trim() }));
  const put = async (edits) => {
    try {
      await api("PUT", "/api/drafts/" + current + "/indicators", { edits });
    } catch (e) {
      showError(e.message);  // the cells keep what was typed
      return;
    }
    await reloadDraft();
  };
  rows.forEach((r, i) => {
    const cells = ["level2", "name", "target", "actual"].map((k) => el("td", open ? { contenteditable: "true", "data-row": String(i), "data-col": k, "data-orig": r[k] ?? "" } : {}, r[k] ?? ""));
    const del = open ? el("button", { class: "drop-indicator", onclick: async () => {
      if (!window.confirm("删除指标“" + r.name + "”？评分和报告中都不再出现。")) return;
      await put([...pending().filter((e) => e.row !== i), { row: i, delete: true }]);
    } }, "删除") : null;
    t.append(el("tr", {}, ...cells, el("td", {}, del)));
  });
  const save = open ? el("button", { class: "save-indicators", onclick: async () => {
    const edits = pending();
    if (edits.length) await put(edits);
  } }, "保存指标修改") : null;
  return el("details", { class: "indicators-box" }, el("summary", {}, "绩效指标（" + rows.length + " 条，可改名、修改、删除）"), t, save);
}

function commentsBox(title, comments) {
  return el("div", { class: "comments" }, el("div", { class: "comments-title" }, title),
    ...comments.map((c) => el("div", { class: "comment" }, el("span", { class: "cite" },
      "第 " + c.round + " 次送审 · " + c.author + " · " + when(c.created_at) + "："), c.text)));
}

// status, 送审, and the history of the draft's reviews
function renderWorkflow(data) {
  const box = document.getElementById("workflow");
  const d = data.draft;
  box.replaceChildren(el("span", {}, "状态："), statusBadge(d.status));
  if (editable_now() && !d.submitted_at) {
    box.append(el("button", { id: "delete-draft", class: "danger", onclick: deleteDraft }, "删除草稿"));
  }
  if (editable_now()) {
    box.append(el("button", { id: "submit-draft", onclick: submitDraft,
      ...(d.has_data ? {} : { disabled: "", title: "先粘贴并确认资金、指标数据" }) },
      d.status === "returned" ? "修改完成，重新送审" : "送审"));
  } else {
    box.append(el("span", { class: "cite" }, d.status === "approved" ? "报告已通过审核，不能再修改。" : "已送审，审核期间不能修改。"));
  }
  if (data.events.length) {
    box.append(el("details", { class: "history" }, el("summary", {}, "审核记录（" + data.events.length + "）"),
      ...data.events.map((e) => el("div", { class: "cite" }, when(e.at) + " " + e.actor + " " +
        (ACTION_NAMES[e.action] || e.action) + (e.note ? "：" + e.note : "")))));
  }
}

async function deleteDraft() {
  if (!window.confirm("删除后这份草稿（对话、数据、各节文字）都不能恢复。确定删除“" + currentDraft.title + "”？")) return;
  await api("DELETE", "/api/drafts/" + current);
  current = null;
  currentDraft = null;
  document.getElementById("turns").replaceChildren();
  document.getElementById("sections").replaceChildren();
  document.getElementById("workflow").replaceChildren();
  document.getElementById("exports").replaceChildren();
  document.getElementById("draft-title").textContent = "草稿已删除。请新建或打开一份草稿";
  document.getElementById("input").disabled = true;
  document.getElementById("send").disabled = true;
  await loadDrafts();
}

async function submitDraft() {
  if (!window.confirm("送审后草稿将锁定，审核人退回前不能修改。确定送审？")) return;
  const data = await api("POST", "/api/drafts/" + current + "/submit", {});
  if (data.hint) showError(data.hint);
  await openDraft(current);
}

// 润色全文: every section through the model in turn, each shown in its own box with 采用; when all are written,
// 全部采用 adopts those that finished (the lock has marked whatever it could not verify)
const modelBoxes = {};
const POLISH = "润色：改为规范的书面报告语言，保留全部事实、数字和名称";
async function polishAll(where) {
  // the progress stays in the chat card that started it: the draft column is drawn anew as turns come in
  const kinds = Object.keys(modelBoxes);
  const done = {};
  const bar = el("div", { class: "polish-bar cite" }, "正在润色全文（0/" + kinds.length + "）…");
  where.append(bar);
  for (const [i, kind] of kinds.entries()) {
    const data = await modelWrite(kind, POLISH, modelBoxes[kind]);
    if (data) done[kind] = data;
    bar.textContent = "正在润色全文（" + (i + 1) + "/" + kinds.length + "）…";
  }
  for (const [kind, data] of Object.entries(done)) {  // shown again if the draft column was drawn anew meanwhile
    const box = modelBoxes[kind];
    if (box && !box.querySelector(".model-done")) { box.hidden = false; showModelText(kind, box, data); }
  }
  const n = Object.keys(done).length;
  bar.replaceChildren("润色完成：" + n + " 节可采用" + (n < kinds.length ? "，" + (kinds.length - n) + " 节未完成（原稿未改动）" : "") + "。");
  if (n) bar.append(" ", el("button", { class: "polish-adopt-all", onclick: async () => {
    for (const [kind, data] of Object.entries(done)) await saveSection(kind, data.text, "model", data.citations || [], true);
    await reloadDraft();
  } }, "全部采用"));
}

// the model's text streams into the box; 停止 ends it; only 采用 puts it in the draft. Resolves with the finished
// text (or null when stopped or failed).
async function modelWrite(kind, instruction, box, passageId) {
  const controller = new AbortController();
  const live = el("div", { class: "model-live text" });
  const stop = el("button", { class: "model-stop", onclick: () => { controller.abort(); stop.remove(); live.append(el("div", { class: "cite" }, "已停止，未改动草稿。")); } }, "停止");
  box.hidden = false;
  box.replaceChildren(el("div", { class: "cite" }, "模型正在写" + (instruction ? "（" + instruction + "）" : "") + "…"), live, stop);
  const body = { instruction };
  let finished = null;
  if (passageId !== undefined && passageId !== null) body.passage_id = passageId;
  try {
    await postEvents("/api/drafts/" + current + "/sections/" + kind + "/generate", body, (name, data) => {
      if (name === "token") live.append(data.text);
      else if (name === "done") { showModelText(kind, box, data); finished = data; }
      else if (name === "error") {
        stop.remove();
        box.append(el("div", { class: "sev-error model-error" }, "⚠ " + data.error + (data.hint ? "（" + data.hint + "）" : "")));
      }
    }, controller);
  } catch (err) {
    if (err.name !== "AbortError") box.append(el("div", { class: "sev-error" }, "⚠ 与服务器的连接中断，草稿未改动"));
  }
  return finished;
}

function showModelText(kind, box, data) {
  const cites = (data.citations || []).map((c) => el("div", { class: "cite" }, "参考：《" + c.title + "》（" + c.source + "）" +
    (c.heading || "") + " 段落 " + c.passage_id));
  box.replaceChildren(
    el("div", { class: "cite model-done" }, "模型 " + data.model + " 的稿子：" + (data.marks ? "【待核实】" + data.marks + " 处，请逐一核对" : "数字均有出处")),
    el("div", { class: "model-text" }, ...data.paragraphs.map((p) => el("p", {}, marked(p.text)))),
    ...cites,
    el("button", { class: "model-adopt", onclick: () => saveSection(kind, data.text, "model", data.citations || []) }, "采用"),
    el("button", { class: "model-discard", onclick: () => { box.hidden = true; box.replaceChildren(); } }, "放弃"));
}

async function reloadDraft() {
  const data = await api("GET", "/api/drafts/" + current);
  currentDraft = data.draft;
  currentComments = data.comments || [];
  currentData = data.data;
  await refreshDraft(data.sections);
}

async function loadDrafts() {
  const data = await api("GET", "/api/drafts");
  const list = document.getElementById("drafts");
  list.replaceChildren();
  for (const d of data.drafts) {
    list.append(el("li", { class: d.id === current ? "active" : "", "data-id": d.id, onclick: () => openDraft(d.id) },
      d.title, " ", statusBadge(d.status)));
  }
}

async function openDraft(id) {
  current = id;
  composerNote("");
  const data = await api("GET", "/api/drafts/" + id);
  currentDraft = data.draft;
  currentComments = data.comments || [];
  currentData = data.data;
  document.getElementById("draft-title").textContent = data.draft.title;
  renderWorkflow(data);
  document.getElementById("turns").replaceChildren();
  // only the latest paste card can still be confirmed, and only while its data is pending
  const lastPaste = data.turns.map((t) => t.cards.some((c) => c.type === "paste")).lastIndexOf(true);
  const last = data.turns.length - 1;
  const open = editable_now();
  data.turns.forEach((t, i) => {
    const live = open && (t.cards.some((c) => c.type === "paste") ? data.pending !== null && i === lastPaste : i === last);
    addTurn(t.role, t.text, t.cards, live);
  });
  const input = document.getElementById("input");
  input.disabled = !open;
  document.getElementById("send").disabled = !open;
  if (!open) input.placeholder = data.draft.status === "approved" ? "报告已通过审核" : "已送审，等待审核人审核";
  await refreshDraft(data.sections);
  await loadDrafts();
}

const MAX_TURN = 200000;

function composerNote(message) {
  const note = document.getElementById("composer-note");
  note.textContent = message || "";
  note.hidden = !message;
}

// the officer's text stays in the box until the server has it; an error is shown beside the box
async function send(event) {
  event.preventDefault();
  const input = document.getElementById("input");
  const text = input.value;
  if (!current) { composerNote("请先在左边新建或打开一份草稿。"); return; }
  if (!text.trim()) { composerNote("请输入内容：回答上面的问题、粘贴表格，或说“跳过”“进度”。"); return; }
  if (text.length > MAX_TURN) {
    composerNote("内容过长（" + text.length + " 字，每次不超过 20 万字）：请分几次粘贴，原文仍在输入框中。");
    return;
  }
  composerNote("");
  const previous = reportError;
  reportError = (message) => composerNote("没有发送成功：" + message + "。原文仍在输入框中。");
  let data;
  try {
    data = await api("POST", "/api/drafts/" + current + "/turns", { text });
  } catch (err) {
    if (!document.getElementById("composer-note").textContent) composerNote("没有发送成功（" + err.message + "）。原文仍在输入框中。");
    return;
  } finally {
    reportError = previous;
  }
  input.value = "";
  addTurn("user", text);
  showReply(data.reply);
}

async function confirmData(box) {
  const edits = [];
  for (const tr of (box ? box.querySelectorAll("tr.dropped") : [])) {
    const cell = tr.querySelector("td[data-table]");
    if (cell) edits.push({ table: cell.dataset.table, row: Number(cell.dataset.row), col: "delete", value: "" });
  }
  for (const td of (box ? box.querySelectorAll("tr:not(.dropped) td[data-table]") : [])) {
    if (td.textContent.trim() !== td.dataset.orig) {
      edits.push({ table: td.dataset.table, row: Number(td.dataset.row), col: td.dataset.col, value: td.textContent.trim() });
    }
  }
  await api("POST", "/api/drafts/" + current + "/confirm", { edits });
  await openDraft(current);
}

async function saveSection(kind, text, origin, citations, later) {
  await api("PUT", "/api/drafts/" + current + "/sections/" + kind, { text, origin, citations: citations || [] });
  if (!later) await reloadDraft();  // 全部采用 reloads once, after the last section
}

async function step(kind, action) {
  await api("POST", "/api/drafts/" + current + "/sections/" + kind + "/" + action, {});
  await reloadDraft();
}

async function createDraft(event) {
  event.preventDefault();
  const title = document.getElementById("new-title").value || "未命名草稿";
  const form = document.getElementById("new-form").value;
  const data = await api("POST", "/api/drafts", { title, form });
  document.getElementById("new-title").value = "";
  await openDraft(data.draft.id);
}

function watchProgress() {
  const status = document.getElementById("status");
  const source = new EventSource("/api/events");
  source.onmessage = (msg) => {
    const p = JSON.parse(msg.data);
    const names = { starting: "正在启动", indexing: "正在建立检索索引", embedding: "正在计算向量", done: "检索就绪",
      off: "检索未启用", error: "向量计算出错（关键词检索仍可用）" };
    status.textContent = (names[p.state] || p.state) + (p.state === "embedding" ? "：" + (p.done || 0) + " / " + p.total : "");
    if (["done", "off", "error"].includes(p.state)) source.close();
  };
}

document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("new-draft").addEventListener("submit", createDraft);
  document.getElementById("composer").addEventListener("submit", send);
  await loadMe();
  watchProgress();
  loadDrafts();
});
