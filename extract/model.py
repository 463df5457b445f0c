"""What extraction produces: a document's pages of text."""

from __future__ import annotations

from dataclasses import dataclass, field

# Bump when extraction output changes, so stored text and index become stale.
EXTRACTOR_VERSION = "pdf-columns-3"


@dataclass(frozen=True)
class PageText:
    number: int
    text: str
    method: str = "text"
    """"text" (text layer or markup), "ocr", "needs_ocr" when a scan could not be
    read, or "failed" when the page could not be read at all (see warnings)."""
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def chars(self) -> int:
        return len(self.text)


@dataclass(frozen=True)
class ExtractedDocument:
    path: str
    media_type: str
    pages: tuple[PageText, ...]
    warnings: tuple[str, ...] = ()
    """About the document as a whole (pages beyond the limit, time limit reached)."""
    extractor_version: str = EXTRACTOR_VERSION

    def to_json(self) -> dict:
        """The stable `vigie extract --json` format."""
        return {
            "file": self.path,
            "media_type": self.media_type,
            "extractor_version": self.extractor_version,
            "pages": [
                {"number": p.number, "text": p.text, "chars": p.chars, "method": p.method, "warnings": list(p.warnings)}
                for p in self.pages
            ],
            "warnings": list(self.warnings),
            "errors": [],
        }

    @classmethod
    def from_json(cls, data: dict) -> "ExtractedDocument":
        return cls(
            path=data["file"],
            media_type=data["media_type"],
            extractor_version=data["extractor_version"],
            warnings=tuple(data.get("warnings", ())),
            pages=tuple(
                PageText(number=p["number"], text=p["text"], method=p["method"], warnings=tuple(p["warnings"]))
                for p in data["pages"]
            ),
        )
