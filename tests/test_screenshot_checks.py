"""The screenshot checks of the browser tests can fail: on a blank page, a page wider than the
screen, a palette that did not switch."""

from __future__ import annotations

from PIL import Image, ImageDraw

from screenshot_checks import screenshot_problems


def shot(tmp_path, name: str, width: int, background: int, ink: int | None) -> object:
    image = Image.new("L", (width, 600), background)
    if ink is not None:
        draw = ImageDraw.Draw(image)
        for y in range(20, 580, 24):  # lines of "text"
            draw.rectangle((16, y, width - 16, y + 8), fill=ink)
    path = tmp_path / name
    image.convert("RGB").save(path)
    return path


def test_a_page_with_text_in_its_palette_passes(tmp_path):
    assert screenshot_problems(shot(tmp_path, "story-390-light.png", 390, 255, 20)) == []
    assert screenshot_problems(shot(tmp_path, "story-390-dark.png", 390, 33, 230)) == []


def test_what_a_reader_would_notice_is_reported(tmp_path):
    assert screenshot_problems(shot(tmp_path, "blank-390-light.png", 390, 255, None)) == [
        "blank-390-light.png: 0.0% of the page differs from its background: it looks blank"]
    assert screenshot_problems(shot(tmp_path, "wide-390-light.png", 520, 255, 20)) == [
        "wide-390-light.png: 520 px wide on a 390 px screen: the reader scrolls sideways"]
    assert screenshot_problems(shot(tmp_path, "home-1280-dark.png", 1280, 250, 20)) == [
        "home-1280-dark.png: the dark palette's background is light (grey 250)"]
    assert screenshot_problems(shot(tmp_path, "home-1280-light.png", 1280, 33, 230)) == [
        "home-1280-light.png: the light palette's background is dark (grey 33)"]
