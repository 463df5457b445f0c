"""OCR of scanned pages with Tesseract (Debian's tesseract-ocr and tesseract-ocr-fra)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

OCR_RESOLUTION = 300


class OcrUnavailable(Exception):
    """Tesseract, or its data for the language, is not installed."""


@lru_cache(maxsize=4)
def ocr_languages() -> frozenset[str]:
    """Languages the installed Tesseract can read (empty when it is not installed)."""
    binary = shutil.which("tesseract")
    if binary is None:
        return frozenset()
    result = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30)
    lines = (result.stdout + result.stderr).splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip() and " " not in line.strip())


def ocr_image(image, *, language: str, timeout_s: float) -> str:
    """Text of a PIL image, read by Tesseract in `language`."""
    if language not in ocr_languages():
        raise OcrUnavailable(
            f"Tesseract with {language!r} data is not installed "
            f"(Debian: apt-get install tesseract-ocr tesseract-ocr-{language})"
        )
    with tempfile.TemporaryDirectory(prefix="vigie-ocr-") as folder:
        # Grey levels, uncompressed: Tesseract reads no colour, and a PNG of a
        # colour page at 300 dpi took a tenth of the OCR time to compress. TIFF
        # rather than PGM: Leptonica reads a PGM a byte per call, 7 % of the
        # OCR time, and the text read is the same (20 bench pages out of 20).
        page = Path(folder) / "page.tif"
        image.convert("L").save(page)
        result = subprocess.run(
            ["tesseract", str(page), "stdout", "-l", language, "--psm", "3"],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            # Tesseract's OpenMP threads spin against each other and against the
            # other extraction processes: one thread reads a page in 1.6 s on
            # the 2-core machine, the default took 12 s. Pages run in parallel
            # processes instead.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    if result.returncode != 0:
        raise RuntimeError(f"tesseract failed: {result.stderr.strip()[-300:]}")
    return result.stdout
