"""Documents to pages of text (pdfplumber, HTML), to sentences, to demand mentions (spaCy)."""

from extract.detect import COMMITMENT, MENTION, OPPOSITION, Detector, Mention, SentenceMentions
from extract.document import extract_document, sniff
from extract.model import EXTRACTOR_VERSION, ExtractedDocument, PageText
from extract.nlp import load_pipeline
from extract.sentences import Sentence, split_sentences

__all__ = [
    "COMMITMENT",
    "EXTRACTOR_VERSION",
    "MENTION",
    "OPPOSITION",
    "Detector",
    "ExtractedDocument",
    "Mention",
    "PageText",
    "Sentence",
    "SentenceMentions",
    "extract_document",
    "load_pipeline",
    "sniff",
    "split_sentences",
]
