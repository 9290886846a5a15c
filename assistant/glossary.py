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


def expand_query(query: str) -> str:
    """Glossary translations of the terms the query contains, in the other language (may be "").

    >>> expand_query("Replace the bearing")
    '更换 替换 轴承'
    """
    en_re, pairs, zh_keys, zh_to_en = _tables()
    extra: list[str] = []
    if _CJK.search(query):
        for zh in zh_keys:
            if zh in query:
                extra.extend(sorted(zh_to_en[zh]))
    for m in en_re.finditer(query.lower()):
        extra.extend(pairs[m.group(1)])
    return " ".join(dict.fromkeys(extra))
