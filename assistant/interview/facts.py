"""Every project fact in one message: the unit, 主管部门, 负责人 with title, phone, period in any common
wording, report date, a Huainan self-assessed grade and score — said with the form's field words
("主管部门也是林业局"), as a bare value to the question asked ("县林业局"), or as a fact of the sentence
("我们是…局", "项目从2023年3月开始到11月结束", "电话0730-…").

Values come back as they should be recorded: a unit named short ("县林业局", "林业局", "我们局") is
completed from the draft's place and the other unit already named; a period reads "2024年1月至12月".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..core.numbers import compact, to_halfwidth
from .spec import interview_spec

ORG_END = ("委员会", "办公室", "管理局", "服务中心", "管理中心", "残疾人联合会", "联合会", "残联", "妇联", "团委", "总工会", "科协",
           "侨联", "文联", "红十字会", "中心", "局", "委", "办", "院", "所", "站", "队", "公司",
           "学校", "小学", "中学", "大学", "政府", "处", "科", "馆", "部", "会", "社", "厅", "室", "场", "街道", "集团", "股")
_ORG = re.compile(r"([\u4e00-\u9fa5（）()]{1,30}(?:" + "|".join(ORG_END) + r"))(?![\u4e00-\u9fa5]{0,1}(?:长|员|主任))")
_ORG_PREFIX = re.compile(r"^(?:(?:这个|该|本)?项目(?=是|由|归|属于)|现在叫|现在是|现名为?|改名为|改名叫|更名为|已更名为|新名称是|和(?:实施|主管)(?:单位|部门)?(?:都|也都|均)?是|那就是|那就|就是|同样是|一样是|同主管部门|同|不对|错了|写错了|应该是|应该写|应该|应是|应为|要写|应写|得写|写成|写的是|写|填|改成|改为|换成|是|为|叫|也是|就是|"
                         r"还是|都是|全称是|全称叫|全称|我们|我|咱们|咱|本|由|在|经|从|该|归|属于|隶属于?|实施的是|主管是|主管的是|单位|[:：，,\s])+")
TITLES = ("副理事长", "理事长", "副秘书长", "秘书长", "副局长", "局长", "副馆长", "馆长", "副主任", "主任", "副科长", "科长", "副股长", "股长", "副站长", "站长", "副所长", "所长", "副院长",
          "院长", "副校长", "校长", "副书记", "书记", "副部长", "部长", "副处长", "处长", "副队长", "队长", "副经理", "经理",
          "副县长", "县长", "副主席", "主席", "总工", "工程师", "会计", "干事", "同志")
_TITLE = "|".join(TITLES)
_PHONE = re.compile(r"(?<![\d.])(0\d{2,3}[-－—\s]?\d{7,8}|1[3-9]\d{9}|\d{7,8})(?![\d.%万元])")
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
                "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
                "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
                "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12}
_GRADES = (("优秀", "优"), ("良好", "良"), ("中等", "中"), ("合格", "中"), ("较差", "差"), ("不合格", "差"),
           ("优", "优"), ("良", "良"), ("中", "中"), ("差", "差"))
_SELF = re.compile(r"^(?:就是|也是|还是|都是|同样是|一样是|是)?(?:我们|我|咱们|本|我们自己|自己)(?:单位|局|中心|部门)?(?:自己)?$")


_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_value(text: str) -> str | None:
    """'八十六点五' → '86.5', '九十' → '90', '十二' → '12'; None for what is not one number ('九十一二')."""
    whole, _, frac = text.partition("点")
    total, current, seen_unit = 0, None, False
    for ch in whole:
        if ch in _CN_DIGIT:
            if current is not None:
                return None
            current = _CN_DIGIT[ch]
        elif ch in "十百":
            unit = 10 if ch == "十" else 100
            total += (1 if current is None else current) * unit
            current, seen_unit = None, True
        else:
            return None
    total += current or 0
    if not whole or (not seen_unit and len(whole) > 1):
        return None
    if frac:
        if not all(ch in _CN_DIGIT for ch in frac):
            return None
        return f"{total}." + "".join(str(_CN_DIGIT[ch]) for ch in frac)
    return str(total)


def arabic(text: str) -> str:
    """Chinese numerals written out, as digits: '二〇二五年三月十二日' → '2025年3月12日', '八十六点五分' → '86.5分'."""
    text = re.sub(r"[〇零一二三四五六七八九]{4}(?=年)", lambda m: "".join(str(_CN_DIGIT[c]) for c in m.group(0)), text)

    def one(m: re.Match) -> str:
        value = _cn_value(m.group(0))
        return value if value is not None else m.group(0)
    return re.sub(r"[〇零一二两三四五六七八九十百]+(?:点[〇零一二三四五六七八九]+)?(?=[年月日号分]|$)", one, text)


@dataclass
class Facts:
    fields: dict[str, str] = field(default_factory=dict)   # ProjectInfo field -> value as recorded
    extra: dict[str, str] = field(default_factory=dict)    # leader_title, period_start, period_end
    grade: str | None = None                               # 自评等次 (优/良/中/差)
    total: str | None = None                               # 自评得分
    spans: list[tuple[int, int]] = field(default_factory=list)  # where in the text the facts were read

    def __bool__(self) -> bool:
        return bool(self.fields or self.grade or self.total)

    def covered(self, text: str) -> float:
        """The share of the text's characters the facts were read from (the rest is other talk)."""
        marks = bytearray(len(text))
        for a, b in self.spans:
            marks[a:b] = b"\x01" * (b - a)
        chars = [i for i, ch in enumerate(text) if re.match(r"[\u4e00-\u9fa5\w]", ch)]
        return sum(1 for i in chars if marks[i]) / len(chars) if chars else 0.0


