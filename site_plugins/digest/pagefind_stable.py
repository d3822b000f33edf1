"""Pagefind's output folder made byte-stable: `stabilise(folder)` rewrites the files Pagefind
writes in hash-map order (filter files, metadata file, entry file) in a canonical order, named by
their new content as Pagefind names files, so that the same pages always give the same bytes.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import io
import json
import os
from itertools import accumulate, chain
from operator import itemgetter
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
# - the date sort: a list of every page number in date order (10.6 KB of each 34 KB metadata file
#   at 5,000 pages; even in the order 0, 1, 2 ... it would not compress: deflate does not see
#   sequences of CBOR integers). Pages are numbered again in date order (metadata, other sorts,
#   index chunks, filter files) and the date sort is left out: search.js lists a part's stories
#   newest first by their page numbers, read from the result ids (what Pagefind's "date: desc"
#   gave, ties included: that is the sort list read backwards). Only the numbers change.
COMMON_SHARE = 0.5  # a word on at least this share of a part's pages is "common"
COMMON_MIN_PAGES = 100  # small parts are left as Pagefind wrote them
COMMON_POSITIONS = 3
ORDER_SORT = "date"  # pages are numbered in this sort's order (those without it first); it goes


def compact(folder: Path) -> None:
    """Rename a Pagefind output folder's fragments and cap the positions of its common words (see
    above), in place; `stabilise` then names the metadata file by its new content."""
    entry = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    with _no_cyclic_gc():
        for language, index in entry["languages"].items():
            _compact_language(folder, language, index)


@contextlib.contextmanager
def _no_cyclic_gc():
    """Decoding a part's index chunks makes millions of lists (3.7 million at 5,000 pages), and
    the cyclic garbage collector, started every few hundred new containers, traverses them again
    and again: two thirds of the decoding time at 5,000 pages. These lists hold no reference
    cycles, so reference counting frees them all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _compact_language(folder: Path, language: str, index: dict) -> None:
    meta_path = _meta_path(folder, _checked_name(index['hash'], ENTRY_FILE))
    meta = _read_meta(meta_path)
    number = _renumber(meta, meta_path)  # old page number -> new, or None if unchanged
    pages = meta[1]
    _rename_fragments(folder, pages)
    meta[2] = _cap_chunks(folder, language, meta[2], len(pages), number)
    meta[3] = _renumber_filters(folder, language, meta[3], number)
    _write(meta_path, cbor2.dumps(meta))


def _renumber(meta: list, where) -> list[int] | None:
    """Number the pages of `meta` in ORDER_SORT's order and leave that sort out (updates its pages
    and sorts); returns the new number of each old page number, or None if they are unchanged."""
    count = len(meta[1])
    order = dict(meta[4]).get(ORDER_SORT)
    if order is None:
        return None
    if not (isinstance(order, list) and all(isinstance(page, int) and 0 <= page < count for page in order)
            and len(set(order)) == len(order)):
        raise UnexpectedFormat(f"{where}: sort {ORDER_SORT!r} is not a list of page numbers")
    meta[4] = [sort for sort in meta[4] if sort[0] != ORDER_SORT]
    listed = set(order)
    order = [page for page in range(count) if page not in listed] + order
    if order == list(range(count)):
        return None
    number = [0] * count
    for new, old in enumerate(order):
        number[old] = new
    meta[1] = [meta[1][old] for old in order]
    for sort in meta[4]:
        if not (isinstance(sort[1], list) and all(isinstance(page, int) and 0 <= page < count for page in sort[1])):
            raise UnexpectedFormat(f"{where}: sort {sort[0]!r} is not a list of page numbers")
        sort[1] = [number[page] for page in sort[1]]
    return number


