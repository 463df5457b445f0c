"""The bundled sample corpus is rebuilt, byte for byte, by its script."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from collect.sources import read_sources
from tests.conftest import SAMPLES


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_script_rebuilds_the_committed_samples(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "make_samples.py", tmp_path / "make_samples.py")
    subprocess.run([sys.executable, str(tmp_path / "make_samples.py")], check=True, capture_output=True)
    # samples/elections has its own generator, checked in tests/test_lists.py.
    committed = sorted(
        p.relative_to(SAMPLES)
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.suffix in {".pdf", ".html", ".csv"} and "elections" not in p.parts
    )
    assert committed, "no sample files"
    for relative in committed:
        assert digest(tmp_path / relative) == digest(SAMPLES / relative), relative


def test_every_sample_source_exists_and_three_lists_share_two_communes() -> None:
    sources = read_sources(SAMPLES / "sources.csv")
    assert all(Path(s.location).is_file() for s in sources)
    assert len({s.candidate_list.key for s in sources}) >= 3
    assert len({s.candidate_list.commune_insee for s in sources}) == 2
