"""Documents to pages of text (pdfplumber and a layout model of blocks, OCR, HTML, DOCX), and, in
`extract.sentences`, `extract.detect` and `extract.levels`, sentences and
demand mentions (spaCy).

Only the extraction surface is imported here: the process that extracts a
document in isolation (`extract.isolated`) must not load spaCy.
"""

from extract.document import extract_document, sniff
from extract.limits import ExtractionLimits
from extract.model import EXTRACTOR_VERSION, ExtractedDocument, PageBlock, PageText

__all__ = [
    "EXTRACTOR_VERSION",
    "ExtractedDocument",
    "ExtractionLimits",
    "PageBlock",
    "PageText",
    "extract_document",
    "sniff",
]