def _renumber_filters(folder: Path, language: str, filters: list, number: list[int] | None) -> list:
    """Filter files with their pages numbered anew, renamed by their new content (`stabilise`
    puts them in order afterwards)."""
    if number is None:
        return filters
    taken: dict[str, bytes] = {hash_: b"" for _, hash_ in filters}
    renamed = []
    for name, hash_ in filters:
        path = folder / "filter" / f"{_checked_name(hash_, 'metadata')}.pf_filter"
        data = _read_filter(path, name)
        for value in data[1]:
            value[1] = sorted(number[_page(page, number, path)] for page in value[1])
        payload = cbor2.dumps(data)
        new_hash = _filter_hash(language, payload, taken=taken)
        taken[new_hash] = payload
        path.unlink()
        _write(folder / "filter" / f"{new_hash}.pf_filter", payload)
        renamed.append([name, new_hash])
    return renamed


def _renumber_pages(page_list: list, number: list[int], where) -> None:
    """A word's pages ([page, locations, ...], the page a delta from the previous one's, as
    pagefind_web/src/index.rs decodes them) numbered anew, in their new order, in place.
    `_read_index` checked the deltas (integers, none negative), so the last page is the highest."""
    old = list(accumulate(map(itemgetter(0), page_list)))
    if old and old[-1] >= len(number):
        raise UnexpectedFormat(f"{where}: {old[-1]!r} is not a page number")
    for page, new in zip(page_list, map(number.__getitem__, old)):
        page[0] = new
    page_list.sort(key=itemgetter(0))
    at = 0
    for page in page_list:
        page[0], at = page[0] - at, page[0]


def _page(page, number: list[int], where) -> int:
    if not (isinstance(page, int) and 0 <= page < len(number)):
        raise UnexpectedFormat(f"{where}: {page!r} is not a page number")
    return page


def _rename_fragments(folder: Path, pages: list) -> None:
    """Each page's fragment named `<part hash>_<page number in base 36>` (updates `pages`)."""
    old = [_checked_name(page[0], "metadata") for page in pages]
    part = hashlib.sha256("\0".join(old).encode()).hexdigest()[:8]
    fragments = folder / "fragment"
    for number, (page, name) in enumerate(zip(pages, old)):
        page[0] = f"{part}_{_base36(number)}"
        os.replace(fragments / f"{name}.pf_fragment", fragments / f"{page[0]}.pf_fragment")


def _cap_chunks(folder: Path, language: str, chunks: list, page_count: int, number: list[int] | None = None) -> list:
    """Index chunks with the common words' positions capped and the pages numbered anew (`number`:
    old page number -> new), renamed by their new content."""
    if page_count < COMMON_MIN_PAGES and number is None:
        return chunks
    common = COMMON_SHARE * page_count if page_count >= COMMON_MIN_PAGES else float("inf")
    taken: dict[str, bytes] = {chunk[2]: b"" for chunk in chunks if isinstance(chunk, list) and len(chunk) == 3}
    renamed = []
    for chunk in chunks:
        if not (isinstance(chunk, list) and len(chunk) == 3 and all(isinstance(x, str) for x in chunk)):
            raise UnexpectedFormat(f"index chunk entry {chunk!r}: not the layout of Pagefind {CHECKED_WITH}")
        path = folder / "index" / f"{_checked_name(chunk[2], 'metadata')}.pf_index"
        words = _read_index(path)
        changed = False
        for word in words[0]:
            variants = [word[1]] + [variant[1] for variant in (word[2] if len(word) > 2 else [])]
            if number is not None:
                for page_list in variants:
                    _renumber_pages(page_list, number, path)
                changed = True
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
    if len(locations) <= COMMON_POSITIONS and (not locations or locations[-1] >= 0):
        return locations  # most pages: nothing to cut (the loop below would keep all of it)
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


# --- Facets without Pagefind's filter files (issue 14) ----------------------------------------------
# Pagefind's filter files list, for each value, every page that has it: CBOR integers that gzip
# poorly (77 KB for topic and country at 10,000 stories). search.js opens the facets, counts their
# values and filters results from `facets.pf_facets` instead, which holds the same facts page by
# page: each filter's values in name order, and for each page (in Pagefind's page order, which
# its page names carry since `compact`) the values it has as one character each (two where a
# filter has more values than FACET_ALPHABET has characters), pages separated by ",". Gzipped
# JSON (search.js inflates it with DecompressionStream): 35 KB for the same 10,000 stories.
# Pagefind's filter files stay in the part (stable, unfetched), so Pagefind can still filter.
FACETS_FILE = "facets.pf_facets"
FACET_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
FACET_VERSION = 1