@dataclass
class Place:
    """What a short name is completed from: the draft's place (华容县) and the units already named."""
    place: str = ""
    year: int | None = None
    orgs: tuple[str, ...] = ()


def place_of(title: str, *orgs: str | None) -> Place:
    half = to_halfwidth(title or "")
    year = re.search(r"((?:19|20)\d{2})\s*年", half)
    m = re.search(r"([\u4e00-\u9fa5]{1,8}?(?:自治县|自治州|县|市|区|旗))", re.sub(r"^\s*(?:19|20)\d{2}\s*年(?:度)?", "", half))
    return Place(place=m.group(1) if m else "", year=int(year.group(1)) if year else None,
                 orgs=tuple(o for o in orgs if o))


def _fix_place_typo(name: str, place: Place) -> str:
    """'华荣县林业局' in a 华容县 draft: one character off the draft's own place is the place."""
    p = place.place
    if not p or name.startswith(p) or len(name) <= len(p):
        return name
    head = name[:len(p)]
    if head[-1] == p[-1] and sum(a != b for a, b in zip(head, p)) == 1:
        return p + name[len(p):]
    return name


_SUFFIX_TYPOS = {"中新": "中心", "中芯": "中心", "中兴": "中心", "管理中新": "管理中心", "卫建委": "卫健委", "卫键委": "卫健委",
                 "管里": "管理", "农材": "农村", "教有": "教育", "民正": "民政", "林叶": "林业", "卫建": "卫健"}


_SHORT_NAMES = (("卫健局", "卫生健康局"), ("卫健委", "卫生健康委员会"), ("住建局", "住房和城乡建设局"), ("发改委", "发展和改革委员会"),
                ("发改局", "发展和改革局"), ("人社局", "人力资源和社会保障局"), ("文旅局", "文化旅游"), ("文旅广电局", "文化旅游广电局"),
                ("文旅体局", "文化旅游体育局"), ("农业局", "农业农村局"), ("交通局", "交通运输局"), ("自然资源局", "自然资源和规划局"))


_ALWAYS_WRITTEN_OUT = {"卫健局", "卫健委", "住建局", "发改局", "发改委", "人社局"}


def complete_org(name: str, place: Place) -> str:
    """A unit as it should be recorded: '县林业局' → '华容县林业局', '林业局' → the named unit ending so, '卫健局' → the
    named 卫生健康局."""
    name = _ORG_PREFIX.sub("", name.strip())
    name = _fix_place_typo(name, place)
    for org in place.orgs:
        if org.endswith(name) and len(org) > len(name):
            return org
    for short, full in _SHORT_NAMES:
        if name.endswith(short):
            for org in place.orgs:
                if full in org and (org.startswith(name[:-len(short)]) or name[:-len(short)] in ("", "县", "市", "区")):
                    return org
            if short in _ALWAYS_WRITTEN_OUT:  # no such unit named yet: an abbreviation with one full form, written out
                name = name[:-len(short)] + full
            break
    p = place.place
    if p and name[:1] in ("县", "市", "区", "旗") and not name.startswith(p):
        return p + name[1:]
    if p and not re.match(r"[\u4e00-\u9fa5]{1,6}(?:省|市|县|区|州|旗|镇|乡)", name) and len(name) <= 8:
        return p + name
    return name


