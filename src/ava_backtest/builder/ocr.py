"""Screenshots of rules or Pine code -> text, with Debian's tesseract through pytesseract.

``read_image(bytes)`` pre-processes the picture with pillow (grayscale; light text on a dark
editor theme inverted; upscaled so that small screen fonts reach the ~30 px glyph height
tesseract reads best; an Otsu threshold to black on white) and reads it as one block of text.
Lines keep their indentation (Pine's ``if`` bodies depend on it): each line's left edge is
measured in character widths of the line's own glyphs.

The recognised text is then normalised in principled ways only: typographic quotes and dashes
to ASCII, ``×`` to ``x``, ligatures split; and a word that is a number written with a letter
O/o, l/I inside (``2O``, ``l4``: a word with a digit in it is a number in both the English
grammar and Pine) is read as the number; words of letters only are never changed. ``kind`` says what the text looks like: ``pine`` (``//@version`` or
``strategy(``), ``english`` (words of trading rules) or ``none`` (nothing readable: a chart).
The text is shown for correction before it is parsed.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ava_backtest.domain.errors import ConfigError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
TARGET_GLYPH_PX = 32
Kind = Literal["pine", "english", "none"]

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00d7": "x",
        "\u00a0": " ",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\u2264": "<=",
        "\u2265": ">=",
    }
)
# A word made of digits with O/o (zero), l/I (one) inside, e.g. "2O", "5O0", "l4": in code only a
# number can stand there. Words of letters only ("Ol") are left alone.
_NUMBERISH = re.compile(r"(?<![\w.])(?=[0-9OolI]*[0-9])[0-9OolI]+(?:\.[0-9OolI]+)?(?![\w])")
_DIGIT_FOR = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})
_RULE_WORDS = re.compile(
    r"\b(buy|sell|long|short|cover|exit|enter|when|crosses|above|below|stop|ema|sma|rsi|macd|"
    r"close|price|bollinger|atr|target|profit)\b",
    re.I,
)


@dataclass(slots=True)
class OcrLine:
    text: str
    confidence: float


@dataclass(slots=True)
class OcrResult:
    text: str
    confidence: float
    lines: list[OcrLine] = field(default_factory=list)
    kind: Kind = "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": self.confidence,
            "lines": [asdict(x) for x in self.lines],
            "kind": self.kind,
        }


def _open(data: bytes) -> Image.Image:
    if not data:
        raise ConfigError("the image is empty", field="image")
    if len(data) > MAX_IMAGE_BYTES:
        raise ConfigError(f"the image is larger than {MAX_IMAGE_BYTES} bytes", field="image")
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            raise ConfigError(
                f"the image has {img.width} x {img.height} pixels; at most {MAX_PIXELS}",
                field="image",
            )
        img.load()
    except (UnidentifiedImageError, OSError) as e:
        raise ConfigError(f"not a readable image: {e}", field="image") from None
    return img


def _otsu(gray: np.ndarray) -> int:
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    w1 = total - w0
    m0 = np.cumsum(hist * levels)
    mean_all = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 - total * m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    return int(np.argmax(between))


def _glyph_height(binary: np.ndarray) -> float:
    """The typical height of a text line's ink, from the rows that hold ink."""
    rows = (binary < 128).any(axis=1)
    runs, n = [], 0
    for r in rows:  # one pass over the image's rows (hundreds), not its pixels
        if r:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    if n:
        runs.append(n)
    runs = [r for r in runs if r >= 3]
    return float(statistics.median(runs)) if runs else 0.0


