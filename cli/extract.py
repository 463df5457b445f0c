"""`vigie extract`: the text of one file, page by page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import err, out, print_json, settings_of
from config.errors import VigieError
from extract.debug import write_debug_pngs
from extract.isolated import extract_isolated
from extract.limits import ExtractionLimits

commands = typer.Typer()


@commands.command("extract")
def extract_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A PDF, HTML, DOCX or text file.")],
    as_json: Annotated[bool, typer.Option("--json", help="The stable JSON format, errors included.")] = False,
    debug_png: Annotated[
        Path | None,
        typer.Option("--debug-png", help="Write each page of a PDF to this folder as a PNG, its blocks drawn and numbered in reading order."),
    ] = None,
) -> None:
    """Print the text of a PDF, HTML, DOCX or text file, page by page.

    Example: vigie extract --json samples/programmes/moulins-en-commun.pdf
    Example: vigie extract programme.pdf --debug-png pages/
    """
    settings = settings_of(ctx)
    try:
        extracted = extract_isolated(file, limits=ExtractionLimits.from_settings(settings))
    except VigieError as exc:
        if as_json:
            print_json({"file": str(file), "pages": [], "warnings": [], "errors": [str(exc)]})
        else:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True, style="red")
        raise typer.Exit(1) from None
    if debug_png is not None:
        if extracted.media_type != "application/pdf":
            err.print(f"error: {file}: --debug-png draws the pages of a PDF; this file is {extracted.media_type}", highlight=False)
            raise typer.Exit(1)
        try:
            written = write_debug_pngs(file, extracted, debug_png)
        except VigieError as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True, style="red")
            raise typer.Exit(1) from None
        err.print(f"{len(written)} pages drawn in {debug_png}", highlight=False, markup=False)
    if as_json:
        print_json(extracted.to_json())
        return
    for warning in extracted.warnings:
        err.print(f"warning: {warning}", highlight=False, markup=False)
    for page in extracted.pages:
        out.print(f"── page {page.number} ({page.method}, {page.chars} characters)", highlight=False, markup=False)
        for warning in page.warnings:
            err.print(f"warning: {warning}", highlight=False, markup=False)
        out.print(page.text, highlight=False, markup=False)