def _org_value(raw: str, place: Place) -> str | None:
    """The unit a value names: its full name in brackets or after 全称 first, else the first unit named."""
    raw = re.sub(r"不是[^，,。；;\s]*", " ", raw.strip())
    for typo, right in _SUFFIX_TYPOS.items():  # '疾病预防控制中新', '学生资助管里中心': a word typed wrong
        raw = raw.replace(typo, right)
    raw = re.sub(r"[（(](?:打错字了|打错了|笔误|错字|简称|全称|挂靠|隶属|属于|归|下属|原|现)[^（()）]{0,12}[)）]", "", raw)  # a remark
    if _SELF.match(compact(raw)) and place.orgs:
        return place.orgs[0]
    bracket = re.search(r"([^（(，,。；;\s]*)[（(]([^（()）]{4,30})[)）]", raw)
    full = re.search(r"全称(?:是|叫|为)?[:：]?\s*([^，,。；;\s]{4,40})", raw)
    candidates = []
    if bracket and not re.search(r"(?:" + "|".join(ORG_END) + r")$", bracket.group(2)) and len(bracket.group(2)) > 8:
        bracket = None  # brackets holding a remark, not another name
    if bracket and _complete(_ORG_PREFIX.sub("", bracket.group(1)), place):
        # '石门县图书馆（石门县少年儿童图书馆）': as written, its other name kept in brackets
        return f"{_ORG_PREFIX.sub('', bracket.group(1))}（{bracket.group(2)}）"
    elif bracket:
        candidates.append(bracket.group(2))  # '我们污水处理中心（桃江县城乡污水处理中心）': the full name is in brackets
    elif full:
        candidates.append(full.group(1))
    candidates += [m.group(1) for m in _ORG.finditer(raw)]
    for candidate in candidates:
        m = _ORG.search(_ORG_PREFIX.sub("", candidate))
        if not m:
            continue
        name = complete_org(m.group(1), place)
        if len(name) >= 3:
            return name
    return None


def _complete(name: str, place: Place) -> bool:
    """A unit named in full: it starts with a place (the draft's own, or any 县/市/区 name)."""
    return bool(name) and (bool(place.place) and name.startswith(place.place) or
                           bool(re.match(r"[\u4e00-\u9fa5]{1,6}(?:省|市|县|区|州|旗)", name))) and \
        name.endswith(ORG_END)