def preprocess(img: Image.Image) -> Image.Image:
    """Grayscale, dark themes inverted, upscaled to ~TARGET_GLYPH_PX line height, Otsu threshold."""
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, "white")
        img = Image.alpha_composite(bg, img)
    gray = ImageOps.grayscale(img)
    arr = np.asarray(gray)
    if arr.mean() < 128:  # light text on a dark editor theme
        gray = ImageOps.invert(gray)
        arr = np.asarray(gray)
    t = _otsu(arr)
    height = _glyph_height(np.where(arr > t, 255, 0).astype(np.uint8))
    scale = TARGET_GLYPH_PX / height if height else 2.0
    scale = min(max(scale, 1.0), 4.0)
    if scale > 1.05:
        gray = gray.resize(
            (round(gray.width * scale), round(gray.height * scale)), Image.Resampling.LANCZOS
        )
    arr = np.asarray(gray)
    t = _otsu(arr)
    out = Image.fromarray(np.where(arr > t, 255, 0).astype(np.uint8))
    return ImageOps.expand(out, border=20, fill=255)


def normalise(text: str) -> str:
    """Typography to ASCII; number-shaped words with O/o/l/I inside read as numbers."""
    text = text.translate(_TYPOGRAPHY)
    return _NUMBERISH.sub(lambda m: m.group(0).translate(_DIGIT_FOR), text)


_ENGLISH_BRACKETS = str.maketrans({"{": "(", "}": ")", "[": "(", "]": ")"})


def classify(text: str) -> Kind:
    if "//@version" in text.replace(" ", "") or re.search(r"\bstrategy\s*\(", text):
        return "pine"
    if len(_RULE_WORDS.findall(text)) >= 2:
        return "english"
    return "none"


def _lines(data: dict[str, list[Any]]) -> list[tuple[str, float, int, float]]:
    """(text, confidence, left edge px, char width px) per line, in reading order."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if not str(word).strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        groups.setdefault(key, []).append(i)
    out = []
    for idx in sorted(groups.values(), key=lambda ix: (data["top"][ix[0]], data["left"][ix[0]])):
        idx.sort(key=lambda i: data["left"][i])
        words = [str(data["text"][i]) for i in idx]
        confs = [float(data["conf"][i]) for i in idx if float(data["conf"][i]) >= 0]
        widths = [data["width"][i] / len(str(data["text"][i])) for i in idx]
        char_w = statistics.median(widths)
        text = " ".join(words)  # neither grammar gives a meaning to runs of spaces inside a line
        out.append((text, statistics.mean(confs) if confs else 0.0, data["left"][idx[0]], char_w))
    return out


def read_image(data: bytes) -> OcrResult:
    """OCR of a screenshot: the text (indentation kept), its mean word confidence (0-100), the
    lines with theirs, and what kind of text it looks like."""
    import pytesseract

    img = preprocess(_open(data))
    try:
        found = pytesseract.image_to_data(
            img,
            lang="eng",
            config="--oem 1 --psm 6 -c preserve_interword_spaces=1",
            output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractNotFoundError:
        raise ConfigError(
            "tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-eng)",
            field="image",
        ) from None
    raw = _lines(found)
    if not raw:
        return OcrResult(text="", confidence=0.0, lines=[], kind="none")
    left0 = min(r[2] for r in raw)
    char_w = statistics.median(r[3] for r in raw) or 1.0
    joined = "\n".join(r[0] for r in raw)
    code = classify(normalise(joined)) == "pine"
    lines = []
    for text, conf, left, _ in raw:
        indent = round((left - left0) / char_w)
        if code:  # Pine indents in steps of 4 (or a tab): snap to the nearest step
            indent = 4 * round(indent / 4)
        lines.append(OcrLine(" " * indent + normalise(text), round(conf, 1)))
    text = "\n".join(x.text for x in lines)
    if not code and classify(text) == "english":
        # the English grammar has only round brackets: a brace or square bracket is one misread
        text = text.translate(_ENGLISH_BRACKETS)
        lines = [OcrLine(x.text.translate(_ENGLISH_BRACKETS), x.confidence) for x in lines]
    words = [float(c) for c in found["conf"] if float(c) >= 0]
    confidence = round(statistics.mean(words), 1) if words else 0.0
    return OcrResult(text=text, confidence=confidence, lines=lines, kind=classify(text))
