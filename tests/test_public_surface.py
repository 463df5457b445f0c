"""Each package names what callers may use, and every name it lists exists."""

import importlib

import pytest


@pytest.mark.parametrize("package", ["config", "extract", "index"])
def test_the_public_names_exist(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__, key=str)
    assert [name for name in module.__all__ if not hasattr(module, name)] == []


def test_extraction_does_not_load_spacy() -> None:
    import subprocess
    import sys

    probe = "import sys, extract.isolated; print('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "False"
