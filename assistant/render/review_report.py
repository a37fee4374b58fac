"""A review as JSON, Markdown or .docx: findings, claimed vs rule scores, precedents with shared text."""
from __future__ import annotations

from pathlib import Path

import docx
import jinja2

from ..core.contract import check_json
from ..review import Review
from ..review.overlap import highlight
from ..core.text import without_controls
from . import docx_style as st
from .atomic_file import write_atomically
from .text_report import PROMPTS

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def review_json(rv: Review, corpus: dict | None = None) -> dict:
    data = check_json(rv.result, precedents=rv.precedents_json())
    data["findings"] = data["findings"] + [
        {"code": f.code, "severity": f.severity, "message": f.message, "evidence": dict(f.evidence)} for f in rv.findings]
    if corpus is not None:
        data["corpus"] = corpus
    return data


def _context(rv: Review, corpus: dict | None) -> dict:
    data = review_json(rv, corpus)
    p, s = data["project"], data["score"]
    sections = []
    for sec in rv.sections:
        passages = []
        for pa in sec.passages:
            shown = highlight(pa["text"], [tuple(x) for x in pa["shared_in_passage"]], "**", "**") \
                if pa["shared_in_passage"] else ""
            passages.append({**pa, "overlap_pct": f"{pa['overlap']:.0%}", "similarity_pct": f"{pa['similarity']:.0%}",
                             "marked": shown.replace("\n", " ")})
        sections.append({"heading": sec.heading, "passages": passages})
    return {"name": p["name"] or "（未识别项目名称）", "unit": p["unit"] or "", "form": p["form"],
            "claimed_total": s["claimed_total"] or "—", "claimed_grade": s["claimed_grade"] or "—",
            "computed_total": s["computed_total"] or "—", "computed_grade": s["computed_grade"] or "—",
            "findings": [{**f, "severity_name": SEVERITY[f["severity"]]} for f in data["findings"]],
            "items": [{"name": "/".join(i["path"]), "weight": i["weight"], "claimed": i["claimed"] or "",
                       "computed": i["computed"] or "", "reason": i["reason"]} for i in s["items"]],
            "sections": sections, "corpus": corpus}


def review_markdown(rv: Review, corpus: dict | None = None) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS / "render")), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("review.md.j2").render(**_context(rv, corpus))


def _review_document(rv: Review, corpus: dict | None = None):
    ctx = without_controls(_context(rv, corpus))
    document = docx.Document()
    st.page_setup(document)
    st.title(document, f"审核意见：{ctx['name']}")
    st.body(document, f"自评总分 {ctx['claimed_total']}（{ctx['claimed_grade']}），按规则计算 {ctx['computed_total']}"
                      f"（{ctx['computed_grade']}）。", indent=False)
    st.heading(document, f"一、对不上的地方（{len(ctx['findings'])} 条）")
    for f in ctx["findings"]:
        st.body(document, f"[{f['severity_name']}] {f['message']}")
    st.heading(document, "二、评分：自评与规则得分")
    t = st.table(document, len(ctx["items"]) + 1, 5)
    for k, h in enumerate(("指标", "分值", "自评", "规则得分", "说明")):
        st.cell_text(st.cell(t, 0, k), h, size="五号", bold=True)
    for r, it in enumerate(ctx["items"], start=1):
        for k, v in enumerate((it["name"], it["weight"], it["claimed"], it["computed"], it["reason"])):
            st.cell_text(st.cell(t, r, k), v, size="五号")
    st.heading(document, "三、各章节最相近的先例")
    for sec in rv.sections:
        st.heading(document, sec.heading, level=2)
        for pa in sec.passages:
            para = document.add_paragraph()
            st.font(para.add_run(f"《{pa['title']}》（{pa['source']}）相同文字 {pa['overlap']:.0%}，内容相近 "
                                 f"{pa['similarity']:.0%}："), st.BODY_FONT, "小四")
            last = 0
            for start, end in sorted(tuple(x) for x in pa["shared_in_passage"]):
                st.font(para.add_run(pa["text"][last:start]), st.BODY_FONT, "小四")
                run = st.font(para.add_run(pa["text"][start:end]), st.BODY_FONT, "小四", bold=True)
                from docx.enum.text import WD_COLOR_INDEX

                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                last = end
            st.font(para.add_run(pa["text"][last:]), st.BODY_FONT, "小四")
    return document


def review_docx(rv: Review, path: Path, corpus: dict | None = None) -> Path:
    return write_atomically(path, _review_document(rv, corpus).save)


def review_docx_bytes(rv: Review, corpus: dict | None = None) -> bytes:
    """The review as .docx bytes, for the service."""
    import io

    buffer = io.BytesIO()
    _review_document(rv, corpus).save(buffer)
    return buffer.getvalue()