def iso_date(text: str, place: Place | None = None) -> str | None:
    """'2025年3月15日', '2025.3.15', '25年3月20号', '二〇二五年三月十二日', '今天' → ISO; a month and day alone
    take the year after the project's (reports are filed the spring after)."""
    half = arabic(to_halfwidth(text))
    if re.search(r"今天|今日|当天", half) and not re.search(r"\d{1,2}\s*[月.\-/]\s*\d{1,2}", half):
        return date.today().isoformat()
    m = re.search(r"((?:19|20)?\d{2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*[日号]?", half)
    if m:
        y = int(m.group(1))
        y = y + 2000 if y < 100 else y
        month, day = int(m.group(2)), int(m.group(3))
    else:
        m = re.search(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*(?:[日号]|(?=\s*$))", half)  # '3月15' said bare
        if not m or place is None or place.year is None:
            return None
        y, month, day = place.year + 1, int(m.group(1)), int(m.group(2))
    try:
        return date(y, month, day).isoformat()
    except ValueError:
        return None


def _month(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    return _CN_NUM.get(text)


_Y = r"((?:19|20)?\d{2})\s*年"
_M = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月(?:份)?(?:\d{1,2}\s*[日号])?"
_PERIOD = re.compile(
    rf"(?:从|自|于)?\s*(?:{_Y})?\s*(?:{_M}|初|年初)\s*(?:开始|开工|启动|起)?(?:的)?\s*(?:[，,]?\s*)?(?:至|到|—|–|-|~|～|－|一直到)\s*"
    rf"(?:{_Y})?\s*(?:{_M}|底|年底|末|年末)\s*(?:结束|完成|完工|止|为止)?")
_SPAN = re.compile(  # '2023年3月开工的 11月底完工', '3月份开始弄的 一直弄到12月底'
    rf"(?:{_Y})?\s*{_M}\s*(?:开工|开始|启动|动工|起)[^，,。\d]{{0,6}}?[，,\s]*(?:一直)?(?:弄|干|搞|做|持续|实施)?(?:到)?\s*"
    rf"(?:(?:{_Y})?\s*{_M}(?:底|末|中旬|下旬)?|(?P<yearend>年底|年末))\s*(?:完工|结束|竣工|完成|为止|止)?")
_DOTTED = re.compile(r"((?:19|20)\d{2})\s*[./]\s*(\d{1,2})\s*(?:至|到|—|–|-|~|～|－)\s*(?:((?:19|20)\d{2})\s*[./]\s*)?(\d{1,2})(?![\d.])")
_ONLY_YEAR = re.compile(r"(?:项目)?(?:(?:19|20)?\d{2}年(?:度)?)?(?:是|就是)?(?:全年|整年|一整年)(?:的|都是|实施)?[吧啊呀。]*|"
                        r"(?:19|20)\d{2}年度")
_WHOLE_YEAR = re.compile(r"(?:((?:19|20)?\d{2})\s*年(?:度)?\s*)?(?:全年|一整年|整年|全年度)")


def period_in(text: str, place: Place, whole_year_ok: bool = True) -> tuple[str, str, str, tuple[int, int]] | None:
    """(period_text, 'YYYY-MM' start, end, span) for '2024年1月到12月', '从2023年3月开始到11月结束', '24年全年'."""
    half = to_halfwidth(text)
    m = _PERIOD.search(half)
    if m:
        y1 = m.group(1)
        y2 = m.group(3)
        start_month = _month(m.group(2)) if m.group(2) else 1
        end_month = _month(m.group(4)) if m.group(4) else 12
        year1 = _year(y1, place)
        year2 = _year(y2, place) if y2 else year1
        if year1 is None or not start_month or not end_month or not (1 <= start_month <= 12 and 1 <= end_month <= 12):
            return None
        return _period_value(year1, start_month, year2, end_month) + (m.span(),)
    m = _SPAN.search(half)
    if m:
        y1 = _year(m.group(1), place)
        y2 = _year(m.group(3), place) if m.group(3) else y1
        m1, m2 = _month(m.group(2)), (12 if m.group("yearend") else _month(m.group(4)))
        if y1 and y2 and m1 and m2 and 1 <= m1 <= 12 and 1 <= m2 <= 12:
            return _period_value(y1, m1, y2, m2) + (m.span(),)
    m = re.search(r"(?<![\d年])(\d{1,2})\s*(?:月)?\s*(?:到|至|-|~)\s*(\d{1,2})\s*月", half)
    if m and place.year and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 12 and int(m.group(1)) <= int(m.group(2)):
        return _period_value(place.year, int(m.group(1)), place.year, int(m.group(2))) + (m.span(),)
    m = _DOTTED.search(half)
    if m:
        y1, y2 = int(m.group(1)), int(m.group(3) or m.group(1))
        m1, m2 = int(m.group(2)), int(m.group(4))
        if 1 <= m1 <= 12 and 1 <= m2 <= 12:
            return _period_value(y1, m1, y2, m2) + (m.span(),)
    m = _WHOLE_YEAR.search(half) or re.fullmatch(r"\s*((?:19|20)\d{2})\s*年度\s*", half)
    if m and (whole_year_ok or any(_ONLY_YEAR.fullmatch(seg) for seg in re.split(r"[，,。；;\s]+", half))):
        year = _year(m.group(1), place)
        if year is None:
            return None
        return _period_value(year, 1, year, 12) + (m.span(),)
    return None


def _year(text: str | None, place: Place) -> int | None:
    if not text:
        return place.year
    y = int(text)
    return y + 2000 if y < 100 else y


def _period_value(y1: int, m1: int, y2: int, m2: int) -> tuple[str, str, str]:
    text = f"{y1}年{m1}月至{m2}月" if y1 == y2 else f"{y1}年{m1}月至{y2}年{m2}月"
    return text, f"{y1}-{m1:02d}", f"{y2}-{m2:02d}"


def leader_in(text: str) -> tuple[str, str, tuple[int, int]] | None:
    """'张卫东副局长', '负责人是分管森防的刘建华副局长', '刘建华（局党组成员、副局长）' → (name, title, span)."""
    half = to_halfwidth(text)
    m = re.search(rf"([\u4e00-\u9fa5]{{2,3}})\s*[（(][^（()）]*?({_TITLE})[)）]", half)
    if m and looks_like_name(m.group(1)):
        return m.group(1), m.group(2), m.span()
    for m in re.finditer(rf"([\u4e00-\u9fa5]{{2,4}}?)\s*({_TITLE})", half):
        name = re.sub(r"^(?:是|为|由|系|叫|的)", "", m.group(1))
        if looks_like_name(name):
            return name, "" if m.group(2) == "同志" else m.group(2), m.span()
        for k in range(1, len(name) - 1):  # '分管森防的刘建华': the name is the tail
            if looks_like_name(name[k:]):
                return name[k:], "" if m.group(2) == "同志" else m.group(2), (m.start() + k, m.end())
    for m in re.finditer(rf"([\u4e00-\u9fa5]{{2,3}})\s*[，,]?\s*(?:分管|主管|常务|分管的)[\u4e00-\u9fa5]{{0,4}}?\s*({_TITLE})", half):
        if looks_like_name(m.group(1)):
            return m.group(1), m.group(2), m.span()
    for m in re.finditer(rf"(?:({_TITLE})\s*)([\u4e00-\u9fa5]{{2,3}}?)(?=负责|同志|是|[，,。\s]|$)", half):
        if looks_like_name(m.group(2)):
            return m.group(2), m.group(1), m.span()
    return None


def name_in(text: str) -> str | None:
    """A person's name said bare or after 是/写/叫 — never the one after 不是."""
    half = to_halfwidth(text)
    for token in re.split(r"[\s，,。；;、]+", half):
        if looks_like_name(token) and not re.search(r"局|长$", token):
            return token
    named = [m.group(1) for m in re.finditer(r"(?:(?<!不)是|写|叫|为|^)\s*([\u4e00-\u9fa5]{2,3}?)(?=吧|啊|呀|$|[，,。；;\s]|同志|电话|手机|不是|而不是)", half)
             if looks_like_name(m.group(1))]
    return named[-1] if named else None  # '刘建华是原来的局长，现在负责的是刘剑华': the last one said


def looks_like_name(value: str) -> bool:
    # '任组长' is a post taken ('局长任组长'), not Mr 任
    return 2 <= len(value) <= 4 and value[0] in _SURNAMES and not value.endswith(ORG_END) and \
        not re.search(r"[的了是在和与及我们县市局]", value[1:]) and not re.search(r"组长|组员|成员|牵头|负责|主抓|分管", value)


def phone_in(text: str) -> tuple[str, tuple[int, int]] | None:
    half = to_halfwidth(text)
    mobile = re.search(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)", half)
    if mobile:
        return "".join(mobile.groups()), mobile.span()
    for m in _PHONE.finditer(half):
        value = re.sub(r"[\s—－]", "-", m.group(1))
        if len(re.sub(r"\D", "", value)) in (7, 8) and not re.search(r"电话|手机|座机|号码|联系", half[max(0, m.start() - 8):m.start()]):
            continue  # a bare 7-8 digit number is a phone only when named as one
        return value, m.span()
    return None


def phones_in(text: str) -> str | None:
    """Every phone number a value gives, joined: '0730-6223817、13907301234'."""
    found, rest = [], text
    while True:
        one = phone_in(rest if not found else "电话" + rest)
        if one is None:
            break
        found.append(one[0])
        rest = rest[one[1][1]:]
    return "、".join(found) if found else None


def grade_total_in(text: str, asked: bool = False) -> tuple[str | None, str | None]:
    """'应该算良吧，88.5分' → ('良', '88.5'); `asked`: the grade was the question, so a grade word needs no cue."""
    half = arabic(to_halfwidth(text))
    total = None
    # '前面我说的88.5分 领导看了说打87分 改一下': said again to correct it, the last one is meant
    corrected = re.search(r"改|不对|其实|领导说|最后定|保守|还是报|说错", half)
    # '90分以上就算优是吧' names the line between grades, not a score
    scores = list(re.finditer(r"(?<![\d.])(\d{2,3}(?:\.\d{1,2})?)\s*分(?!\s*(?:以上|以下|及以上|及以下|[(（]含))", half))
    m = (scores[-1] if corrected else scores[0]) if scores else \
        re.fullmatch(r"\D{0,8}?(\d{2,3}(?:\.\d{1,2})?)\D{0,6}", half)
    if m and 0 <= float(m.group(1)) <= 100:
        total = m.group(1)
    key = re.sub(r"\d+(?:\.\d+)?\s*分", "", compact(half))
    key = re.sub(r"不是(?:优秀|良好|中等|优|良|中|差)", "", key)  # '不是优，是良': the one it is
    key = re.sub(r"差不多|差距|偏差|相差|差异|其中|中央|中心|集中|中旬|中学|期中|中间|中期|不良|优化|优先|优惠|优质|良种|合格率", "", key)
    bare = re.sub(r"(?:应该|大概|可能|估计|我们|就|算|是|报|定|评|给|打|个|的|吧|啊|呀|了|自评|等次|等级|为|成|，|,|。|[\d.])", "", key)
    cue = re.search(r"等次|等级|评为|定为|定的|报|算|自评|打个|给个", key)
    if not cue and len(bare) > 3 and not asked:
        return None, total
    found = []
    for word, grade in _GRADES:
        if word in key:
            found.append(grade)
            key = key.replace(word, "")
    grade = found[0] if len(set(found)) == 1 else None
    if grade is None and corrected and len(set(found)) > 1:  # '等次前面说的优 领导说保守点 报良': the last one said
        said = list(re.finditer(r"(优秀|良好|中等|优|良|中|差)", re.sub(r"差不多|差距|偏差|相差|差异|其中|中央|中心|集中|中旬|中学|期中|"
                                                                   r"中间|中期|不良|优化|优先|优惠|优质|良种", "", compact(half))))
        grade = dict(_GRADES)[said[-1].group(1)] if said else None
    if grade is None and asked and found:  # '优良中差里面 我们算良吧': the one said after the list of them
        named = re.search(r"(?:算|是|报|定|评|打)(优秀|良好|优|良|中等|中|差)", compact(half))
        grade = dict(_GRADES)[named.group(1)] if named else None
    first = re.match(r"^(?:应该|大概|就|算|报|定|评)?(?:是)?[…\.]*(优秀|良好|优|良|中等|中|差)(?:吧|啊|的|，|,|\s|$|[？?])", compact(half))
    if grade is None and first:
        grade = dict(_GRADES)[first.group(1)]  # '良吧 档案数字化没弄完 不好意思报优'
    return grade, total


def field_words() -> list[tuple[str, str]]:
    """(word, field) pairs, longest first: '项目负责人' is read before '负责人'."""
    spec = interview_spec()
    return sorted(((w, f.field) for f in spec.project for w in f.says), key=lambda p: -len(p[0]))


_COPULA = re.compile(r"^\s*(?:的话|呢)?\s*(?:也|还|都|就|应该|应|其实|实际上|实际)?\s*"
                     r"(?:是|为|叫|系|写|填|改成|改为|应为|换成|换为|变成|调整为|：|:)?\s*")


def facts_in(text: str, place: Place, wanted: set[str], asked_field: str | None = None,
             known: frozenset[str] = frozenset()) -> Facts:
    """Every project fact the text states, for the fields the form has (`wanted`). A field already recorded
    (`known`) is read from words without its label only when they say plainly that it is that field."""
    half = to_halfwidth(text)
    out = Facts()
    words = field_words()
    starts: list[tuple[int, int, str]] = []
    read = bytearray(len(half))
    for word, name in words:
        for m in re.finditer(re.escape(word), half):
            if read[m.start()]:
                continue
            if name == "unit" and re.search(r"(?:中标|施工|监理|设计|承建|运维|代建|供货|服务|检测|审计|招标|采购|参建|协作|配合|"
                                            r"第三方|评估|咨询)$", half[:m.start()]):
                continue  # '中标单位是湖南路桥…': a contractor, not the project's unit
            starts.append((m.start(), m.end(), name))
            read[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    starts.sort()
    for k, (a, b, name) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(half)
        segment = half[b:end]
        raw = segment if name in ("unit", "department", "period_text", "name") else \
            re.split(r"[，,。；;\n！!？?]", segment.lstrip("，,：: "), maxsplit=1)[0]
        if name not in ("unit", "department", "period_text", "name") and re.search(r"错|不对|有误|改一下|更正", raw):
            # '负责人名字打错了，是孙志刚不是孙志强': the value comes in the clause after the admission
            raw = "，".join(re.split(r"[，,。；;\n！!？?]", segment.lstrip("，,：: "), maxsplit=2)[:2])
        if name == "phone" and name in out.fields:  # '0730-6223817 手机13907301234': both numbers
            more = _value_of(name, raw, place, out)
            if more and more not in out.fields["phone"]:
                out.fields["phone"] += "、" + more
            continue
        if name not in wanted or name in out.fields:
            continue
        value = _value_of(name, raw, place, out)
        if value:
            out.fields[name] = value
            out.spans.append((a, b + len(raw)))
    if asked_field == "phone" and "phone" in out.fields:  # '0730-6223817 手机13907301234': the bare one first
        head = re.split(r"[，,。；;\n！!？?]", half[:starts[0][0]] if starts else half, maxsplit=1)[0]
        bare = phones_in("电话" + head) if head.strip() else None
        if bare and bare not in out.fields["phone"]:
            out.fields["phone"] = f"{bare}、{out.fields['phone']}"
    if asked_field in wanted and asked_field not in ("name",) and asked_field not in out.fields:
        # the value said bare, before any field word: '华容县林业局 主管部门也是我们局'
        head_end = starts[0][0] if starts else len(half)
        head = re.split(r"[，,。；;\n！!？?]", half[:head_end], maxsplit=1)[0]
        if asked_field in ("unit", "department") and re.search(r"全称|全名|[（(]", half[:head_end]):
            head = half[:head_end]  # '具体实施是县学生资助管理中心，全称安乡县学生资助管理中心': the full name after
        value = _value_of(asked_field, head, place, out) if head.strip() else None
        if value:
            out.fields[asked_field] = value
            out.spans.append((0, len(head)))
    _unlabelled(half, place, wanted, out, asked_field, known)
    return out


def _value_of(name: str, raw: str, place: Place, out: Facts) -> str | None:
    if name in ("leader", "phone"):  # '负责人不是刘建华了 换成王海军': the one said after the one it is not
        raw = re.sub(r"^\s*(?:也)?不是[^，,。；;\s]{1,12}?(?:了)?[，,\s]+(?=\S)", "", raw)
    value = _COPULA.sub("", raw).strip()
    value = re.sub(r"(?:吧|啊|呀|哈|哦|嘛|呢|了)+$", "", value).strip()
    if not value:
        return None
    if name in ("unit", "department"):
        named = tuple(v for v in (out.fields.get("unit"), out.fields.get("department")) if v)
        return _org_value(value, Place(place.place, place.year, named + place.orgs))
    if name == "leader":
        found = leader_in(value) or (leader_in(value + "同志") if looks_like_name(value[:3].strip()) else None)
        if found:
            out.extra["leader_title"] = found[1]
            return found[0]
        return value if looks_like_name(value) else name_in(value)
    if name == "phone":
        return phones_in("电话" + value)
    if name == "period_text":
        value = re.sub(r"不是[^，,。；;]*", "", value)
        found = period_in(value, place)
        if found:
            out.extra["period_start"], out.extra["period_end"] = found[1], found[2]
            return found[0]
        return None
    if name == "report_date":
        return iso_date(value, place)
    if name == "postcode":
        m = re.search(r"(?<!\d)(\d{6})(?!\d)", value)
        return m.group(1) if m else None
    if name == "address":
        value = tidy_address(re.split(r"[，,。；;]|邮编|邮政编码", value)[0])
        return value if 4 <= len(value) <= 60 else None
    if name == "name":
        titled = re.search(r"((?:19|20)\d{2}\s*年(?:度)?[^，,。；;\s“”\"」「]{4,50})", raw)
        if not titled and not re.match(r"\s*(?:的话|呢)?\s*(?:也|还|都|就|应该|应|其实|实际上|实际)?\s*"
                                       r"(?:是|为|叫|系|写|填|改成|改为|应为|：|:|全称)", raw):
            return None  # '…入选省级非遗代表性项目名录了': the word 项目名 inside another word, not the name said
        value = titled.group(1) if titled else value
        if titled:  # '应该是汨罗市2024年度…项目', '录的是安乡县2024年…': the place that opens the name stays in it
            tail = re.split(r"是|为|叫|成|：|:|\s", raw[:titled.start()])[-1]
            value = (tail if re.fullmatch(r"[\u4e00-\u9fa5]{1,6}?(?:省|市|县|区|州|旗)", tail) else "") + value
        return value if 4 <= len(value) <= 60 else None
    if name == "eval_type":
        return "项目实施过程评价" if "过程" in value else "项目完成结果评价" if "结果" in value else None
    return value if len(value) <= 60 else None


_WE_ARE = re.compile(r"(?:我们单位|我单位|本单位|我们|咱们)(?:是|就是|属于)\s*([\u4e00-\u9fa5（）()]{2,30})")
_LEADING_ORG = re.compile(r"^\s*([\u4e00-\u9fa5（）()]{2,30}?(?:" + "|".join(ORG_END) + r"))\s*(?=[，,。；;\s])")
_DEPT_SAME = re.compile(r"主管(?:部门|单位)?(?:也|还|都|就)?是(?:我们|本|咱们)?(?:自己|本)?(?:局|单位|部门)?(?:自己)?(?=[，,。；;\s]|$)|"
                        r"主管(?:部门|单位)?(?:也)?(?:一样|相同|同上|同一个)")


def _unlabelled(half: str, place: Place, wanted: set[str], out: Facts, asked_field: str | None,
                known: frozenset[str] = frozenset()) -> None:
    """Facts said without the field's own word: a phone number, a period, a leader with a title, '我们是…局'."""
    if "phone" in wanted and "phone" not in out.fields:
        found = phone_in(half)
        if found:
            out.fields["phone"] = found[0]
            out.spans.append(found[1])
    if "period_text" in wanted and "period_text" not in out.fields:
        said = re.search(r"项目(?:时间|期|周期)|起止|实施期|时间|周期|期限|期间|(?<!目标)是全年|全年的", half)
        found = period_in(half, place, whole_year_ok=bool(asked_field == "period_text" or said))
        explicit = found and "全年" not in half[found[3][0]:found[3][1]] and re.search(r"\d{2,4}\s*年", half[found[3][0]:found[3][1]])
        whole = any(_ONLY_YEAR.fullmatch(seg) and re.search(r"\d", seg) for seg in re.split(r"[，,。；;\s]+", half))
        if found and "period_text" in known and asked_field != "period_text" and not said:
            found = None  # '3月份开始的 按计划 12月底都弄完了' about the work, once the period is recorded
        if found and (asked_field == "period_text" or said or _short(half) or explicit or whole or
                      re.search(r"[从自]\s*(?:\d{2,4}\s*年)?\s*\S{1,3}月.{0,6}(?:开始|开工|起)", half)):
            out.fields["period_text"] = found[0]
            out.extra["period_start"], out.extra["period_end"] = found[1], found[2]
            out.spans.append(found[3])
    if "report_date" in wanted and "report_date" not in out.fields and (asked_field == "report_date" or
                                                                        re.search(r"报告日期|填报日期|日期", half)):
        value = iso_date(half, place)
        if value:
            out.fields["report_date"] = value
            m = re.search(r"(?:(?:19|20)?\d{2}\s*[年.\-/]\s*)?\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*[日号]?|今天|今日", half)
            if m:
                out.spans.append(m.span())
    if "leader" in wanted and "leader" not in out.fields:
        found = leader_in(half)
        if found and (asked_field == "leader" or found[1]):
            out.fields["leader"] = found[0]
            if found[1]:
                out.extra["leader_title"] = found[1]
            out.spans.append(found[2])
    if "unit" in wanted and "unit" not in out.fields:
        leading = asked_field in ("unit", "department") or (asked_field is None and len(half) <= 30)
        m = _WE_ARE.search(half) or (None if any(a == 0 for a, _ in out.spans) or not leading else _LEADING_ORG.match(half))
        if m and m.re is _LEADING_ORG and re.search(r"了|还|请|把|被|给|让|说|用|做|搞|是|的|在", m.group(1)):
            m = None  # '市里还请了第三方检测公司 …': a sentence that ends on 公司, not a unit's name
        value = _org_value(m.group(1), place) if m else None
        if value:
            out.fields["unit"] = value
            out.spans.append(m.span())
    if "eval_type" in wanted and "eval_type" not in out.fields:
        m = re.search(r"(?:完成)?结果评价|(?:实施)?过程评价", half)
        if m:
            out.fields["eval_type"] = "项目实施过程评价" if "过程" in m.group(0) else "项目完成结果评价"
            out.spans.append(m.span())
    both = re.search(r"(?:主管(?:部门)?和(?:实施|项目)?(?:单位)?|(?:实施|项目)?(?:单位)?和主管(?:部门)?)(?:都|也都|均)是\s*([^，,。；;\s]{3,30})",
                     half)
    if both and {"unit", "department"} <= wanted:
        org = _org_value(both.group(1), place)
        if org:
            out.fields.setdefault("unit", org)
            out.fields.setdefault("department", org)
            out.spans.append(both.span())
    if "department" in wanted and "department" not in out.fields and _DEPT_SAME.search(half):
        unit = out.fields.get("unit") or (place.orgs[0] if place.orgs else None)
        if unit:
            out.fields["department"] = unit
            out.spans.append(_DEPT_SAME.search(half).span())


def _short(text: str) -> bool:
    return len(compact(text)) <= 24


def tidy_address(value: str) -> str:
    """An address as the cover prints it: '地址就是寿春镇迎宾大道那个农业农村局大楼 迎宾大道66号' → '寿春镇迎宾大道66号',
    '平江县城关镇天岳大道 林业局院子里 天岳大道12号' → '平江县城关镇天岳大道12号' (the street and number said last,
    after the county and town said first)."""
    value = re.sub(r"^(?:地址|地点|项目地址)?(?:就|应该)?(?:是|在)[：:，,\s]*", "", value.strip())
    streets = list(re.finditer(r"[\u4e00-\u9fa5]{1,8}?(?:路|大道|大街|街|巷)\s*\d+\s*号(?:院|楼)?", value))
    if not streets:
        return re.sub(r"那个|就是|\s+", "", value)
    street = re.sub(r"\s+", "", streets[-1].group(0))
    place = re.match(r"^([\u4e00-\u9fa5]{1,8}?(?:县|市|区))?([\u4e00-\u9fa5]{1,6}?(?:镇|乡|街道))?", value)
    prefix = "".join(part for part in (place.groups() if place else ()) if part and part not in street)
    return prefix + street
