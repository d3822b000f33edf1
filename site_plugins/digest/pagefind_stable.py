"""Pagefind's output folder made byte-stable: `stabilise(folder)` rewrites the files Pagefind
writes in hash-map order (filter files, metadata file, entry file) in a canonical order, named by
their new content as Pagefind names files, so that the same pages always give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
from pathlib import Path

import cbor2

# Pagefind's format, as read in its source at tag v1.5.2 (repository Pagefind/pagefind):
# - pagefind/src/output/mod.rs (`write`, `Compress::GZ`): a .pf_meta, .pf_filter, .pf_index or
#   .pf_fragment file is gzip (flate2, best compression, mtime 0, no file name) of the signature
#   `pagefind_dcd` and a payload. pagefind-entry.json is serde_json of output/entry.rs
#   (`languages`: language -> {hash, wasm, page_count}); `hash` names `pagefind.<hash>.pf_meta`.
# - pagefind/src/index/index_metadata.rs, index_filter.rs: payloads are minicbor encodings of
#   structs with `#[n(i)]` fields: definite-length CBOR arrays in field order. Metadata:
#   [version, pages, index_chunks, filters: [[name, hash]], sorts: [[key, pages]], meta_fields];
#   a filter file: [name, values: [[value, pages]]].
# - pagefind/src/index/mod.rs (`build_indexes`): filters and their values come from a hash map,
#   sorts from another, so their order changes from process to process; pages, index chunks and
#   meta_fields (sorted) do not, and their order carries meaning (page numbers, word ranges,
#   field ids), so it is kept. A file's hash is `<language>_` + `full_hash(payload)`
#   (pagefind/src/utils.rs: SHA-1, each byte as `{:x?}`, i.e. hex without zero padding), cut to
#   len(language) + 8 characters for a filter file, two more at a time on a collision, and
#   `<language>_` + len(language) + 8 hash characters for the metadata file.
# - pagefind_web/src/metadata.rs, filter_index.rs, lib.rs: the browser reads filters, values and
#   sorts into BTreeMaps, so their order in the files means nothing to it, and it never checks a
#   name against the content: names only address files (and bust caches).

CHECKED_WITH = "1.5.2"  # the Pagefind version whose format this module was checked against
SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"
META_FIELDS = 6  # version, pages, index_chunks, filters, sorts, meta_fields


class UnexpectedFormat(ValueError):
    """Pagefind wrote something this module does not know: its format changed since CHECKED_WITH."""


def stabilise(folder: Path) -> None:
    """Rewrite the Pagefind output `folder` in place so that it depends only on the indexed pages:
    filter files, the metadata file of each language and `pagefind-entry.json`."""
    entry_path = folder / ENTRY_FILE
    text = entry_path.read_text(encoding="utf-8")
    entry = json.loads(text)
    if not (isinstance(entry, dict) and isinstance(entry.get("languages"), dict) and _serde_json(entry) == text):
        raise UnexpectedFormat(f"{entry_path}: not the entry file Pagefind {CHECKED_WITH} writes")
    for language, index in entry["languages"].items():
        index["hash"] = _stabilise_language(folder, language, _checked_name(index["hash"], entry_path))
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_path.write_bytes(_serde_json(entry).encode("utf-8"))


# --- Lighter first searches (issue 14) ------------------------------------------------------------
# A first search fetches the metadata file (a name and a word count per page) and, for each word,
# its index chunk (every page with the word, and every position of the word in the page). Two
# things weigh most at 10,000 stories and change nothing a reader sees:
# - page names: Pagefind names each page's fragment by its content hash (7 hex digits that no
#   compressor can shrink); here they become the page's number in the part after a hash of all the
#   part's fragments, so they still change whenever a fragment does (no stale cache), but
#   compress to almost nothing.
# - positions of the words that most pages contain: they rank nothing (their IDF is under ln 2)
#   and an excerpt needs one; all of them made the commonest word's chunk 66 KB of a part's 84.
#   Such a word keeps its first COMMON_POSITIONS positions in each page. What is lost: a quoted
#   phrase search ("..."), which matches positions, does not find the phrase where such a word
#   occurs only after its first COMMON_POSITIONS occurrences in a story.
COMMON_SHARE = 0.5  # a word on at least this share of a part's pages is "common"
COMMON_MIN_PAGES = 100  # small parts are left as Pagefind wrote them
COMMON_POSITIONS = 3


def compact(folder: Path) -> None:
    """Rename a Pagefind output folder's fragments and cap the positions of its common words (see
    above), in place; `stabilise` then names the metadata file by its new content."""
    entry = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    for language, index in entry["languages"].items():
        meta_path = folder / f"pagefind.{_checked_name(index['hash'], ENTRY_FILE)}.pf_meta"
        meta = _read(meta_path)
        if not (isinstance(meta, list) and len(meta) == META_FIELDS and _pairs(meta[1]) and isinstance(meta[2], list)):
            raise UnexpectedFormat(f"{meta_path}: not the metadata layout of Pagefind {CHECKED_WITH}")
        pages = meta[1]
        _rename_fragments(folder, pages)
        meta[2] = _cap_chunks(folder, language, meta[2], len(pages))
        _write(meta_path, cbor2.dumps(meta))


def _rename_fragments(folder: Path, pages: list) -> None:
    """Each page's fragment named `<part hash>_<page number in base 36>` (updates `pages`)."""
    old = [_checked_name(page[0], "metadata") for page in pages]
    part = hashlib.sha256("\0".join(old).encode()).hexdigest()[:8]
    fragments = folder / "fragment"
    for number, (page, name) in enumerate(zip(pages, old)):
        page[0] = f"{part}_{_base36(number)}"
        os.replace(fragments / f"{name}.pf_fragment", fragments / f"{page[0]}.pf_fragment")


