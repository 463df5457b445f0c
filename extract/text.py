"""Text clean-up shared by every format."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00ad": ""})
_BULLETS = re.compile(r"^[ \t]*[\u2022\u25cf\u25aa\u25a0\u2013\u2014\-\*\u27a2\u2192][ \t]+", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
# What no programme's text needs and what would reach the index and the
# screens as it is: control characters (NUL…) other than line and page
# breaks and tabs, byte order marks inside the text, and the bidirectional
# embeddings, overrides and isolates that make a quotation display otherwise
# than it reads ("Trojan Source"). Unpaired surrogates (not Unicode text,
# refused by UTF-8 encoders) become U+FFFD.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ufeff\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def normalise(text: str) -> str:
    """Ligatures and compatibility forms folded (NFKC), typographic quotes straightened,
    every bullet style turned into "• ", runs of spaces collapsed, paragraph breaks kept;
    control and bidirectional-override characters dropped, unpaired surrogates replaced."""
    text = _INVISIBLE.sub("", _SURROGATES.sub("\ufffd", text))
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _BULLETS.sub("• ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def decode_utf8_or_cp1252(data: bytes) -> str:
    """Bytes of unknown encoding to text: UTF-8 when it decodes, or when it is
    mostly UTF-8 (a few stray bytes become U+FFFD rather than turning every
    accent of the page into mojibake); otherwise Windows-1252, what French
    files that are not UTF-8 are usually in."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - invalid
    if valid > invalid:
        return text
    return data.decode("cp1252", errors="replace")


def fold(text: str) -> str:
    """Lowercase without accents, ligatures or curly apostrophes."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("\u2019", "'")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
