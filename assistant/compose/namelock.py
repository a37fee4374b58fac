"""The name half of the lock: what a text names that belongs to another project — a document title in
《》, a system or platform, a place, a company — is marked 【待核实：…】 unless this project's own words
(what the officer typed, the project's names) say it. Runs after the number lock, in `lock`."""
from __future__ import annotations

import re

from .numberlock import Facts, LockResult, lock_numbers, mark_spans

_MARKED = re.compile(r"【待(?:核实|补充)：[^】]*】")
_TITLE = re.compile(r"《([^《》\n]{2,60})》")
# titles of a project's own papers (its plan, contract, report) as opposed to policies and standards
_PROJECT_PAPER = re.compile(r"(?:方案|合同|报告|细则|制度|计划|协议|纪要|台账|清单|手册|说明书|任务书)$")
_SYSTEM = re.compile(r"([\u4e00-\u9fa5A-Za-z0-9“”\"+]{2,14}?)(系统|平台|网站|公众号|小程序|APP|App|客户端)")
_SYSTEM_LEAD = re.compile(r"^.*(?:在|通过|依托|利用|借助|基于|的|和|与|及|将|对|为|了|是|把|建设|建成|搭建|开发|上线|"
                          r"完成|实现|升级|改造|运维|维护|接入|整合|部署|开通|构建|打造|推进|新建|使用)")
_GENERIC_SYSTEM = re.compile(r"^(?:管理|服务|信息|业务|办公|监控|监测|数据|网络|综合|公共|统一|应用|政务|线上|网上|"
                             r"一体化|信息化|智能化|数字化|相关|各类|各级|各个|该|本|此|这个|整个)+$")
_PLACE_END = "省市县区镇乡"
_NOT_PLACE_START = set("由在于与和对向从为经据全各本该我其这那此每及并或将把被给让的了是有到自至往等如")
_NOT_PLACE_NEXT = set("场民政值容貌级域块分别城村镇土亲情音下里长委属直")  # 市场, 区域, 县城, 乡村, 市长 …
_NOT_IN_PLACE = set("对向从为将把被给让的了是有到至往等如及并或局厅委办处科室站所队部会院中心和与在由")
_NOT_PLACES = {"全市", "全县", "全区", "全省", "本市", "本县", "本区", "本省", "我市", "我县", "我区", "我省", "各市",
               "各县", "各区", "各省", "该市", "该县", "该区", "城区", "市区", "县区", "社区", "园区", "景区", "地区",
               "城市", "县市", "市县", "省市", "地市", "城乡", "乡镇", "县乡", "全乡", "全镇", "各乡", "各镇", "本镇",
               "本乡", "超市", "集市", "门市", "街区", "辖区", "片区", "小区", "校区", "库区", "山区", "矿区", "新区",
               "老区", "边区", "灾区", "湖区", "林区", "牧区", "垦区", "开发区", "示范区", "保护区", "试验区",
               "功能区", "服务区", "居住区", "中心城区", "主城区", "老城区", "建成区", "省级", "市级", "县级",
               "区级", "乡级", "镇级", "地级市", "县级市", "直辖市", "自治区", "行政区", "城镇", "集镇", "县市区",
               "市州", "省区", "地区县", "城关镇", "重点区", "生活区", "办公区", "工业区", "商业区"}


def places(text: str) -> list[tuple[int, int]]:
    """Spans of place names (华容县, 岳阳市, 黑龙江省): two or three characters before 省市县区镇乡, not
    starting with a function word, not followed by what makes it another word (市场, 区域, 县城)."""
    out = []
    for i, ch in enumerate(text):
        if ch not in _PLACE_END or i < 2 or (i + 1 < len(text) and text[i + 1] in _NOT_PLACE_NEXT):
            continue
        for k in (3, 2):
            start = i - k
            name = text[start:i + 1]
            if start < 0 or not re.fullmatch(r"[\u4e00-\u9fa5]+", name) or name[0] in _NOT_PLACE_START \
                    or any(c in _NOT_IN_PLACE for c in name[:-1]):
                continue
            if name not in _NOT_PLACES and name[-2:] not in _NOT_PLACES:
                out.append((start, i + 1))
            break
    return out
# registered names end like this; generic nouns ('咨询公司', '监理公司') are not another project's names
_ORG = re.compile(r"([\u4e00-\u9fa5（）()]{2,24}?(?:有限责任公司|股份有限公司|有限公司|集团))")
_ORG_LEAD = re.compile(r"^.*[向由与和及为是的将被对从在于以把给经]")  # function words before a name
# a registered name usually starts with its province: cut anything before the last one
_PROVINCE = re.compile(r"(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
                       r"广东|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆|中国)")


def _known(name: str, facts: Facts) -> bool:
    core = name.strip("“”\"《》")
    return any(core in text for text in facts.names)


def _free(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return all(end <= a or start >= b for a, b in taken)


def _foreign_names(text: str, facts: Facts) -> list[tuple[int, int]]:
    taken = [(m.start(), m.end()) for m in _MARKED.finditer(text)]
    spans: list[tuple[int, int]] = []

    def mark(start: int, end: int) -> None:
        if end > start and _free(start, end, taken + spans):
            spans.append((start, end))

    for m in _TITLE.finditer(text):
        title = m.group(1)
        if _known(title, facts):
            taken.append((m.start(), m.end()))
            continue
        foreign = [title[a:b] for a, b in places(title) if not _known(title[a:b], facts)]
        if foreign or _PROJECT_PAPER.search(title):
            mark(m.start(), m.end())  # another project's own paper, or another place's
        else:
            taken.append((m.start(), m.end()))  # a policy or a standard: a reference, not a name
    for m in _ORG.finditer(text):
        org = _ORG_LEAD.sub("", m.group(1))
        provinces = list(_PROVINCE.finditer(org))
        if provinces:
            org = org[provinces[-1].start():]
        if len(org) >= 6 and not _known(org, facts):
            start = m.end(1) - len(org)
            mark(start, m.end(1))
    for m in _SYSTEM.finditer(text):
        prefix = _SYSTEM_LEAD.sub("", m.group(1))
        bare = prefix.strip("“”\"")
        if len(bare) < 2 or _GENERIC_SYSTEM.match(bare):
            continue
        start = m.start(2) - len(prefix)
        if not _known(bare + m.group(2), facts) and not _known(bare, facts):
            mark(start, m.end())
    for start, end in places(text):
        # the place is this project's when its words, or the words around its last character, are
        # this project's ('…资金由某县公共就业服务中心…': 县 belongs to 某县公共就业服务中心)
        if not _known(text[start:end], facts) and not _known(text[end - 2:end + 2], facts):
            mark(start, end)
    return spans


def lock_names(text: str, facts: Facts) -> LockResult:
    """Mark every name in `text` that this project's own words do not contain."""
    return mark_spans(text, _foreign_names(text, facts))


def lock(text: str, facts: Facts) -> LockResult:
    """The one gate every generated text passes: numbers no fact supports, then names no fact says."""
    numbers = lock_numbers(text, facts)
    names = lock_names(numbers.text, facts)
    return LockResult(names.text, numbers.unverified + names.unverified)
