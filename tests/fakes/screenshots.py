"""Screenshots rendered by the tests themselves (pillow, with the fonts copied into
tests/builder/fonts): text as an editor or a document shows it, and a chart without any text."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).resolve().parent.parent / "builder" / "fonts"


def render(text: str, font: str, size: int = 18, dark: bool = False) -> bytes:
    """A PNG of ``text``, one line per line, dark-on-light (or light-on-dark: an editor theme)."""
    f = ImageFont.truetype(str(FONTS / font), size)
    lines = text.splitlines()
    width = int(max(f.getlength(line) for line in lines)) + 40
    step = int(size * 1.5)
    img = Image.new("RGB", (width, step * len(lines) + 30), (30, 30, 30) if dark else "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((20, 15 + i * step), line, font=f, fill=(220, 220, 220) if dark else (20, 20, 20))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def chart() -> bytes:
    """A price line and an axis: a picture with no readable rules."""
    img = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(img)
    points = [(x, 120 + int(60 * ((x * 7919) % 97 - 48) / 48)) for x in range(0, 480, 12)]
    draw.line(points, fill=(0, 90, 200), width=2)
    draw.line([(0, 200), (479, 200)], fill="gray")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
