"""HTML programme pages to text: the main content, without menus, banners or scripts."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from extract.text import decode_utf8_or_cp1252

_SKIPPED = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form", "template", "svg", "iframe"}
_BLOCKS = {"p", "div", "section", "article", "main", "br", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "param", "track"}
_NOISE = re.compile(r"cookie|consent|rgpd|gdpr|banner|newsletter|share|menu", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """Bytes to text: BOM first, then a declared charset that actually decodes
    (one of the web's encodings), then UTF-8 (a few stray bytes replaced), then
    Windows-1252 (what French pages that lie are usually in)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    encoding = _web_encoding(declared.group(1).decode("ascii")) if declared else None
    if encoding is not None:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return decode_utf8_or_cp1252(data)


def _web_encoding(label: str) -> str | None:
    """The codec of a declared charset, when it is one of the encodings of the
    web; None for anything else (a page declaring "unicode_escape" or "utf-7"
    would otherwise turn its bytes into escapes, NULs or lone surrogates)."""
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a declaration readable as ASCII is not UTF-16: browsers read such pages as UTF-8
    if name in {"ascii", "iso8859-1"}:
        return "cp1252"  # as browsers do
    return name if name in _WEB_ENCODINGS else None


# The encodings of the WHATWG Encoding Standard, by their Python codec names.
_WEB_ENCODINGS = {
    codecs.lookup(label).name
    for label in (
        "utf-8", "cp866", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
        "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "koi8-r", "koi8-u",
        "mac-roman", "mac-cyrillic", "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255",
        "cp1256", "cp1257", "cp1258", "gbk", "gb18030", "big5", "big5hkscs", "euc-jp", "iso2022-jp",
        "shift-jis", "cp932", "euc-kr", "cp949",
    )
}  # fmt: skip


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
