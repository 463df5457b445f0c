"""The root `vigie` group, lazy: it imports a command's module only when that command is wanted."""

from __future__ import annotations

import importlib

import click
import typer.core
import typer.main

# Every command and sub-app of `vigie`, in the order `vigie --help` lists them:
# the module whose `commands` Typer defines it, and its help line, so that
# `vigie --help` lists them all without importing every module (spaCy,
# Prefect and the web app take seconds). tests/test_cli.py checks the lines
# against the commands.
COMMANDS: dict[str, tuple[str, str]] = {
    "settings": ("cli.settings", 'Print the effective settings.'),
    "run": ("cli.pipeline", 'Run the programme pipeline (collect, extract, detect, index) on a sources file.'),
    "search": ("cli.reading", "Search the programmes' pages, or with --demand/--level the sentences where demands were found."),
    "extract": ("cli.extract", 'Print the text of a PDF, HTML, DOCX or text file, page by page.'),
    "detect": ("cli.detection", "Detect the platform's demands, sentence by sentence."),
    "eval": ("cli.detection", 'Score the detectors on labelled sentences: the rules alone, the trained model alone and both combined, beside a naive keyword baseline, with the false alarms on programme measures outside the platform.'),
    "train": ("cli.detection", "Train the detector's classifiers on the real labelled corpus (and corrections), deterministically."),
    "coverage": ("cli.coverage", 'For each declared list: programme archived (how many versions), missing, failed or scan only, and what the Ministry published.'),
    "serve": ("cli.pipeline", 'Serve the flows on their schedules (VIGIE_COLLECT_CRON, VIGIE_PROPAGANDE_CRON, VIGIE_PROCESS_CRON) until stopped.'),
    "scorecard": ("cli.reading", "The 14-demand scorecard of a list or a commune's lists, or coverage per demand."),
    "silences": ("cli.reading", "The demands each list's programme never addresses at all."),
    "diff": ("cli.reading", "What changed between two versions of a list's programme: promises that appeared, disappeared or changed level."),
    "reindex": ("cli.pipeline", 'Rebuild every index from the archive and the catalogue, then serve it in one atomic switch.'),
    "web": ("cli.web", 'Serve the web app (search, scorecards, follow-up) on VIGIE_WEB_HOST:VIGIE_WEB_PORT until stopped.'),
    "report": ("cli.export", 'A printable report for a commune, HTML or PDF: its lists side by side on the 14 demands, with quotations.'),
    "es": ("cli.es", 'The search node (Elasticsearch or OpenSearch, VIGIE_ENGINE): the local one Vigie runs, or VIGIE_ES_URL.'),
    "collect": ("cli.collect", 'Collect documents from the sites that publish them (the Ministry\'s professions de foi).'),
    "archive": ("cli.archive", 'The archive of every programme version collected.'),
    "lists": ("cli.lists", 'The candidate lists declared at the prefectures (Ministry open data).'),
    "results": ("cli.lists", 'Election results by commune (Ministry open data).'),
    "sources": ("cli.sources", 'The programme sources registry: which list publishes which programme, where.'),
    "alerts": ("cli.alerts", 'Saved searches, and their hits that are new since the last check (e-mail and webhook delivery).'),
    "users": ("cli.users", 'Accounts of the web app: editors write follow-up records, admins manage accounts.'),
    "corrections": ("cli.export", "Analysts' corrections of detected mentions (made in the web app)."),
    "export": ("cli.export", 'Exports for spreadsheets and scripts: CSV (with --bom for Excel) or JSON.'),
}


def module_group(module: str) -> click.Group:
    """The click group of a command module's `commands` Typer (its commands and sub-apps)."""
    return typer.main.get_group(importlib.import_module(module).commands)


class LazyGroup(typer.core.TyperGroup):
    """Lists every command from `COMMANDS`; builds one only when it is run or its own help is shown."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, summary = COMMANDS[cmd_name]
        if self._listing:  # only its line in the root's help is wanted
            return click.Command(cmd_name, help=summary)
        return module_group(module).commands.get(cmd_name)
