"""A bilingual (English/Chinese) maintenance glossary for cross-lingual lexical matching: an English
question about a Chinese manual gains the Chinese terms, and the reverse. Numbers, units, codes
and part numbers need no translation and match as they are."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# English stem or phrase -> Chinese terms. Kept to maintenance vocabulary; extend as needed.
PAIRS: dict[str, tuple[str, ...]] = {
    "torque": ("力矩", "扭矩"), "tighten": ("拧紧", "紧固"), "loosen": ("松开", "旋松"), "filter": ("滤芯", "过滤器", "滤壳"),
    "filter element": ("滤芯",), "filter housing": ("滤壳",), "housing": ("壳体", "滤壳"), "cover": ("盖",),
    "replace": ("更换",), "replacement": ("更换",), "remove": ("拆下", "拆卸", "取出"), "install": ("安装", "装上"),
    "inspect": ("检查",), "inspection": ("检查", "巡检"), "check": ("检查",), "clean": ("清洁", "清洗"),
    "pressure": ("压力",), "relieve": ("泄压", "释放"), "release": ("释放", "泄压"), "oil": ("油", "液压油"),
    "hydraulic": ("液压",), "pump": ("泵",), "motor": ("电机", "马达"), "bearing": ("轴承",), "seal": ("密封",),
    "gasket": ("垫片", "密封垫"), "o-ring": ("O形圈", "密封圈"), "bolt": ("螺栓",), "screw": ("螺钉",), "nut": ("螺母",),
    "valve": ("阀",), "accumulator": ("蓄能器",), "nitrogen": ("氮气",), "coupling": ("联轴器",), "gearbox": ("齿轮箱", "减速机"),
    "temperature": ("温度",), "vibration": ("振动",), "speed": ("转速", "速度"), "frequency": ("频率",), "spectrum": ("频谱",),
    "envelope": ("包络",), "fault": ("故障",), "failure": ("故障", "失效"), "alarm": ("报警",), "error": ("故障", "错误"),
    "warning": ("警告",), "caution": ("注意", "小心"), "danger": ("危险",), "lockout": ("上锁", "挂牌上锁"), "lock out": ("上锁", "挂牌上锁"),
    "tag out": ("挂牌",), "power": ("电源",), "switch off": ("断开", "关闭"), "electrical": ("电气",), "voltage": ("电压",),
    "breaker": ("断路器",), "gas": ("气体",), "leak": ("泄漏",), "wear": ("磨损",), "crack": ("裂纹",), "lubricate": ("润滑",),
    "lubrication": ("润滑",), "grease": ("润滑脂",), "level": ("液位", "油位"), "reservoir": ("油箱",), "tank": ("油箱", "罐"),
    "drain": ("排放", "放油"), "fill": ("加注", "注油"), "capacity": ("容量",), "interval": ("周期", "间隔"), "hours": ("小时",),
    "tool": ("工具",), "tools": ("工具",), "parts": ("备件", "零件"), "spare": ("备件",), "wrench": ("扳手",), "gloves": ("手套",),
    "procedure": ("规程", "步骤"), "step": ("步骤",), "maintenance": ("维护", "保养", "检修"), "monitoring": ("监测",),
    "diagnosis": ("诊断",), "roller": ("辊", "辊道"), "steel": ("钢",), "mill": ("轧机",), "conveyor": ("输送机",), "belt": ("皮带",),
    "shaft": ("轴",), "outer race": ("外圈",), "inner race": ("内圈",), "counterclockwise": ("逆时针",), "clockwise": ("顺时针",),
    "anticlockwise": ("逆时针",), "unscrew": ("旋下", "拧下"), "sensor": ("传感器",), "threshold": ("阈值",), "result": ("结果",),
    "method": ("方法",), "experiment": ("试验", "实验"), "model": ("模型",), "cooling": ("冷却",), "water": ("水",),
    "safety": ("安全",), "stop": ("停机", "停止"), "start": ("启动",), "shutdown": ("停机",), "overheat": ("过热",), "noise": ("噪声",),
}
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _tables() -> tuple[re.Pattern, dict[str, tuple[str, ...]], list[str], dict[str, set[str]]]:
    """(English term regex, English -> Chinese, Chinese terms longest first, Chinese -> English), from
    the built-in pairs plus the shipped data file assistant/data/glossary_en_zh.tsv."""
    pairs: dict[str, tuple[str, ...]] = dict(PAIRS)
    tsv = Path(__file__).parent / "data" / "glossary_en_zh.tsv"
    if tsv.exists():
        for line in tsv.read_text(encoding="utf-8").splitlines():
            en, _, zh = line.partition("\t")
            if en and zh and not en.startswith("#"):
                pairs[en.strip().lower()] = tuple(dict.fromkeys(pairs.get(en.strip().lower(), ()) + tuple(z.strip() for z in zh.split("|") if z.strip())))
    # one alternation, longest terms first, with light English inflection
    alt = "|".join(re.escape(e) for e in sorted(pairs, key=len, reverse=True))
    en_re = re.compile(rf"\b({alt})(?:s|es|ed|d|ing)?\b")
    zh_to_en: dict[str, set[str]] = {}
    for en, zhs in pairs.items():
        for zh in zhs:
            zh_to_en.setdefault(zh, set()).add(en)
    return en_re, pairs, sorted(zh_to_en, key=len, reverse=True), zh_to_en


def glossary() -> dict[str, tuple[str, ...]]:
    """English term (lower case) -> its Chinese terms: the built-in pairs and the shipped data file."""
    return _tables()[1]


def terms_in(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each glossary term the text holds, with its translations: the Chinese terms it contains (every
    one, longest first), then its English terms (whole words with light inflection, longest first,
    not overlapping).

    >>> terms_in("更换轴承 or replace the bearing")[-1]
    ('bearing', ('轴承',))
    """
    en_re, pairs, zh_keys, zh_to_en = _tables()
    out: list[tuple[str, tuple[str, ...]]] = []
    if _CJK.search(text):
        out.extend((zh, tuple(sorted(zh_to_en[zh]))) for zh in zh_keys if zh in text)
    out.extend((m.group(1), pairs[m.group(1)]) for m in en_re.finditer(text.lower()))
    return out


