"""Text clean-up shared by every format."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u202f\u2007]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00ad": ""})
_BULLETS = re.compile(r"^[ \t]*[\u2022\u25cf\u25aa\u25a0\u2013\u2014\-\*\u27a2\u2192][ \t]+", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """Ligatures and compatibility forms folded (NFKC), typographic quotes straightened,
    every bullet style turned into "• ", runs of spaces collapsed, paragraph breaks kept."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _BULLETS.sub("• ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
