"""HTML programme pages to text: the main content, without menus, banners or scripts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form", "template", "svg", "iframe"}
_BLOCKS = {"p", "div", "section", "article", "main", "br", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "param", "track"}
_NOISE = re.compile(r"cookie|consent|rgpd|gdpr|banner|newsletter|share|menu", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """Bytes to text: BOM first, then a declared charset that actually decodes,
    then UTF-8, then Windows-1252 (what French pages that lie are usually in)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    candidates = []
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        candidates.append(declared.group(1).decode("ascii").lower())
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return data.decode("cp1252" if encoding in {"iso-8859-1", "latin-1", "latin1"} else encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


class _MainText(HTMLParser):
    """Collects the text of the page and of its main content.

    Linear in the size of the page, however deep the nesting: the open
    elements are a stack with, per tag, the depths where it is open, and a
    count of the skipped ones (megabytes of nested or unclosed tags cost no
    more than the same bytes of text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.main_parts: list[str] | None = None
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self._open: dict[str, list[int]] = {}  # tag -> depths (indices in the stack) where it is open
        self._skipped = 0  # skipped elements in the stack
        self._main_depth: int | None = None

    @property
    def _skipping(self) -> bool:
        return self._skipped > 0

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        if self._main_depth is not None and self.main_parts is not None:
            self.main_parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = " ".join(value or "" for name, value in attrs if name in {"class", "id", "role"})
        skipped = tag in _SKIPPED or bool(_NOISE.search(attributes)) and tag not in {"main", "body", "html"}
        if tag in _VOID:
            if tag == "br" and not self._skipping:
                self._emit("\n")
            return
        self._open.setdefault(tag, []).append(len(self._stack))
        self._stack.append((tag, skipped))
        self._skipped += skipped
        if tag in {"main", "article"} and self._main_depth is None and not self._skipping:
            self._main_depth = len(self._stack)
            self.main_parts = []
        if self._skipping:
            return
        if tag in _HEADINGS:
            self._emit("\n\n")
        elif tag == "li":
            self._emit("\n• ")
        elif tag in _BLOCKS:
            self._emit("\n\n" if tag in {"p", "section", "article", "table", "blockquote"} else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        # Tolerate unclosed tags: pop back to the matching opener, if any.
        depths = self._open.get(tag)
        if depths:
            depth = depths[-1]
            if self._main_depth is not None and depth + 1 <= self._main_depth:
                self._main_depth = None
            while len(self._stack) > depth:
                closed, skipped = self._stack.pop()
                self._open[closed].pop()
                self._skipped -= skipped
        if not self._skipping and (tag in _HEADINGS or tag in _BLOCKS or tag == "li"):
            self._emit("\n\n" if tag in _HEADINGS or tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._emit(data.replace("\n", " "))


def html_text(html: str) -> str:
    """The page's main content (its <main> or <article> when it has one)."""
    parser = _MainText()
    parser.feed(html)
    parser.close()
    chosen = parser.main_parts if parser.main_parts and "".join(parser.main_parts).strip() else parser.parts
    return "".join(chosen)