def expand_query(query: str) -> str:
    """Glossary translations of the terms the query contains, in the other language (may be "").

    >>> expand_query("Replace the bearing")
    '更换 替换 轴承'
    """
    return " ".join(dict.fromkeys(t for _, translations in terms_in(query) for t in translations))


_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,/+\-·°%]*")


def segments(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The text cut at its Chinese glossary terms, each piece with its English terms, () for the text
    between them. Maximum matching both ways, keeping the cut with fewer pieces (then fewer pieces of
    one character, then the backward one): "回油滤芯" is 回 油 滤芯, not 回 油滤 芯.

    >>> segments("更换回油滤芯时")
    [('更换', ('change', 'replace', 'replacement')), ('回', ()), ('油', ('oil',)), ('滤芯', ('filter', 'filter element')), ('时', ())]
    """
    _, _, zh_keys, zh_to_en = _tables()
    longest = len(zh_keys[0]) if zh_keys else 0

    def cut(backward: bool) -> list[tuple[int, int, bool]]:
        """(start, end, is a term) spans, the longest term at each step from one end, else one character."""
        spans, i = [], len(text) if backward else 0
        while (i > 0) if backward else (i < len(text)):
            room = i if backward else len(text) - i
            n = 0
            if _CJK.match(text[i - 1] if backward else text[i]):
                n = next((k for k in range(min(longest, room), 0, -1) if (text[i - k:i] if backward else text[i:i + k]) in zh_to_en), 0)
            lo, hi = (i - max(n, 1), i) if backward else (i, i + max(n, 1))
            spans.append((lo, hi, n > 0))
            i = lo if backward else hi
        return spans[::-1] if backward else spans

    backward, forward = cut(True), cut(False)
    spans = min((backward, forward), key=lambda sp: (len(sp), sum(hi - lo == 1 for lo, hi, _ in sp), sp is forward))
    out: list[tuple[str, tuple[str, ...]]] = []
    for lo, hi, is_term in spans:
        piece = text[lo:hi]
        if is_term:
            out.append((piece, tuple(sorted(zh_to_en[piece]))))
        elif out and not out[-1][1]:
            out[-1] = (out[-1][0] + piece, ())
        else:
            out.append((piece, ()))
    return out


def english_rendering(query: str) -> str:
    """A Chinese question as English words for an English model: its glossary terms in the question's
    order (segments), each as its English terms, with the Latin runs it holds (codes, numbers, English
    words) kept; Chinese left untranslated is dropped. "" for a question without Chinese.

    >>> english_rendering("6.2L 发动机的轴向间隙是多少？")
    '6.2L engine axial clearance end play'
    """
    if not _CJK.search(query):
        return ""
    out: list[str] = []
    for piece, translations in segments(query):
        out.extend(translations or (m.group(0).rstrip(".,") for m in _LATIN.finditer(piece)))
    return " ".join(dict.fromkeys(w for w in out if w))
