"""Chinese text for a speech synthesiser: numbers, units, dates and equipment codes written the way
a Chinese technician says them, so that no voice has to guess how to read "25 N·m" or "GB-12".

>>> speakable("拧紧力矩为 25 N·m。")
'拧紧力矩为二十五牛米。'
>>> speakable("最高工作压力 210 bar，报警压差 3.5 bar")
'最高工作压力二百一十巴，报警压差三点五巴'
>>> speakable("按 GB-12 更换 HF-220-10 滤芯")
'按 G B 杠一二更换 H F 杠二二零杠一零滤芯'
>>> speakable("扭力扳手（5～60 N·m），第 3 步，压力 1.6 MPa，温度 40 °C 以下")
'扭力扳手（五到六十牛米），第三步，压力一点六兆帕，温度四十摄氏度以下'

Codes (letters with digits: HP-3, E-211, Q1, OR-0984-N) are read character by character, letters
by their English names and a hyphen as 杠; a plain number is read as a number (210 -> 二百一十);
a unit is read only after a number ("bar" alone stays a word). Latin letters are left as
single capitals separated by spaces: each engine knows how to say a letter (see tts.py).
"""
from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
# unit as written -> as said; longest first so that "mm/s" wins over "mm" and "MPa" over "m"
UNITS = [
    ("N·m", "牛米"), ("N.m", "牛米"), ("N⋅m", "牛米"), ("Nm", "牛米"), ("MPa", "兆帕"), ("kPa", "千帕"), ("Pa", "帕"),
    ("bar", "巴"), ("mm/s", "毫米每秒"), ("m/s", "米每秒"), ("l/min", "升每分钟"), ("L/min", "升每分钟"),
    ("r/min", "转每分钟"), ("rpm", "转每分钟"), ("°C", "摄氏度"), ("℃", "摄氏度"), ("°F", "华氏度"), ("µm", "微米"),
    ("μm", "微米"), ("mm²", "平方毫米"), ("mm", "毫米"), ("cm", "厘米"), ("km", "千米"), ("m", "米"), ("ml", "毫升"),
    ("mL", "毫升"), ("L", "升"), ("l", "升"), ("kg", "千克"), ("g", "克"), ("kW", "千瓦"), ("MW", "兆瓦"), ("W", "瓦"),
    ("kV", "千伏"), ("V", "伏"), ("mA", "毫安"), ("kA", "千安"), ("A", "安"), ("Hz", "赫兹"), ("kHz", "千赫"),
    ("h", "小时"), ("min", "分钟"), ("s", "秒"), ("dB", "分贝"), ("%", ""),  # % is said before the number
]
_UNIT_RX = "|".join(re.escape(u) for u, _ in sorted(UNITS, key=lambda x: -len(x[0])))
_UNIT_SAY = dict(UNITS)
_DIGITS = r"\d+(?:\.\d+)?"
# a code: letters and digits joined, or letters-hyphen-digits, with at least one letter and one digit
CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9-]*[A-Za-z])(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![A-Za-z0-9])")
LETTERS = re.compile(r"(?<![A-Za-z])[A-Z]{1,6}(?![A-Za-z])")


def number(text: str) -> str:
    """'25' -> '二十五', '3.5' -> '三点五', '2024' -> '二千零二十四', '0.05' -> '零点零五'."""
    whole, _, frac = text.partition(".")
    out = integer(int(whole)) if whole else "零"
    return out + ("点" + "".join(DIGITS[int(d)] for d in frac) if frac else "")


def integer(n: int) -> str:
    """A non-negative integer in Chinese reading (up to 万亿)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    for size, name in ((10 ** 8, "亿"), (10 ** 4, "万")):
        if n >= size:
            head, rest = divmod(n, size)
            tail = "" if rest == 0 else ("零" if rest < size // 10 else "") + _below(rest, size)
            return integer(head) + name + tail
    return _below(n, 10 ** 4)


def _below(n: int, size: int) -> str:
    """n < size (10**4 or 10**8), read with its zeros ('1005' -> 一千零五)."""
    if size > 10 ** 4:
        return integer(n)
    out, zero = "", False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit_value)
        if d:
            if zero and out:
                out += "零"
            out += DIGITS[d] + unit
            zero = False
        else:
            zero = bool(out)
        if n == 0:
            break
    return out


def digits(text: str) -> str:
    """Digits one by one: '0984' -> '零九八四'."""
    return "".join(DIGITS[int(c)] for c in text)


def spell(code: str) -> str:
    """A code character by character: 'HF-220-10' -> 'H F 杠 二 二 零 杠 一 零'."""
    said = []
    for ch in code:
        if ch == "-":
            said.append("杠")
        elif ch.isdigit():
            said.append(DIGITS[int(ch)])
        else:
            said.append(ch.upper())
    return " ".join(said)


def _date(m: re.Match) -> str:
    y, mo, d = m.group(1), int(m.group(2)), int(m.group(3))
    return f"{digits(y)}年{integer(mo)}月{integer(d)}日"


def speakable(text: str) -> str:
    """`text` with its numbers, units, dates and codes written as they are said (see the module doc)."""
    t = re.sub(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", _date, text)
    t = CODE.sub(lambda m: f" {spell(m.group(0))} ", t)
    # ranges and products between numbers: 5～60, 5-60 (not a code: handled above), 98 × 4
    t = re.sub(rf"({_DIGITS})\s*(?:～|~|〜|–|—|-)\s*(?={_DIGITS})", r"\1到", t)
    t = re.sub(rf"({_DIGITS})\s*[×x*]\s*(?={_DIGITS})", r"\1乘", t)
    t = re.sub(rf"±\s*(?={_DIGITS})", "正负", t)
    t = re.sub(rf"({_DIGITS})\s*%", lambda m: "百分之" + number(m.group(1)), t)
    t = re.sub(rf"({_DIGITS})\s*({_UNIT_RX})(?![A-Za-z])", lambda m: number(m.group(1)) + _UNIT_SAY[m.group(2)], t)
    t = re.sub(_DIGITS, lambda m: number(m.group(0)), t)
    t = LETTERS.sub(lambda m: " ".join(m.group(0)) if len(m.group(0)) > 1 else m.group(0), t)
    # spaces only where Latin letters meet: Chinese needs none
    t = re.sub(r"(?<=[\u3400-\u9fff，。？！、；：（）])\s+|\s+(?=[\u3400-\u9fff，。？！、；：（）])", "", t)
    t = re.sub(r"(?<=[A-Za-z])(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=[A-Za-z])", " ", t)
    return " ".join(t.split())
