"""From a document version and its analysed pages to Elasticsearch records.

Ids are derived from content (document version, page, offsets, demand), so
indexing the same input twice writes the same records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from extract.detect import SentenceMentions
from extract.model import ExtractedDocument


def document_records(
    targets: Mapping[str, str],
    base: Mapping[str, object],
    extracted: ExtractedDocument,
    analysed: Sequence[Sequence[SentenceMentions]],
    platform_version: str,
) -> Iterator[dict]:
    """Bulk actions for one document version: the document, its pages, its mentions.

    `targets` names the index of each kind (the aliases, or a generation
    being rebuilt); `base` holds the list and document fields every record
    carries (see `index.schema`); `analysed[i]` are the sentences of
    `extracted.pages[i]`.
    """
    doc_id = str(base["doc_id"])
    yield {
        "_index": targets["documents"],
        "_id": doc_id,
        "_source": {**base, "record_id": doc_id, "pages": len(extracted.pages), "warnings": list(extracted.warnings)},
    }
    for page, sentences in zip(extracted.pages, analysed):
        page_id = f"{doc_id}-p{page.number}"
        yield {
            "_index": targets["pages"],
            "_id": page_id,
            "_source": {
                **base,
                "record_id": page_id,
                "page": page.number,
                "text": page.text,
                "chars": page.chars,
                "method": page.method,
                "warnings": list(page.warnings),
            },
        }
        for item in sentences:
            for mention in item.mentions:
                mention_id = f"{doc_id}-p{page.number}-{mention.start}-{mention.end}-{mention.demand}"
                yield {
                    "_index": targets["mentions"],
                    "_id": mention_id,
                    "_source": {
                        **base,
                        "record_id": mention_id,
                        "page": page.number,
                        "demand": mention.demand,
                        "level": mention.level,
                        "score": mention.score,
                        "evidence": mention.evidence,
                        "sentence": item.sentence.text,
                        "start": mention.start,
                        "end": mention.end,
                        "platform_version": platform_version,
                        "quantities": mention.to_json()["quantities"],
                    },
                }
