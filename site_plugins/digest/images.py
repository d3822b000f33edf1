"""Lead images: checked with Pillow (type by content, size, dimensions) and resized into a few
WebP widths plus a JPEG or PNG fallback, byte for byte the same on every build and cached on disk.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

from .model import LeadImage, Rendition

MAX_BYTES = 5 * 1024 * 1024  # a lead image exported for the web; camera originals are refused with a hint
MIN_WIDTH = 600  # narrower looks blurred in the story column on a phone held at 2x or 3x
MAX_SIDE = 12_000
# Refused before a pixel is decoded: a small file can declare a huge image (a decompression
# bomb). 50 MP decode to 200 MB at most; every camera picture resized for the web fits.
MAX_PIXELS = 50_000_000
MAX_RATIO = 3.0  # width / height: a wider strip shows a few pixels tall in the column
MIN_RATIO = 0.5  # taller than twice its width pushes the story below the fold on every screen
WIDTHS = (480, 800, 1200)  # and the image's own width when it is narrower than the widest
SOCIAL_WIDTH = 1200  # og:image and NewsArticle `image`: Google asks for at least 1200 pixels
# Every setting that changes an output byte. Bump VERSION when the code that encodes changes.
VERSION = 1
WEBP = {"quality": 80, "method": 4}
JPEG = {"quality": 82, "optimize": True, "progressive": True, "subsampling": "4:2:0"}
PNG = {"optimize": True}
SETTINGS = repr((VERSION, WIDTHS, WEBP, JPEG, PNG, Image.__version__, features.version("webp"),
                 features.version("jpg"), features.version("zlib"), features.version("littlecms2")))

# Pillow's format name -> the type an extension promises (kinds.IMAGE_TYPES). MPO is how Pillow
# reads the JPEG files of many phones and cameras (a second, depth or preview picture inside).
_TYPE_OF_FORMAT = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "AVIF": "AVIF"}
_SUFFIX_OF_TYPE = {"JPEG": ".jpg", "PNG": ".png", "WebP": ".webp", "AVIF": ".avif"}
_TRANSPOSED = (5, 6, 7, 8)  # EXIF orientations that turn the picture by a quarter
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ImageProblem(Exception):
    """A lead image that cannot be used: the message and a hint, for a `Problem`."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint

    def __reduce__(self):  # kept in the pickled build cache
        return ImageProblem, (self.message, self.hint)


@dataclass(frozen=True, slots=True)
class ImageFile:
    """What inspecting an image file found: its size as shown (EXIF orientation applied), whether
    it has transparency, and the hash of its bytes with the encoder settings (`key`)."""

    width: int
    height: int
    alpha: bool
    key: str  # sha256 of the file's bytes and SETTINGS: names the resized files and keys the cache


def pillow_reads(kind: str) -> bool:
    """Whether the installed Pillow decodes images of `kind` ("AVIF" needs Pillow >= 11.3 built
    with libavif; the wheels are)."""
    return kind != "AVIF" or bool(features.check("avif"))


