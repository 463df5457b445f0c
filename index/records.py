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
    verdicts: Mapping[str, object] | None = None,
) -> Iterator[dict]:
    """Bulk actions for one document version: the document, its pages, its mentions.

    `targets` names the index of each kind (the aliases, or a generation
    being rebuilt); `base` holds the list and document fields every record
    carries (see `index.schema`); `analysed[i]` are the sentences of
    `extracted.pages[i]`. `verdicts` maps mention ids to analysts'
    corrections (`tracking.corrections.Correction`: `demand_after`,
    `level_after`, `action`, `by`): a rejected mention is left out, a changed
    one carries the analyst's demand and level beside the detector's.
    """
    verdicts = verdicts or {}
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
                verdict = verdicts.get(mention_id)
                if verdict is not None and verdict.action == "reject":
                    continue
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
                        **(corrected_fields(mention.demand, mention.level, verdict) if verdict is not None else {}),
                    },
                }


def corrected_fields(detector_demand: str, detector_level: str, verdict) -> dict:
    """The fields an analyst's verdict sets on a mention record (not a rejection)."""
    return {
        "demand": verdict.demand_after,
        "level": verdict.level_after,
        "corrected": "changed" if verdict.action == "change" else "confirmed",
        "corrected_by": verdict.by,
        "detector_demand": detector_demand,
        "detector_level": detector_level,
    }
