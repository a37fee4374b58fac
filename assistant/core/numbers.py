"""Chinese amounts and quantities, exactly, with Decimal.

Handles 万元/元/亿, %, ‰, full-width digits, 千分位, 约/余/近, bounds (不超过, ≥ …),
Chinese numerals for small counts and qualitative values (完成, 达到 …).
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

Bound = Literal["=", "<=", ">=", "<", ">"]
Qualitative = Literal["met", "partial", "unmet"]

WAN = Decimal(10000)
YI = Decimal(100000000)


class NumberFormatError(ValueError):
    """A cell that must hold a number holds something else."""


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (NFKC), keeping Chinese text."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Key form of a label: half-width, no whitespace."""
    text = to_halfwidth(text)
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------------------------------
# Plain numbers

_NUM_RE = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM_RE = re.compile(r"[零〇一二两三四五六七八九十百千]+")


def parse_decimal(text: str) -> Decimal:
    """A plain number such as '1,234.50' or '３２０' → Decimal. Raises NumberFormatError."""
    s = to_halfwidth(text).strip().replace(" ", "")
    if not re.fullmatch(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+", s):
        raise NumberFormatError(f"'{text}' 不是数字")
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - regex above guards this
        raise NumberFormatError(f"'{text}' 不是数字") from exc


def cn_numeral(text: str) -> int | None:
    """Small Chinese numerals (一 … 九千九百九十九) → int; None if not one."""
    if not text or not _CN_NUM_RE.fullmatch(text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


def fmt_decimal(value: Decimal) -> str:
    """Decimal → plain string without exponent or trailing zeros ('289.80' → '289.8')."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def quantize(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_rate(rate: Decimal | None, places: int = 4) -> str | None:
    """A fraction as a decimal string with fixed places: 0.905625 → '0.9056'."""
    if rate is None:
        return None
    return str(quantize(rate, places))


def fmt_percent(rate: Decimal | None, places: int = 2) -> str:
    """A fraction as a Chinese-report percentage: 0.905625 → '90.56%'."""
    if rate is None:
        return "—"
    return fmt_decimal(quantize(rate * 100, places)) + "%"


# ---------------------------------------------------------------------------------------------
# Money

_MONEY_UNITS: dict[str, Decimal] = {
    # factor to convert into 万元
    "亿元": YI / WAN, "亿": YI / WAN, "万元": Decimal(1), "万": Decimal(1),
    "千元": Decimal("0.1"), "元": Decimal(1) / WAN,
}
# OCR and typesetting put spaces inside numbers: '585. 6万元', '1 236 000元' (thousands by space)
_MONEY_RE = re.compile(
    r"(?<![\d.])(?P<num>(?:\d{1,3}(?:,\s?\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\s?\d+)?)\s*(?P<unit>亿元|亿|万元|万|千元|元)"
)
_BLANK_CELL = {"", "-", "—", "——", "/", "\\", "无", "空"}


def unit_factor(unit: str) -> Decimal:
    """Factor that turns an amount in `unit` into 万元."""
    u = compact(unit).strip("()（）")
    if u not in _MONEY_UNITS:
        raise NumberFormatError(f"未知金额单位'{unit}'")
    return _MONEY_UNITS[u]


def parse_money_cell(text: str, default_unit: str = "万元") -> Decimal | None:
    """A cell that must hold an amount → Decimal 万元, or None when blank.

    Accepts '144.9', '144.9万元', '8,680,000元', '1.35亿', '３２０'. Anything else raises
    NumberFormatError, because money is never guessed.
    """
    s = to_halfwidth(text).strip()
    s = re.sub(r"\s+", "", s)
    if s in _BLANK_CELL or s.strip("-—") == "":
        return None
    s = s.removeprefix("¥").removeprefix("￥")
    m = re.fullmatch(r"(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)"
                     r"(?P<unit>亿元|亿|万元|万|千元|元)?", s)
    if not m:
        raise NumberFormatError(f"'{' '.join(text.split())}' 不是有效金额")
    value = parse_decimal(m.group("num"))
    return value * unit_factor(m.group("unit") or default_unit)


@dataclass(frozen=True)
class MoneyMention:
    """An amount written in running text."""

    value: Decimal  # 万元
    raw: str
    start: int
    end: int


def find_money(text: str) -> list[MoneyMention]:
    """Every amount with a money unit in a sentence ('359.95万元', '8680000元', '152万')."""
    half = to_halfwidth(text)
    out: list[MoneyMention] = []
    for m in _MONEY_RE.finditer(half):
        # '2020年' is not money; '万' after a count word ('80余万人') is not money either
        after = half[m.end():m.end() + 1]
        if m.group("unit") in ("万", "亿") and after and after in "人条户次件个名家项台套元亩吨株头只辆座场份张册平公千米棵批栋篇例所间处":
            continue
        before = half[max(0, m.start() - 1):m.start()]
        if before and (before.isdigit() or before == "."):
            continue
        value = parse_decimal(re.sub(r"\s", "", m.group("num"))) * _MONEY_UNITS[m.group("unit")]
        out.append(MoneyMention(value, m.group(0), m.start(), m.end()))
    return out


# ---------------------------------------------------------------------------------------------
# Quantities (indicator targets and actuals)

_LE_WORDS = ("不超过", "不高于", "不多于", "不大于", "控制在", "少于", "低于", "小于", "≤", "<=", "≦",
             "以内", "以下", "之内", "内")
_GE_WORDS = ("不低于", "不少于", "不小于", "达到", "大于等于", "高于", "多于", "大于", "超过", "≥", ">=",
             "≧", "以上", "提高", "提升", "增长", "增加", "节约", "节省", "降低", "减少", "达")
_STRICT = {"少于": "<", "低于": "<", "小于": "<", "高于": ">", "多于": ">", "大于": ">", "超过": ">"}
_AFTER_WORDS = {"以内", "以下", "之内", "内", "以上"}
# Longest first, so '不低于' wins over '低于'.
_BOUND_WORDS: list[tuple[str, Bound]] = sorted(
    [(w, _STRICT.get(w, "<=")) for w in _LE_WORDS] + [(w, _STRICT.get(w, ">=")) for w in _GE_WORDS],
    key=lambda wb: len(wb[0]), reverse=True)  # type: ignore[misc]
_APPROX_WORDS = ("约", "大约", "近", "余", "多", "左右", "上下")

_MET = ("已完成", "全部完成", "按期完成", "按时完成", "完成", "已达到", "达到", "达标", "已实现", "实现",
        "有效", "合格", "良好", "满意", "显著", "明显", "提升", "提高", "改善", "正常", "稳定", "是",
        "优", "好", "100%完成", "已验收", "覆盖", "到位")
_PARTIAL = ("基本完成", "基本达到", "基本实现", "部分完成", "部分达到", "部分实现", "较好", "一般", "基本")
_UNMET = ("未完成", "未达到", "未达标", "未实现", "尚未", "没有", "无效", "不合格", "否", "未", "滞后", "差")

_UNIT_ALIASES = {"T": "TB", "G": "GB", "平方米": "㎡", "平米": "㎡", "m2": "㎡", "公里": "km",
                 "千米": "km", "个月": "月", "月份": "月", "日": "天", "周年": "年", "万元": "元",
                 "亿元": "元", "千元": "元", "个工作日": "工作日"}
# Conversions within one dimension, to a base unit.
_UNIT_BASE = {"年": ("月", Decimal(12)), "季度": ("月", Decimal(3)), "月": ("月", Decimal(1)),
              "周": ("天", Decimal(7)), "天": ("天", Decimal(1)),
              "TB": ("GB", Decimal(1024)), "GB": ("GB", Decimal(1)), "PB": ("GB", Decimal(1024 ** 2)),
              "%": ("%", Decimal(1)), "‰": ("%", Decimal("0.1")), "元": ("元", Decimal(1))}
_TIME_UNITS = {"年", "季度", "月", "周", "天", "小时", "分钟", "工作日"}

_ARABIC_RE = re.compile(r"(?<![A-Za-z\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_CN_QTY_RE = re.compile(r"(?<![零〇一二两三四五六七八九十百千])[零〇一二两三四五六七八九十百千]+(?=个?[年月天日周次项个人户家套台件条季])")
_MEASURE_WORDS = set("个人次项台套家件条户名所座处期场批份张本篇辆架栋间亩吨米元端类")
_KNOWN_UNITS = sorted(set(_UNIT_ALIASES) | set(_UNIT_BASE) | _TIME_UNITS | {"%", "‰", "万元", "亿元"},
                      key=len, reverse=True)


@dataclass(frozen=True)
class Quantity:
    """A target or actual value: a number with unit and bound, or a qualitative verdict."""

    raw: str
    value: Decimal | None = None  # multipliers applied; percentages as percent numbers (98 for 98%)
    unit: str = ""  # base unit after conversion: '%', '月', 'GB', '元', '' …
    bound: Bound = "="
    approx: bool = False
    qualitative: Qualitative | None = None

    @property
    def numeric(self) -> bool:
        return self.value is not None

    def comparable(self, other: "Quantity") -> bool:
        if not (self.numeric and other.numeric):
            return False
        return self.unit == other.unit or "" in (self.unit, other.unit)


def _unit_token(rest: str) -> str:
    """The unit word at the start of `rest`: '%', '个月', 'TB', '人' …; '' when none."""
    for known in _KNOWN_UNITS:
        if rest.startswith(known):
            return known
    m = re.match(r"[A-Za-z]+", rest)
    if m:
        return m.group(0)
    if rest and rest[0] in _MEASURE_WORDS:
        return rest[0]
    return ""


def _normalise_unit(token: str) -> tuple[str, Decimal]:
    unit = _UNIT_ALIASES.get(token, token)
    if unit in _UNIT_BASE:
        return _UNIT_BASE[unit]
    return unit, Decimal(1)


def qualitative_of(text: str) -> Qualitative | None:
    """完成/达到 … → 'met'; 基本完成 … → 'partial'; 未完成 … → 'unmet'; else None."""
    t = compact(text)
    if not t:
        return None
    for words, verdict in ((_UNMET, "unmet"), (_PARTIAL, "partial"), (_MET, "met")):
        for w in words:
            if w in t:
                # '未' alone only counts at the start ('未验收'), not inside names ('未来')
                if w == "未" and not t.startswith("未"):
                    continue
                if w in ("是", "优", "好", "差", "否") and t != w:
                    continue
                return verdict  # type: ignore[return-value]
    return None


# A calendar date or month as a deadline: '2022年12月底前', '2023年3月', '2022年度', '12月31日前'.
_CAL_RE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})\s*年(?:度)?)?\s*(?:(?P<m>\d{1,2})\s*月(?!份?\s*[内以])"
                     r"(?:\s*(?P<d>\d{1,2})\s*[日号])?)?\s*(?P<edge>底|末|中旬|上旬|下旬)?")
DATE_UNIT = "日期"


@dataclass(frozen=True)
class CalendarSpan:
    """The days a written date or month covers: '2023年3月' → 2023-03-01 … 2023-03-31."""

    first: date
    last: date


def calendar_span(text: str, default_year: int | None = None) -> CalendarSpan | None:
    """A written date, month or year as the span of days it covers; None when the text is no date.

    A bare month needs a day or 底/末 ('12月底前') to count as a date: '12月' alone is a duration.
    """
    s = to_halfwidth(text).replace(" ", "")
    for m in _CAL_RE.finditer(s):
        y, mo, d, edge = m.group("y"), m.group("m"), m.group("d"), m.group("edge")
        if not (y or mo):
            continue
        if not y and not (d or edge):
            continue  # '3个月'/'12月' without a year: a duration, not a date
        if not y and default_year is None:
            continue
        year = int(y) if y else int(default_year)  # type: ignore[arg-type]
        try:
            if not mo:
                return CalendarSpan(date(year, 1, 1), date(year, 12, 31))
            month = int(mo)
            end_day = calendar.monthrange(year, month)[1]
            if d:
                day = date(year, month, int(d))
                return CalendarSpan(day, day)
            if edge in ("底", "末", "下旬"):
                return CalendarSpan(date(year, month, 21 if edge == "下旬" else end_day), date(year, month, end_day))
            if edge == "上旬":
                return CalendarSpan(date(year, month, 1), date(year, month, 10))
            if edge == "中旬":
                return CalendarSpan(date(year, month, 11), date(year, month, 20))
            return CalendarSpan(date(year, month, 1), date(year, month, end_day))
        except (ValueError, calendar.IllegalMonthError):
            return None
    if default_year is not None and re.search(r"年底|年末|年内|当年|本年度?", s):
        return CalendarSpan(date(default_year, 1, 1), date(default_year, 12, 31))  # '年底前完成'
    return None


def _calendar_quantity(raw: str, s: str) -> Quantity | None:
    """'2022年12月底前' as a deadline quantity (value = ordinal of its last day), or None."""
    m = re.search(r"(?:19|20)\d{2}\s*年", s)
    if m and re.search(r"\d", s[:m.start()]):
        return None  # '新增就业200人（2022年）': the quantity comes first, the year only dates it
    if m and re.match(r"(?:19|20)\d{2}\s*年(?:以上|以内|左右)", s[m.start():]):
        return None  # '2000年以上' is a duration
    if m is None:
        # a month with a day or 底/末 and no year ('12月底前'): a date whose year comes from the other side
        m = re.search(r"(?<![\d.])\d{1,2}\s*月\s*(?:底|末|\d{1,2}\s*[日号])", s)
        if m is None:
            return None
        bound: Bound = ">=" if re.search(r"后|起", s[m.end():]) else "<="
        return Quantity(raw, unit=DATE_UNIT, bound=bound)
    span = calendar_span(s)
    if span is None:
        return None
    whole = _CAL_RE.match(s, m.start())
    rest = s[whole.end() if whole else m.end():]
    if re.search(r"\d", rest):
        # '2022年新增就业200人': the year only dates the quantity that follows it
        inner = parse_quantity(rest)
        return Quantity(raw, inner.value, inner.unit, inner.bound, inner.approx, inner.qualitative)
    bound = ">=" if re.search(r"后|起", rest) else "<="
    return Quantity(raw, value=Decimal(span.last.toordinal()), unit=DATE_UNIT, bound=bound)


def parse_quantity(text: str) -> Quantity:
    """'不超过300万' → 3000000 '<='; '98%' → 98 '%'; '1年' → 12 '月'; '已完成' → 'met'."""
    raw = text.strip()
    s = to_halfwidth(raw).replace(" ", "").replace("═", "=")
    if not s or s in _BLANK_CELL:
        return Quantity(raw)
    as_date = _calendar_quantity(raw, s)
    if as_date is not None:
        return as_date
    m = _ARABIC_RE.search(s)
    if m:
        value = parse_decimal(m.group(0))
    else:
        m = _CN_QTY_RE.search(s)
        cn = cn_numeral(m.group(0)) if m else None
        if m is None or cn is None:
            return Quantity(raw, qualitative=qualitative_of(s))
        value = Decimal(cn)
    before, pos = s[:m.start()], m.end()
    approx = any(before.endswith(w) for w in ("约", "近", "大约", "接近")) and not before.endswith(
        ("节约", "制约", "最近"))
    bound: Bound = "="
    if pos < len(s) and s[pos] in "余多":
        approx, bound, pos = True, ">=", pos + 1
    mult = s[pos:pos + 1]
    next_ch = s[pos + 1:pos + 2]
    if mult == "亿" or (mult == "万" and next_ch != "分"):
        value *= YI if mult == "亿" else WAN
        pos += 1
    elif mult == "千" and next_ch not in ("米", "克", "瓦", "元", "字"):
        value *= 1000
        pos += 1
    token = _unit_token(s[pos:])
    unit, factor = _normalise_unit(token)
    value *= factor
    after = s[pos + len(token):]
    if after.startswith(("左右", "上下")):
        approx = True
    for w, b in _BOUND_WORDS:
        if w in _AFTER_WORDS:
            hit = after.startswith(w) or after.startswith("(含)" + w)
        else:
            hit = w in before[-6:]
        if hit:
            bound = b
            break
    return Quantity(raw, value=value, unit=unit, bound=bound, approx=approx)


_CN_D = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_U = {"十": 10, "百": 100, "千": 1000}


def _cn_below_wan(text: str, shorthand: int) -> int | None:
    """'四百六十八' → 468; a trailing digit after a unit is that unit's tenth ('七千六' → 7600; `shorthand` is
    the unit a bare trailing digit counts in when no unit precedes it)."""
    total, digit, last_unit = 0, None, shorthand * 10
    for ch in text:
        if ch in "零〇":
            continue  # a placeholder: '一百万零五百'
        if ch in _CN_D:
            if digit is not None:
                return None
            digit = _CN_D[ch]
        elif ch in _CN_U:
            total += (1 if digit is None else digit) * _CN_U[ch]
            digit, last_unit = None, _CN_U[ch]
        else:
            return None
    if digit is not None:
        total += digit * (last_unit // 10)
    return total


def cn_count(text: str) -> int | None:
    """A count in Chinese numerals, 万 included: '一万二千' → 12000, '三百八十六' → 386, '十二' → 12."""
    high, sep, low = text.partition("万")
    if not sep:
        return _cn_below_wan(high, 1) if high else None
    wan = _cn_below_wan(high, 1) if high else 1
    rest = _cn_below_wan(low, 1000) if low else 0
    if wan is None or rest is None:
        return None
    return wan * 10000 + rest


def cn_amounts_in_wan(text: str) -> str:
    """Amounts said in Chinese numerals, written as digits in 万 ('一千二百万' → '1200万', '四百六十八万五' → '468.5万',
    '四百九十八万七千六' → '498.76万'). Runs without 万, 千 or 百 are left alone (they are words, not amounts)."""
    def one(m: re.Match) -> str:
        high, _, low = m.group(0).partition("万")
        wan = _cn_below_wan(high, 1) if high else 0
        rest = _cn_below_wan(low, 1000) if low else 0
        if wan is None or rest is None:
            return m.group(0)
        value = Decimal(wan) + Decimal(rest) / 10000
        return f"{fmt_decimal(value.normalize())}万"
    return re.sub(r"[零〇一二两三四五六七八九十百千]+万[零〇一二两三四五六七八九十百千]*", one, text)