def inspect(path: Path, kind: str) -> ImageFile:
    """Check the image at `path`, which its name says is of `kind` (JPEG, PNG, WebP, AVIF); raise
    `ImageProblem` for the first thing wrong with it."""
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise ImageProblem(f"is {len(data):,} bytes, over the limit of {MAX_BYTES:,}",
                           "export it for the web: 2000 pixels wide at JPEG quality 85 is plenty")
    if not pillow_reads(kind):
        raise ImageProblem(f"is an {kind} image, which this installation of Pillow cannot read",
                           "export it as JPEG or WebP")
    with warnings.catch_warnings():
        # Pillow warns from 89 million pixels and refuses from twice that; the limits below are
        # lower and checked before decoding, so its warning says nothing new.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                found = _TYPE_OF_FORMAT.get(image.format or "")
                if found is None:
                    raise ImageProblem(f"is a {image.format} image, not a {kind}",
                                       "export it as JPEG, PNG, WebP or AVIF")
                if found != kind:
                    raise ImageProblem(f"is a {found} image, although its name says {kind}",
                                       f"rename it to end in {_SUFFIX_OF_TYPE[found]}, or export it as {kind}")
                if getattr(image, "is_animated", False) and image.format != "MPO":
                    raise ImageProblem("is animated", "a lead image is a still picture: export one frame")
                width, height = image.size
                _check_size(width, height)  # before decoding anything: the size is in the header
                # (Reading a PNG's EXIF decodes it: the chunk may follow the pixels.)
                if image.getexif().get(0x0112) in _TRANSPOSED:
                    width, height = height, width
                _check_shape(width, height)
                image.load()  # a truncated or corrupt file fails here, not half-way through a build
                alpha = _has_alpha(image)
        except ImageProblem:
            raise
        except Image.DecompressionBombError:
            raise ImageProblem(f"declares more pixels than Pillow will decode (the limit is {MAX_SIDE} on a side "
                               f"and {MAX_PIXELS // 1_000_000} million in all)", "resize it to about 2000 pixels wide") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow's own words, but not its "cannot identify <_io.BytesIO object at 0x...>"
            why = ("Pillow does not recognise its contents" if isinstance(error, UnidentifiedImageError)
                   else " ".join(str(error).split())[:120] or type(error).__name__)
            raise ImageProblem(f"cannot be read as an image ({why})",
                               f"open it in an image editor and export it again as {kind}") from None
    key = hashlib.sha256(hashlib.sha256(data).digest() + SETTINGS.encode()).hexdigest()
    return ImageFile(width, height, alpha, key)


def _check_size(width: int, height: int) -> None:
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageProblem(f"is {width} × {height} pixels, over the limit of {MAX_SIDE} on a side "
                           f"and {MAX_PIXELS // 1_000_000} million in all", "resize it to about 2000 pixels wide")


def _check_shape(width: int, height: int) -> None:
    """`width` and `height` as the picture is shown (EXIF orientation applied)."""
    if width < MIN_WIDTH:
        raise ImageProblem(f"is {width} pixels wide, narrower than the {MIN_WIDTH} a lead image needs",
                           "use a larger original: it would look blurred on a phone")
    if width / height > MAX_RATIO:
        raise ImageProblem(f"is {width} × {height} pixels, more than {MAX_RATIO:g} times as wide as it is tall",
                           "crop it: in the story column it would be a thin strip")
    if width / height < MIN_RATIO:
        raise ImageProblem(f"is {width} × {height} pixels, more than twice as tall as it is wide",
                           "crop it: it would push the story below the bottom of the screen")


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        with warnings.catch_warnings():  # Pillow advises converting a palette with transparency: done here
            warnings.simplefilter("ignore", UserWarning)
            extrema = image.convert("RGBA").getchannel("A").getextrema()
        return extrema[0] < 255  # an alpha channel that is opaque everywhere does not count
    return False


def _slug(src: str) -> str:
    stem = src.rpartition("/")[2].rpartition(".")[0]
    ascii_ = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60] or "image"


def widths(width: int) -> tuple[int, ...]:
    """The widths an image is resized to: those of WIDTHS it is wider than, and its own width
    when that is less than the widest (never enlarged)."""
    found = tuple(w for w in WIDTHS if w < width)
    return found + ((width,) if width < WIDTHS[-1] or not found else ())


def renditions(src: str, file: ImageFile) -> tuple[Rendition, ...]:
    """The files a lead image is published as, WebP first, each narrowest first. Names are
    `images/<name>-<width>.<hash>.<ext>`: the hash is of the original's bytes and the encoder
    settings, so a replaced picture (or a new encoder) gets new URLs that no browser or CDN has
    cached, and the same picture keeps its URLs from build to build."""
    name, tag = _slug(src), file.key[:10]
    fallback = ("png", "image/png") if file.alpha else ("jpg", "image/jpeg")
    found = []
    for ext, media_type in (("webp", "image/webp"), fallback):
        for w in widths(file.width):
            found.append(Rendition(f"images/{name}-{w}.{tag}.{ext}", w, max(1, round(file.height * w / file.width)),
                                   media_type))
    return tuple(found)


def social(image: LeadImage) -> Rendition:
    """The rendition link previews and NewsArticle use: the fallback (JPEG or PNG, which every
    scraper reads) closest to SOCIAL_WIDTH without being narrower, else the widest."""
    candidates = image.fallback
    return next((r for r in candidates if r.width >= SOCIAL_WIDTH), candidates[-1])