def _cap_chunks(folder: Path, language: str, chunks: list, page_count: int) -> list:
    """Index chunks with the common words' positions capped, renamed by their new content."""
    if page_count < COMMON_MIN_PAGES:
        return chunks
    common = COMMON_SHARE * page_count
    taken: dict[str, bytes] = {}
    renamed = []
    for chunk in chunks:
        if not (isinstance(chunk, list) and len(chunk) == 3 and all(isinstance(x, str) for x in chunk)):
            raise UnexpectedFormat(f"index chunk entry {chunk!r}: not the layout of Pagefind {CHECKED_WITH}")
        path = folder / "index" / f"{_checked_name(chunk[2], 'metadata')}.pf_index"
        words = _read(path)
        if not (isinstance(words, list) and len(words) == 1 and isinstance(words[0], list)):
            raise UnexpectedFormat(f"{path}: not the index layout of Pagefind {CHECKED_WITH}")
        changed = False
        for word in words[0]:
            if not (isinstance(word, list) and len(word) >= 2 and isinstance(word[1], list)):
                raise UnexpectedFormat(f"{path}: not the word layout of Pagefind {CHECKED_WITH}")
            variants = [word[1]] + [variant[1] for variant in (word[2] if len(word) > 2 else [])]
            if len(word[1]) >= common:
                for page_list in variants:
                    for page in page_list:
                        capped = _capped(page[1])
                        changed = changed or capped != page[1]
                        page[1] = capped
        if not changed:
            taken[chunk[2]] = b""
            renamed.append(chunk)
            continue
        payload = cbor2.dumps(words)
        new_hash = _filter_hash(language, payload, taken=taken)
        taken[new_hash] = payload
        path.unlink()
        _write(folder / "index" / f"{new_hash}.pf_index", payload)
        renamed.append([chunk[0], chunk[1], new_hash])
    return renamed


