#!/usr/bin/env python3
"""Draw site_plugins/digest/assets/logo.png, the publisher's logo in NewsArticle and link previews:
the theme's icon (Material Design Icons `newspaper-variant-outline`, Apache 2.0) in white on the
masthead's navy. Run once; the PNG is committed, so builds never draw it."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "site_plugins" / "digest" / "assets" / "logo.png"
SIZE, SCALE = 512, 4  # drawn four times larger, then reduced: smooth edges without an SVG renderer
NAVY, WHITE = (0x15, 0x29, 0x4A), (255, 255, 255)
# The icon's path on its 24-unit grid: a frame with rounded corners and five bars inside.
FRAME, HOLE = (2, 3, 22, 21), (4, 5, 20, 19)
BARS = ((6, 15, 18, 17), (6, 7, 10, 13), (12, 7, 18, 9), (12, 11, 18, 13))


def draw() -> Image.Image:
    big = SIZE * SCALE
    image = Image.new("RGB", (big, big), NAVY)
    pen = ImageDraw.Draw(image)
    unit = big * 0.62 / 24  # the icon fills 62 % of the square
    offset = (big - 24 * unit) / 2

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (offset + x0 * unit, offset + y0 * unit, offset + x1 * unit, offset + y1 * unit)

    pen.rounded_rectangle(box(*FRAME), radius=2 * unit, fill=WHITE)
    pen.rectangle(box(*HOLE), fill=NAVY)
    for bar in BARS:
        pen.rectangle(box(*bar), fill=WHITE)
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main() -> int:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    draw().save(OUTPUT, "PNG", optimize=True)
    print(OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
