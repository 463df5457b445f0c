"""The platform file: 14 demands, validated at load, versioned by content."""

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.platform import DEFAULT_PLATFORM, load_platform

DEMAND = """
[[demand]]
id = "{id}"
title = "Logement"
wording = "Respecter la loi SRU."
wording_status = "published"
terms = {terms}
"""


def write_platform(path: Path, *demands: str, header: str = '[platform]\nname = "Essai"\n') -> Path:
    path.write_text(header + "".join(demands), encoding="utf-8")
    return path


def test_the_shipped_platform_has_fourteen_demands_with_stable_ids() -> None:
    platform = load_platform()
    assert [d.id for d in platform.demands] == [f"D{n:02d}" for n in range(1, 15)]
    assert {d.id for d in platform.demands if d.wording_status == "published"} == {"D01", "D02", "D03", "D04", "D05"}
    assert all(d.terms for d in platform.demands)
    assert "SRU" in platform.demand("D01").acronyms
    assert "domiciliation" in platform.demand("D08").not_with


def test_the_version_changes_when_the_file_changes(tmp_path: Path) -> None:
    copy = tmp_path / "platform.toml"
    copy.write_bytes(DEFAULT_PLATFORM.read_bytes())
    before = load_platform(copy).version
    copy.write_text(copy.read_text(encoding="utf-8").replace('"HLM", ', ""), encoding="utf-8")
    assert load_platform(copy).version != before


def test_a_duplicate_id_is_named(tmp_path: Path) -> None:
    path = write_platform(tmp_path / "p.toml", DEMAND.format(id="D01", terms='["SRU"]'), DEMAND.format(id="D01", terms='["HLM"]'))
    with pytest.raises(ConfigError, match=r"p\.toml, demand #2\.id \(D01\): duplicate id"):
        load_platform(path)


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    path = write_platform(tmp_path / "p.toml", DEMAND.format(id="D01", terms='["SRU"]') + 'synonymes = ["x"]\n')
    with pytest.raises(ConfigError, match=r"demand #1\.synonymes"):
        load_platform(path)


@pytest.mark.parametrize("terms", ["[]", '["SRU", "  "]'])
def test_empty_patterns_are_refused(tmp_path: Path, terms: str) -> None:
    path = write_platform(tmp_path / "p.toml", DEMAND.format(id="D01", terms=terms))
    with pytest.raises(ConfigError, match=r"demand #1 \(D01\)\.terms"):
        load_platform(path)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cassé.toml"
    path.write_text("[platform\nname = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="cassé.toml: not valid UTF-8 TOML"):
        load_platform(path)