def write_facets(folder: Path) -> dict | None:
    """Write `folder`'s facet table (FACETS_FILE, see above) from its filter files; returns the
    table, or None (and removes the file) when the part has no pages. Run after `compact`, whose
    page names (`<part hash>_<page number in base 36>`) the table's `prefix` and page order match."""
    entry = json.loads((folder / ENTRY_FILE).read_text(encoding="utf-8"))
    languages = entry.get("languages") or {}
    if len(languages) > 1:
        raise UnexpectedFormat(f"{folder}: a facet table is for one language, not {sorted(languages)}")
    target = folder / FACETS_FILE
    if not languages:
        target.unlink(missing_ok=True)
        return None
    (language, index), = languages.items()
    meta_path = _meta_path(folder, _checked_name(index['hash'], ENTRY_FILE))
    meta = _read_meta(meta_path)
    names = [page[0] for page in meta[1]]
    prefixes = {name.rpartition("_")[0] for name in names}
    if not names:
        target.unlink(missing_ok=True)
        return None
    if len(prefixes) != 1 or any(name != f"{next(iter(prefixes))}_{_base36(n)}" for n, name in enumerate(names)):
        raise UnexpectedFormat(f"{meta_path}: page names are not those `compact` gives")
    filters = {}
    for name, hash_ in sorted(meta[3], key=lambda pair: pair[0]):
        path = folder / "filter" / f"{_checked_name(hash_, meta_path)}.pf_filter"
        data = _read_filter(path, name)
        values = sorted(value for value, _ in data[1])
        width = 1 if len(values) <= len(FACET_ALPHABET) else 2
        if len(values) > len(FACET_ALPHABET) ** width:
            raise ValueError(f"filter {name!r} has {len(values)} values: at most {len(FACET_ALPHABET) ** 2}")
        by_page: list[list[int]] = [[] for _ in names]
        for number, (value, pages) in enumerate(sorted(data[1], key=lambda pair: pair[0])):
            for page in pages:
                if not (isinstance(page, int) and 0 <= page < len(names)):
                    raise UnexpectedFormat(f"{path}: page {page!r} is not a page of the part")
                by_page[page].append(number)
        filters[name] = {"values": values, "width": width,
                         "pages": ",".join("".join(_facet_code(n, width) for n in sorted(set(numbers)))
                                           for numbers in by_page)}
    table = {"version": FACET_VERSION, "prefix": next(iter(prefixes)), "pages": len(names), "filters": filters}
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as file:
        file.write(json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    target.write_bytes(buffer.getvalue())
    return table


def _facet_code(number: int, width: int) -> str:
    """A value's number in a facet table: `width` characters of FACET_ALPHABET, most significant first."""
    base = len(FACET_ALPHABET)
    return FACET_ALPHABET[number // base] + FACET_ALPHABET[number % base] if width == 2 else FACET_ALPHABET[number]


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
    meta_path = _meta_path(folder, meta_hash)
    meta = _read_meta(meta_path)

    old_files, new_files, filters = [meta_path], {}, []
    for name, old_hash in sorted(meta[3], key=lambda pair: pair[0]):
        path = folder / "filter" / f"{_checked_name(old_hash, meta_path)}.pf_filter"
        index = _read_filter(path, name)
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
    _write(_meta_path(folder, new_meta_hash), meta_payload)
    return new_meta_hash


def _meta_path(folder: Path, meta_hash: str) -> Path:
    return folder / f"pagefind.{meta_hash}.pf_meta"


def _read_meta(path: Path) -> list:
    """A metadata file: [version, pages, index chunks, filters, sorts] (META_FIELDS)."""
    meta = _read(path)
    if not (isinstance(meta, list) and len(meta) == META_FIELDS and _pairs(meta[1]) and isinstance(meta[2], list)
            and _pairs(meta[3]) and _pairs(meta[4])):
        raise UnexpectedFormat(f"{path}: not the metadata layout of Pagefind {CHECKED_WITH}")
    return meta


def _read_filter(path: Path, name: str) -> list:
    """Filter `name`'s file: [name, [[value, [page, ...]], ...]]."""
    data = _read(path)
    if not (isinstance(data, list) and len(data) == 2 and data[0] == name and _pairs(data[1])):
        raise UnexpectedFormat(f"{path}: not the filter layout of Pagefind {CHECKED_WITH}")
    return data


def _payload(path: Path) -> bytes:
    """A Pagefind data file's CBOR, after its gzip and its signature."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise UnexpectedFormat(f"{path}: no {SIGNATURE.decode()} signature")
    return data[len(SIGNATURE):]


def _read(path: Path):
    """The CBOR payload of a Pagefind data file, refused unless it encodes back to the same bytes
    (a tag, a map, a float or an indefinite length would be a format this module does not know)."""
    payload = _payload(path)
    value = cbor2.loads(payload)
    if cbor2.dumps(value) != payload:
        raise UnexpectedFormat(f"{path}: its CBOR is not what Pagefind {CHECKED_WITH} writes")
    return value


class _EveryTag(dict):
    """Semantic decoders for `cbor2.loads` that refuse every tag, those cbor2 knows included."""

    def __missing__(self, tag: int):
        return _refuse


def _refuse(decoder, value=None):
    raise ValueError("not in the format Pagefind writes")


def _read_index(path: Path) -> list:
    """The words of an index chunk ([[word, pages, variants]], a page [delta, locations, meta
    locations]), checked as `_read` checks a file but without encoding it again: at 5,000 pages
    that took as long as decoding and renumbering together. Decoding refuses tags, maps and
    indefinite lengths, and the layout check anything but a list, an integer or a string where
    Pagefind writes one (a float, a boolean, null, a byte string). All that passes and would
    not encode back to the same bytes is a number or a length written in more bytes than it
    needs: it decodes to the same values, and a changed chunk is written anew anyway."""
    try:
        words = cbor2.loads(_payload(path), allow_indefinite=False, semantic_decoders=_EveryTag(),
                            object_hook=_refuse)
    except cbor2.CBORDecodeError as error:
        raise UnexpectedFormat(f"{path}: its CBOR is not what Pagefind {CHECKED_WITH} writes ({error})") from None
    if not (type(words) is list and len(words) == 1 and type(words[0]) is list):
        raise UnexpectedFormat(f"{path}: not the index layout of Pagefind {CHECKED_WITH}")
    for word in words[0]:
        if not (type(word) is list and 2 <= len(word) <= 3 and type(word[0]) is str and _page_list(word[1])
                and (len(word) == 2 or (type(word[2]) is list and all(
                    type(variant) is list and len(variant) == 2 and type(variant[0]) is str
                    and _page_list(variant[1]) for variant in word[2])))):
            raise UnexpectedFormat(f"{path}: not the word layout of Pagefind {CHECKED_WITH}")
    return words


def _page_list(pages) -> bool:
    """Whether `pages` is a list of [delta >= 0, [int, ...], ...], all of one length (minicbor
    writes every field of a struct). Checked a field at a time with map and chain, loops in C: a
    Python loop over the pages would cost more than decoding them."""
    if type(pages) is not list:
        return False
    if not pages:
        return True
    if set(map(type, pages)) != {list}:
        return False
    lengths = set(map(len, pages))
    if len(lengths) != 1 or (length := lengths.pop()) < 2:
        return False
    deltas = list(map(itemgetter(0), pages))
    if set(map(type, deltas)) != {int} or min(deltas) < 0:
        return False
    for field in range(1, length):  # the lists of locations
        lists = list(map(itemgetter(field), pages))
        if set(map(type, lists)) != {list} or not set(map(type, chain.from_iterable(lists))) <= {int}:
            return False
    return True


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
