"""The one HTML parser the tests share: a page (or a fragment) as a small tree of elements, read
with the standard library's `html.parser`, and the questions tests ask of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that never have content or an end tag.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def raw_text(self) -> str:
        """The text inside, exactly as written (a script's source, say)."""
        return "".join(child if isinstance(child, str) else child.raw_text() for child in self.children)

    def text(self) -> str:
        """The text a reader sees, whitespace collapsed."""
        return " ".join(self.raw_text().split())

    def iter(self, tag: str | None = None, **attrs: str) -> Iterator[Element]:
        """Every element inside (in document order) with this tag and these attribute values;
        `class_="x"` matches an element that has class x among others."""
        for child in self.children:
            if isinstance(child, Element):
                if child.matches(tag, attrs):
                    yield child
                yield from child.iter(tag, **attrs)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return list(self.iter(tag, **attrs))

    def find(self, tag: str | None = None, **attrs: str) -> Element | None:
        return next(self.iter(tag, **attrs), None)

    def matches(self, tag: str | None, attrs: dict[str, str]) -> bool:
        if tag is not None and self.tag != tag:
            return False
        for name, value in attrs.items():
            if name == "class_":
                if value not in self.classes:
                    return False
            elif self.attrs.get(name) != value:
                return False
        return True

    # -- what several tests ask -------------------------------------------------------------

    def hrefs(self) -> list[str]:
        """Every `href` inside (links, stylesheets, feeds), in document order."""
        return [e.attrs["href"] for e in self.iter() if e.attrs.get("href")]

    def meta(self, key: str) -> list[str | None]:
        """The `content` of every <meta> whose `property` or `name` is `key`, in page order."""
        return [e.get("content") for e in self.iter("meta") if (e.get("property") or e.get("name")) == key]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self._open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self._open[-1].children.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self._open[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        # An end tag closes the nearest open element of its name and any left open inside it
        # (`<li>` without `</li>`); a stray end tag closes nothing.
        for index in range(len(self._open) - 1, 0, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        self._open[-1].children.append(data)


def parse(markup: str) -> Element:
    """The document (or fragment) `markup` as a tree under a root element named "#document"."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root
