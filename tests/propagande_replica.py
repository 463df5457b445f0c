"""A local replica of the Ministry's publication of professions de foi, built
by the tests on the HTTP test server (127.0.0.1): JSON files in the site's
shape, generated PDFs, and its quirks ("0" for an absent document, a round not
published, a bot-challenge HTML page, a malformed file, 429s, slow answers)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.factories import make_pdf
from tests.httpserver import ProgrammeServer

ELECTION = "elections-municipales-2026"
SECTORS = "elections-arrondissements-2026"
METROPOLITAN = "elections-metropolitaines-2026"
CHALLENGE = b"<!DOCTYPE html><html><head><title>Un instant...</title></head><body>Verifying you are human</body></html>"


@dataclass
class Replica:
    server: ProgrammeServer
    folder: Path
    communes: dict[tuple[int, str], list[dict]] = field(default_factory=dict)
    """(round, département) → the département's communes."""
    sectors: dict[tuple[int, str], list[dict]] = field(default_factory=dict)
    """(round, commune) → the commune's sectors, in the sector election."""
    circonscriptions: dict[int, list[dict]] = field(default_factory=dict)
    """round → the metropolitan election's circonscriptions."""

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/{ELECTION}/"

    def json_path(self, name: str, election: str = ELECTION) -> str:
        return f"/{election}/data-json/{name}.json"

    def document_path(self, document_id: str, election: str = ELECTION) -> str:
        return f"/{election}/data-pdf/{document_id}.pdf"

    def publish(self, name: str, items: list[dict], election: str = ELECTION) -> None:
        path = self.json_path(name, election)
        self.server.state.files[path] = json.dumps({"data": items}, ensure_ascii=False).encode("utf-8")
        self.server.state.types[path] = "application/json"

    def commune(self, round: int, departement: str, insee: str, name: str, candidates: list[dict]) -> None:
        """A commune of a round with its candidate records; the département lists are kept in step."""
        self.communes.setdefault((round, departement), []).append({"id": insee, "com": name})
        departements = sorted({code for (r, code) in self.communes if r == round})
        self.publish(f"{round}_departements", [{"id": code, "name": f"Département {code}"} for code in departements])
        self.publish(f"{round}_communes_dpt_{departement}", self.communes[(round, departement)])
        self.publish(f"{round}_candidats_com_{insee}", candidates)

    def sector(self, round: int, insee: str, commune: str, sector: str, name: str, candidates: list[dict]) -> None:
        """A sector of Paris, Lyon or Marseille in the sector election, as the site lists it."""
        held = self.sectors.setdefault((round, insee), [])
        held.append({"id": sector, "sect": name, "_commune": commune})
        communes = {code: items[0]["_commune"] for (r, code), items in sorted(self.sectors.items()) if r == round}
        self.publish(f"{round}_communes", [{"id": code, "name": name} for code, name in communes.items()], SECTORS)
        self.publish(f"{round}_sects_com_{insee}", [{"id": s["id"], "sect": s["sect"]} for s in held], SECTORS)
        self.publish(f"{round}_candidats_sect_{sector}", candidates, SECTORS)

    def circonscription(self, round: int, code: str, name: str, candidates: list[dict]) -> None:
        """A circonscription of the Lyon metropolitan election."""
        self.circonscriptions.setdefault(round, []).append({"codeCirco": code, "circo": name})
        self.publish(f"{round}_circonscriptions", self.circonscriptions[round], METROPOLITAN)
        self.publish(f"{round}_candidats_circo_{code}", candidates, METROPOLITAN)

    def document(self, document_id: str, lines: list[str], election: str = ELECTION) -> None:
        pdf = make_pdf(self.folder / f"{election}-{document_id}.pdf", [lines])
        self.server.state.files[self.document_path(document_id, election)] = pdf.read_bytes()

    def document_requests(self) -> list[str]:
        return [path for path, _ in self.server.state.requests if "/data-pdf/" in path]


def candidate(panel: int, name: str, *, pdf: str = "0", pdf_acc: str = "0", falc: str = "0", falc_acc: str = "0") -> dict:
    """A candidate record as the site serves it: "<id>|<n>" or "0" for each document."""
    return {
        "candidat": name, "numPanneau": str(panel), "pdf": pdf, "pdf_acc": pdf_acc, "falc": falc, "falc_acc": falc_acc,
        "nuance": "LDIV",
    }  # fmt: skip
