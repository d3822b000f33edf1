"""What a reader would notice in a screenshot, checked with Pillow: a page that is blank, wider
than the screen, or in the wrong palette. Screenshots are named `<kind>-<width>-<light|dark>.png`."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

# A pixel is "ink" (text, rules, pictures) if its grey level is this far from the page's dominant
# one; a page with less ink than INK_SHARE is blank to a reader. The seed pages measured 2-46 %.
INK_DISTANCE = 64
INK_SHARE = 0.01
# The dominant grey of a light page is white or near it (or dimmed by the search overlay, ~117);
# Material's slate palette is about 33.
LIGHT_AT_LEAST, DARK_AT_MOST = 100, 64


def screenshot_problems(path: Path) -> list[str]:
    match = re.fullmatch(r".*-(\d+)-(light|dark)\.png", path.name)
    assert match, f"{path.name}: not named <kind>-<width>-<light|dark>.png"
    width, scheme = int(match[1]), match[2]
    with Image.open(path) as image:
        grey = image.convert("L")
        size = grey.size
        histogram = grey.histogram()
    problems = []
    if size[0] != width:
        problems.append(f"{path.name}: {size[0]} px wide on a {width} px screen: the reader scrolls sideways")
    dominant = histogram.index(max(histogram))
    ink = sum(count for level, count in enumerate(histogram) if abs(level - dominant) > INK_DISTANCE) / sum(histogram)
    if ink < INK_SHARE:
        problems.append(f"{path.name}: {ink:.1%} of the page differs from its background: it looks blank")
    if scheme == "light" and dominant < LIGHT_AT_LEAST:
        problems.append(f"{path.name}: the light palette's background is dark (grey {dominant})")
    if scheme == "dark" and dominant > DARK_AT_MOST:
        problems.append(f"{path.name}: the dark palette's background is light (grey {dominant})")
    return problems