# --- encoding ------------------------------------------------------------------------------

def _prepared(data: bytes, largest: int) -> Image.Image:
    """The picture upright, in sRGB, RGB or RGBA, with nothing else from the file (EXIF with its
    GPS position, XMP, comments and colour profile stay behind)."""
    image = Image.open(io.BytesIO(data))
    image.seek(0)
    if image.format in ("JPEG", "MPO"):
        # Decode at a reduced scale when the picture is far wider than needed (libjpeg's DCT
        # scaling): the size asked for is in the file's own orientation.
        shown_width = image.size[1] if image.getexif().get(0x0112) in _TRANSPOSED else image.size[0]
        factor = largest / shown_width
        image.draft(None, (math.ceil(image.size[0] * factor), math.ceil(image.size[1] * factor)))
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if _has_alpha(upright) else "RGB"
    if upright.mode.startswith("I"):  # 16-bit greyscale PNG: scale to 8 bits rather than clip
        upright = upright.point(lambda v: v / 256).convert("L")
    elif upright.mode not in ("RGB", "RGBA", "L", "CMYK"):
        upright = upright.convert(mode)
    converted = None
    if icc:
        try:
            converted = ImageCms.profileToProfile(upright, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB,
                                                  outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a broken profile: the pixels are taken as sRGB
    result = converted if converted is not None else upright.convert(mode)
    result.info = {}
    return result


def encode(data: bytes, wanted: tuple[Rendition, ...]) -> dict[str, bytes]:
    """The bytes of each rendition (by path) of the image whose file holds `data`."""
    source = _prepared(data, max(r.width for r in wanted))
    out: dict[str, bytes] = {}
    for rendition in wanted:
        if rendition.width == source.width:
            resized = source.copy()
        else:
            resized = source.resize((rendition.width, rendition.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        resized.info = {}
        buffer = io.BytesIO()
        if rendition.media_type == "image/webp":
            resized.save(buffer, "WEBP", **WEBP)
        elif rendition.media_type == "image/png":
            resized.save(buffer, "PNG", **PNG)
        else:
            resized.save(buffer, "JPEG", **JPEG)
        out[rendition.path] = buffer.getvalue()
    return out


class ImageStore:
    """The renditions of every lead image, encoded once and kept in `folder` (under .cache/) by
    name: the name holds the hash of the original and of the settings, so a cached file is never
    stale. `write` copies what a site needs into its folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.encoded = 0  # renditions encoded by this store (the rest came from the cache)

    def _cached(self, rendition: Rendition) -> Path:
        return self.folder / rendition.path.rpartition("/")[2]

    def data(self, image: LeadImage, docs_dir: Path) -> dict[str, bytes]:
        """Every rendition of `image` (path -> bytes), encoding only what the cache lacks."""
        out, missing = {}, []
        for rendition in image.variants:
            try:
                out[rendition.path] = self._cached(rendition).read_bytes()
            except OSError:
                missing.append(rendition)
        if missing:
            source = (Path(docs_dir) / image.src).read_bytes()
            self.folder.mkdir(parents=True, exist_ok=True)
            for path, data in encode(source, tuple(missing)).items():
                cached = self.folder / path.rpartition("/")[2]
                partial = cached.with_name(cached.name + ".partial")
                partial.write_bytes(data)
                partial.replace(cached)  # a build stopped half-way leaves no half file behind
                out[path] = data
                self.encoded += 1
        return out

    def write(self, images: list[LeadImage], docs_dir: Path, site_dir: Path) -> set[str]:
        """Put every rendition of `images` into `site_dir`, writing only files that are missing or
        differ in size; returns their site-relative paths (what the build produced)."""
        produced: set[str] = set()
        site_dir = Path(site_dir)
        for image in images:
            paths = [r.path for r in image.variants]
            produced.update(paths)
            if all(_same_size(site_dir / p, self._cached(r)) for p, r in zip(paths, image.variants)):
                continue
            for path, data in self.data(image, docs_dir).items():
                target = site_dir / path
                if target.is_file() and target.stat().st_size == len(data):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        return produced


def _same_size(target: Path, cached: Path) -> bool:
    try:
        return target.stat().st_size == cached.stat().st_size
    except OSError:
        return False
