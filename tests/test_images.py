"""Lead images: the `image` field checked at its lines (and the file by its content), resized into
WebP and JPEG files that are the same bytes on every build, and shown in the story page, its link
previews, its NewsArticle and its feeds. Fixture images are drawn by Pillow in the test."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from conftest import FIXTURES, ROOT, build_site
from digest import images, schema
from digest.head import LOGO
from digest.loader import StoryCache, load_content
from test_schema import schema_accepts, validator_accepts
from test_story_metadata import head

SITE_URL = "https://digest.example.org/"
STORY = "stories/2024/11/market-reopens/"
# Plain text that passes validation and would break out of an attribute if printed raw.
HOSTILE_ALT = 'Stalls at dawn" onerror="alert(1)'
HOSTILE_CREDIT = "AP & Reuters <3 'Kabul'"


def picture(path: Path, size: tuple[int, int], kind: str = "JPEG", colour=(180, 60, 40), **options) -> Path:
    """A small image file drawn by Pillow: a flat colour with a darker band, so that resizing and
    orientation show in the pixels."""
    mode = "RGBA" if kind == "PNG" and options.pop("alpha", False) else "RGB"
    image = Image.new(mode, size, colour if mode == "RGB" else (*colour, 128))
    image.paste((20, 20, 20), (0, 0, size[0], max(1, size[1] // 10)))  # the top tenth dark
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, kind, **options)
    return path


def story_text(image_lines: str, title: str = "Market reopens") -> str:
    return (f'---\ntitle: "{title}"\ndate: 2024-11-20\nsummary: "The market reopens."\ntags: [refugees]\n'
            f'sources:\n  - name: "TASS"\n{image_lines}---\nBody text.\n')


VALID = 'image:\n  src: images/market.jpg\n  alt: "Stalls at dawn"\n  credit: "Jane Doe/Agency"\n'


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "site", folder)
    picture(folder / "images" / "market.jpg", (1600, 900))
    return folder


def write_story(content: Path, text: str, slug: str = "market-reopens") -> str:
    path = content / "stories" / "2024" / "11" / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    return f"content/stories/2024/11/{slug}.md"


def errors(content: Path, cache: StoryCache | None = None) -> list[str]:
    return [str(p) for p in load_content(content, shown_root="content", cache=cache, warnings=False).errors]


def lead(content: Path):
    (story,) = [s for s in load_content(content, shown_root="content", warnings=False).stories if s.image]
    return story


# --- the field -------------------------------------------------------------------------------

def test_every_problem_of_the_image_field_is_reported_at_its_line(content):
    shown = write_story(content, story_text(
        "image:\n"                                  # line 8
        "  src: ../../../images/market.jpg\n"        # 9
        "  alt: \"A <b>bold</b> picture\"\n"         # 10
        f"  credit: \"{'x' * 201}\"\n"               # 11
        "  captoin: \"Typo\"\n"))                    # 12
    assert errors(content) == [
        f"{shown}:9: `src` must be a path under images/, not '../../../images/market.jpg' "
        "(hint: write the path from the content folder, e.g. src: images/market.jpg)",
        f"{shown}:10: `alt` contains HTML (hint: front matter is plain text: remove tags and entities)",
        f"{shown}:11: `credit` is 201 characters long (at most 200) (hint: shorten it)",
        f"{shown}:12: unknown key `captoin` (hint: did you mean `caption`?)",
    ]


def test_alt_and_credit_are_required_and_alt_is_at_most_250_characters(content):
    shown = write_story(content, story_text(f'image:\n  src: images/market.jpg\n  alt: "{"a" * 251}"\n'))
    assert errors(content) == [
        f"{shown}:9: missing required key `credit` (hint: add `credit:` (Who made the image, e.g. "
        "photographer/agency: plain text.))",
        f"{shown}:10: `alt` is 251 characters long (at most 250) (hint: shorten it)",
    ]


def test_an_image_that_is_not_a_mapping_says_how_to_write_one(content):
    shown = write_story(content, story_text("image: images/market.jpg\n"))
    (problem,) = errors(content)
    assert problem.startswith(f"{shown}:8: `image` must be a mapping with src, alt and credit")


def test_a_missing_file_suggests_the_closest_image(content):
    shown = write_story(content, story_text(VALID.replace("market.jpg", "markt.jpg")))
    assert errors(content) == [
        f"{shown}:9: lead image images/markt.jpg does not exist (hint: did you mean images/market.jpg?)"]


@pytest.mark.parametrize("value", ["images/market.jpg", "images/2024/a b.JPEG", "images/x.avif", "images/../x.jpg",
                                   "images/.hidden.png", "content/images/x.jpg", "/images/x.jpg", "images/x.gif",
                                   "images/x\\y.jpg", "images/x.jpg/"])
def test_the_editor_schema_and_the_validator_agree_on_src(value):
    field = next(f for f in schema.IMAGE_FIELDS if f.name == "src")
    rule = schema.json_schema()["properties"]["image"]["properties"]["src"]
    assert schema_accepts(rule, value) == validator_accepts("image_src", value, field)


def test_the_committed_schema_describes_the_image():
    committed = json.loads((ROOT / "schema" / "story.schema.json").read_text(encoding="utf-8"))
    image = committed["properties"]["image"]
    assert image["required"] == ["src", "alt", "credit"] and image["additionalProperties"] is False
    assert image["properties"]["alt"]["maxLength"] == 250


# --- the file, by its content ----------------------------------------------------------------

def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares `width` x `height` pixels, with one tiny compressed row: the
    shape of a decompression bomb, without the memory."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4))
            + chunk(b"IEND", b""))


def _problem_for(content: Path, name: str) -> str:
    shown = write_story(content, story_text(VALID.replace("market.jpg", name)))
    found = errors(content)
    assert len(found) == 1, found
    assert found[0].startswith(f"{shown}:9: lead image images/{name} "), found
    return found[0]


def test_a_narrow_image_is_refused(content):
    picture(content / "images" / "narrow.jpg", (599, 400))
    assert "is 599 pixels wide, narrower than the 600 a lead image needs" in _problem_for(content, "narrow.jpg")


def test_a_strip_is_refused(content):
    picture(content / "images" / "tall.png", (600, 1300), "PNG")
    assert "more than twice as tall as it is wide (hint: crop it" in _problem_for(content, "tall.png")


@pytest.mark.parametrize(("size", "message"), [
    ((13_000, 5_000), "is 13000 × 5000 pixels, over the limit of 12000 on a side and 50 million in all"),
    ((9_000, 9_000), "is 9000 × 9000 pixels, over the limit of 12000 on a side and 50 million in all"),
    ((40_000, 40_000), "declares more pixels than Pillow will decode"),  # Pillow's own limit comes first
])
def test_a_decompression_bomb_is_refused_before_decoding(content, size, message):
    (content / "images" / "bomb.png").write_bytes(_png_claiming(*size))
    assert message in _problem_for(content, "bomb.png")


def test_a_file_of_another_type_than_its_name_says_is_refused(content):
    # WebP inside, .jpg outside: the allow-list's magic-byte check reports the file, the story its line.
    picture(content / "images" / "really-webp.jpg", (800, 600), "WEBP")
    shown = write_story(content, story_text(VALID.replace("market.jpg", "really-webp.jpg")))
    assert errors(content) == [
        "content/images/really-webp.jpg:1: the file is not a JPEG image, whatever its name says "
        "(hint: export it again as JPEG from an image editor)",
        f"{shown}:9: lead image images/really-webp.jpg cannot be used: see the problem reported for "
        "content/images/really-webp.jpg (hint: fix or replace the image file)",
    ]


def test_a_truncated_image_is_refused(content):
    data = (content / "images" / "market.jpg").read_bytes()
    (content / "images" / "cut.jpg").write_bytes(data[: len(data) // 2])
    assert "cannot be read as an image" in _problem_for(content, "cut.jpg")


def test_an_animated_image_is_refused(content):
    frames = [Image.new("RGB", (800, 600), colour) for colour in ("red", "blue")]
    frames[0].save(content / "images" / "moving.webp", "WEBP", save_all=True, append_images=frames[1:])
    assert "is animated (hint: a lead image is a still picture" in _problem_for(content, "moving.webp")


def test_all_problems_are_reported_at_once(content):
    picture(content / "images" / "narrow.jpg", (300, 300))
    first = write_story(content, story_text(VALID.replace("market.jpg", "narrow.jpg")), "first")
    second = write_story(content, story_text(VALID.replace("market.jpg", "gone.jpg"), "Second"), "second")
    found = errors(content)
    assert [p.split(": lead image")[0] for p in found] == [f"{first}:9", f"{second}:9"]


@pytest.mark.skipif(not images.pillow_reads("AVIF"), reason="this Pillow cannot decode AVIF")
def test_avif_png_and_webp_are_accepted(content):
    picture(content / "images" / "a.avif", (800, 600), "AVIF", quality=30)
    picture(content / "images" / "b.png", (800, 600), "PNG", alpha=True)
    picture(content / "images" / "c.webp", (800, 600), "WEBP")
    for slug, name in (("a", "a.avif"), ("b", "b.png"), ("c", "c.webp")):
        write_story(content, story_text(VALID.replace("market.jpg", name), f"Story {slug}"), f"story-{slug}")
    assert errors(content) == []
    found = {s.image.src: s.image for s in load_content(content, warnings=False).stories if s.image}
    assert {r.media_type for r in found["images/b.png"].fallback} == {"image/png"}  # transparency kept
    assert {r.media_type for r in found["images/a.avif"].fallback} == {"image/jpeg"}


def test_make_check_reports_image_problems_with_their_lines(content):
    picture(content / "images" / "narrow.jpg", (500, 400))
    shown = write_story(content, story_text(VALID.replace("market.jpg", "narrow.jpg")))
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check.py"), str(content)], cwd=content.parent,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"{shown}:9: lead image images/narrow.jpg is 500 pixels wide" in result.stderr


def test_an_unchanged_image_is_not_decoded_again(content, monkeypatch):
    write_story(content, story_text(VALID))
    cache = StoryCache()
    assert errors(content, cache) == []
    calls = []
    real = images.inspect
    monkeypatch.setattr(images, "inspect", lambda *a: calls.append(a) or real(*a))
    assert errors(content, cache) == []
    assert calls == []
    picture(content / "images" / "market.jpg", (500, 400))  # replaced by a narrower picture
    assert len(errors(content, cache)) == 1 and len(calls) == 1


# --- the files published ---------------------------------------------------------------------

def test_renditions_are_webp_and_jpeg_at_a_few_widths_never_enlarged(content):
    write_story(content, story_text(VALID))
    image = lead(content).image
    assert (image.width, image.height) == (1600, 900)
    assert [(r.width, r.height) for r in image.webp] == [(480, 270), (800, 450), (1200, 675)]
    assert [r.media_type for r in image.fallback] == ["image/jpeg"] * 3
    assert images.social(image).width == 1200
    picture(content / "images" / "market.jpg", (700, 500))
    image = lead(content).image
    assert [r.width for r in image.webp] == [480, 700]  # its own width, not 800
    assert images.social(image).width == 700


def test_encoded_files_are_stripped_upright_reproducible_and_cached(content, tmp_path):
    # A phone picture stored sideways (EXIF orientation 6: turn 90° clockwise to view), with GPS.
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {2: (34.0, 31.0, 0.0)}  # GPSLatitude
    picture(content / "images" / "market.jpg", (1200, 800), exif=exif.tobytes(), comment=b"taken at home")
    write_story(content, story_text(VALID))
    image = lead(content).image
    assert (image.width, image.height) == (800, 1200)  # as shown, not as stored

    store = images.ImageStore(tmp_path / "cache")
    site = tmp_path / "site"
    written = store.write([image], content, site)
    assert written == {r.path for r in image.variants} and store.encoded == len(image.variants)
    for rendition in image.variants:
        with Image.open(site / rendition.path) as out:
            assert out.size == (rendition.width, rendition.height)
            assert out.format == {"image/webp": "WEBP", "image/jpeg": "JPEG"}[rendition.media_type]
            assert not out.getexif() and "comment" not in out.info and "icc_profile" not in out.info
            # Upright: the dark band, on the stored picture's top edge, is now on the right.
            rgb = out.convert("RGB")
            assert rgb.getpixel((rgb.width - 2, rgb.height // 2))[0] < 60
            assert rgb.getpixel((1, rgb.height // 2))[0] > 120

    again = images.ImageStore(tmp_path / "other-cache")
    again.write([image], content, tmp_path / "other-site")
    for rendition in image.variants:
        assert (site / rendition.path).read_bytes() == (tmp_path / "other-site" / rendition.path).read_bytes()

    store.encoded = 0
    (site / image.variants[0].path).unlink()
    assert store.write([image], content, site) == written
    assert store.encoded == 0  # the missing file came from the cache, not the encoder
    assert (site / image.variants[0].path).is_file()


def test_a_new_picture_under_the_same_name_gets_new_urls_and_a_new_fingerprint(content):
    write_story(content, story_text(VALID))
    before = lead(content)
    picture(content / "images" / "market.jpg", (1600, 900), colour=(10, 90, 200))
    after = lead(content)
    assert {r.path for r in before.image.variants}.isdisjoint(r.path for r in after.image.variants)
    assert before.fingerprint != after.fingerprint


def test_the_logo_is_what_head_says():
    with Image.open(ROOT / "site_plugins" / "digest" / "assets" / "logo.png") as logo:
        assert (logo.format, logo.size) == ("PNG", (LOGO.width, LOGO.height))
        assert LOGO.width >= 112 and LOGO.width == LOGO.height


# --- the story page, built -------------------------------------------------------------------

class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.found if name == tag]


def elements(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    content = tmp_path_factory.mktemp("images") / "content"
    shutil.copytree(FIXTURES / "site", content)
    picture(content / "images" / "market.jpg", (1600, 900))
    write_story(content, story_text(
        f'image:\n  src: images/market.jpg\n  alt: "{HOSTILE_ALT.replace(chr(34), chr(92) + chr(34))}"\n'
        f'  credit: "{HOSTILE_CREDIT}"\n  caption: "Traders return & prices fall."\n'))
    build = build_site(content, tmp_path_factory.mktemp("images-build"))
    assert build.returncode == 0, build.output
    return build


def test_the_story_shows_a_figure_with_srcset_size_caption_and_credit(built):
    page = built.page(STORY)
    found = elements(page)
    (img,) = found.all("img")
    (source,) = found.all("source")
    assert img["alt"] == HOSTILE_ALT and "onerror" not in img  # the text, never an attribute
    assert (img["width"], img["height"]) == ("800", "450")  # the place is kept while it loads
    assert img["src"].startswith("../../../../images/market-800.") and img["src"].endswith(".jpg")
    assert [part.split()[1] for part in img["srcset"].split(", ")] == ["480w", "800w", "1200w"]
    assert source["type"] == "image/webp" and source["srcset"].count(".webp ") == 3
    assert source["sizes"] == img["sizes"] and "640px" in img["sizes"]
    assert img["fetchpriority"] == "high" and "loading" not in img  # above the fold: at once
    assert "Traders return &amp; prices fall." in page
    assert "Image: AP &amp; Reuters &lt;3 &#39;Kabul&#39;" in page


def test_the_story_previews_with_its_image_and_news_article_has_image_and_logo(built):
    meta = head(built.page(STORY))
    url = meta.value("og:image")
    assert url.startswith(SITE_URL + "images/market-1200.") and url.endswith(".jpg")
    assert (meta.value("og:image:width"), meta.value("og:image:height")) == ("1200", "675")
    assert meta.value("og:image:alt") == HOSTILE_ALT and meta.value("twitter:image:alt") == HOSTILE_ALT
    assert meta.value("twitter:card") == "summary_large_image" and meta.value("twitter:image") == url
    (raw,) = meta.json_ld
    assert "<" not in raw and "&" not in raw
    article = json.loads(raw)
    (image,) = article["image"]
    assert (image["url"], image["width"], image["height"]) == (url, 1200, 675)
    assert image["creditText"] == HOSTILE_CREDIT and image["description"] == HOSTILE_ALT
    logo = article["publisher"]["logo"]
    assert logo == {"@type": "ImageObject", "url": SITE_URL + LOGO.path, "width": 512, "height": 512}


def test_a_story_without_an_image_previews_with_the_logo(built):
    meta = head(built.page("stories/2024/10/october-story/"))
    assert meta.value("og:image") == SITE_URL + LOGO.path
    assert meta.value("twitter:card") == "summary" and meta.values("twitter:image") == []
    assert "image" not in json.loads(meta.json_ld[0])
    assert "<figure" not in built.page("stories/2024/10/october-story/")


def test_the_image_files_and_the_logo_are_published_and_the_original_is_not(built):
    found = elements(built.page(STORY))
    (img,) = found.all("img")
    (source,) = found.all("source")
    story_dir = built.site / STORY
    for srcset in (img["srcset"], source["srcset"]):
        for part in srcset.split(", "):
            relative, width = part.split()
            with Image.open(story_dir / relative) as published:
                assert f"{published.width}w" == width
    assert (built.site / LOGO.path).read_bytes() == (ROOT / "site_plugins/digest/assets/logo.png").read_bytes()
    assert not (built.site / "images" / "market.jpg").exists()  # EXIF and GPS stay at home


def test_feeds_carry_the_image(built):
    url = head(built.page(STORY)).value("og:image")
    item = next(i for i in json.loads((built.site / "feed.json").read_text())["items"] if i["url"].endswith(STORY))
    assert item["image"] == url
    rss = (built.site / "feed.xml").read_text(encoding="utf-8")
    assert f'<media:content url="{url}" type="image/jpeg" medium="image" width="1200" height="675">' in rss
    assert "<media:credit>AP &amp; Reuters &lt;3 'Kabul'</media:credit>" in rss
    atom = (built.site / "atom.xml").read_text(encoding="utf-8")
    assert f'<link rel="enclosure" type="image/jpeg" href="{url}"' in atom