def _capped(locations: list) -> list:
    """A page's locations of a word (weight markers negative, positions delta-encoded after each
    marker) cut after COMMON_POSITIONS positions: a prefix, so it decodes as before."""
    kept, positions = [], 0
    for location in locations:
        if not isinstance(location, int):
            raise UnexpectedFormat(f"word location {location!r}: not the layout of Pagefind {CHECKED_WITH}")
        if location >= 0:
            if positions == COMMON_POSITIONS:
                break
            positions += 1
        kept.append(location)
    while kept and kept[-1] < 0:
        kept.pop()  # a weight marker with no position after it
    return kept


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _stabilise_language(folder: Path, language: str, meta_hash: str) -> str:
    """Rewrite one language's filter files and metadata file; return the metadata file's new hash."""
    meta_path = folder / f"pagefind.{meta_hash}.pf_meta"
    meta = _read(meta_path)
    if not (isinstance(meta, list) and len(meta) == META_FIELDS and _pairs(meta[3]) and _pairs(meta[4])):
        raise UnexpectedFormat(f"{meta_path}: not the metadata layout of Pagefind {CHECKED_WITH}")

    old_files, new_files, filters = [meta_path], {}, []
    for name, old_hash in sorted(meta[3], key=lambda pair: pair[0]):
        path = folder / "filter" / f"{_checked_name(old_hash, meta_path)}.pf_filter"
        index = _read(path)
        if not (isinstance(index, list) and len(index) == 2 and index[0] == name and _pairs(index[1])):
            raise UnexpectedFormat(f"{path}: not the filter layout of Pagefind {CHECKED_WITH}")
        payload = cbor2.dumps([name, sorted(index[1], key=lambda value: value[0])])
        new_hash = _filter_hash(language, payload, taken=new_files)
        new_files[new_hash] = payload
        filters.append([name, new_hash])
        old_files.append(path)
    meta[3] = filters
    meta[4] = sorted(meta[4], key=lambda sort: sort[0])
    meta_payload = cbor2.dumps(meta)
    new_meta_hash = f"{language}_{_full_hash(meta_payload)[:len(language) + 8]}"

    # Every file is written anew, even one whose order happened to be canonical already: its bytes
    # then come from this module's compressor in every build, never from Pagefind's in some.
    for path in old_files:
        path.unlink()
    for new_hash, payload in new_files.items():
        _write(folder / "filter" / f"{new_hash}.pf_filter", payload)
    _write(folder / f"pagefind.{new_meta_hash}.pf_meta", meta_payload)
    return new_meta_hash


def _read(path: Path):
    """The CBOR payload of a Pagefind data file, refused unless it encodes back to the same bytes
    (a tag, a map, a float or an indefinite length would be a format this module does not know)."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise UnexpectedFormat(f"{path}: no {SIGNATURE.decode()} signature")
    payload = data[len(SIGNATURE):]
    value = cbor2.loads(payload)
    if cbor2.dumps(value) != payload:
        raise UnexpectedFormat(f"{path}: its CBOR is not what Pagefind {CHECKED_WITH} writes")
    return value


def _write(path: Path, payload: bytes) -> None:
    """Gzip as Pagefind does (best compression, mtime 0, no file name: flate2's header, byte for
    byte); the deflate stream is zlib's, which is deterministic but not flate2's."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as file:
        file.write(SIGNATURE + payload)
    path.write_bytes(buffer.getvalue())


def _full_hash(payload: bytes) -> str:
    """Pagefind's `full_hash`: SHA-1 with every byte in hex without zero padding (`{:x?}`)."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(payload).digest())


def _filter_hash(language: str, payload: bytes, *, taken) -> str:
    """The name Pagefind gives a filter file: `<language>_<hash>` cut to len(language) + 8
    characters, two more at a time while it names another filter file of the language."""
    full = f"{language}_{_full_hash(payload)}"
    length = len(language) + 8
    while full[:length] in taken and length < len(full):
        length += 2
    return full[:length]


def _pairs(value) -> bool:
    """Whether `value` is a list of [string, anything] pairs with distinct strings."""
    return (isinstance(value, list)
            and all(isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in value)
            and len({pair[0] for pair in value}) == len(value))


def _checked_name(hash_: str, where) -> str:
    """A hash read from a file, refused if it could name anything but a file in the folder."""
    if not (isinstance(hash_, str) and hash_.isascii() and hash_.replace("_", "").replace("-", "").isalnum()):
        raise UnexpectedFormat(f"{where}: {hash_!r} is not a Pagefind file hash")
    return hash_


def _serde_json(value) -> str:
    """JSON as serde_json's `to_string` writes it: compact, non-ASCII characters as they are."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
