"""What extraction produces: a document's pages of text."""

from __future__ import annotations

from dataclasses import dataclass, field

# Bump when extraction output changes, so stored text and index become stale.
EXTRACTOR_VERSION = "pdf-layout-1"


@dataclass(frozen=True)
class PageBlock:
    """One block of a page as it stands in the page text, in reading order."""

    kind: str
    """heading, body, list_item, table_row, caption or sidebar."""
    bbox: tuple[float, float, float, float]
    """(x0, top, x1, bottom) in PDF points from the page's top left."""
    text: str
    start: int
    end: int
    """Offsets of the block in the page text: `page.text[start:end] == text`."""
    heading: str | None = None
    """The heading of the section the block is in (the last heading before it on its page or an earlier one)."""

    def to_json(self, order: int) -> dict:
        return {
            "order": order, "kind": self.kind, "bbox": list(self.bbox), "text": self.text,
            "start": self.start, "end": self.end, "heading": self.heading,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> "PageBlock":
        return cls(
            kind=data["kind"], bbox=tuple(data["bbox"]), text=data["text"], start=data["start"], end=data["end"],
            heading=data.get("heading"),
        )  # fmt: skip


@dataclass(frozen=True)
class PageText:
    number: int
    text: str
    method: str = "text"
    """"text" (text layer or markup), "ocr", "needs_ocr" when a scan could not be
    read, or "failed" when the page could not be read at all (see warnings)."""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    blocks: tuple[PageBlock, ...] = ()
    """The page's blocks in reading order (PDF text pages; empty for OCR, HTML, DOCX and plain text)."""

    @property
    def chars(self) -> int:
        return len(self.text)

    def heading_at(self, offset: int) -> str | None:
        """The heading of the section that the text at `offset` is in."""
        found = None
        for block in self.blocks:
            if block.start > offset:
                break
            found = block.text if block.kind == "heading" else block.heading
        return " ".join(found.split()) if found else None


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
                {
                    "number": p.number, "text": p.text, "chars": p.chars, "method": p.method, "warnings": list(p.warnings),
                    "blocks": [block.to_json(order) for order, block in enumerate(p.blocks, start=1)],
                }  # fmt: skip
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
                PageText(
                    number=p["number"], text=p["text"], method=p["method"], warnings=tuple(p["warnings"]),
                    blocks=tuple(PageBlock.from_json(block) for block in p.get("blocks", ())),
                )
                for p in data["pages"]
            ),
        )
