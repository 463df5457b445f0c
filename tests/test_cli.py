"""The `vigie` command line, as a user types it."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from index.client import connect, server_info
from index.runtime import node_pid
from tests.conftest import SAMPLES

runner = CliRunner()


def vigie(*args: str, **env: str):
    return runner.invoke(app, list(args), env={f"VIGIE_{k.upper()}": str(v) for k, v in env.items()})


def node_env(settings) -> dict[str, str]:
    return {"data_dir": str(settings.data_dir), "es_port": str(settings.es_port), "index_prefix": settings.index_prefix}


def test_an_invalid_setting_stops_every_command_with_its_name() -> None:
    result = vigie("settings", es_port="quatre-vingt")
    assert result.exit_code == 1
    assert "VIGIE_ES_PORT" in result.output


@pytest.mark.es
def test_es_status_reports_the_version_the_server_gives(es_node) -> None:
    result = vigie("es", "status", **node_env(es_node))
    assert result.exit_code == 0, result.output
    version = server_info(connect(es_node))["version"]
    title = {"opensearch": "OpenSearch"}.get(version.get("distribution"), "Elasticsearch")
    assert f"{title} {version['number']} at http://127.0.0.1:{es_node.es_port}" in result.output
    assert "health green" in result.output or "health yellow" in result.output


@pytest.mark.es
def test_es_start_reuses_the_running_node(es_node) -> None:
    result = vigie("es", "start", **node_env(es_node))
    assert result.exit_code == 0, result.output
    assert f"already running at http://127.0.0.1:{es_node.es_port} (pid {node_pid(es_node)})" in result.output


@pytest.mark.es
def test_es_start_on_a_taken_port_says_so(es_node, tmp_path) -> None:
    result = vigie("es", "start", data_dir=str(tmp_path), es_port=str(es_node.es_port))
    assert result.exit_code == 1
    assert f"port {es_node.es_port} on 127.0.0.1 is taken by another process" in result.output
    assert "VIGIE_ES_PORT" in result.output


@pytest.mark.es
def test_nothing_is_started_or_stopped_when_a_cluster_url_is_set(es_node, tmp_path) -> None:
    for command in ("start", "stop"):
        result = vigie("es", command, data_dir=str(tmp_path), es_url=es_node.elasticsearch_url)
        assert result.exit_code == 0
        assert "VIGIE_ES_URL is set" in result.output
    assert node_pid(es_node) is not None


@pytest.mark.es
@pytest.mark.prefect
def test_run_then_search_names_the_list_the_commune_and_the_page(es_settings, prefect_harness) -> None:
    env = {"data_dir": str(es_settings.data_dir), "es_url": es_settings.elasticsearch_url, "index_prefix": es_settings.index_prefix}
    run = vigie("run", str(SAMPLES / "sources.csv"), **env)
    assert run.exit_code == 0, run.output
    assert re.search(r"5 documents \(5 new versions\): 5 indexed, 0 unchanged, 0 failed; \d+ pages, \d+ mentions; 5 list scorecards", run.output)

    search = vigie("search", '"centre de santé municipal"', **env)
    assert search.exit_code == 0, search.output
    assert "Moulins en commun — Moulins-sur-Lys, page 2" in search.output

    health = vigie("lists", "find", "--commits-to", "D07", "--departement", "59", **env)
    assert health.exit_code == 0, health.output
    assert "59698-1  Moulins en commun (Moulins-sur-Lys, LUG)" in health.output
    assert "62991" not in health.output


@pytest.mark.es
def test_search_without_a_reachable_cluster_is_one_clear_line(tmp_path) -> None:
    from tests.conftest import free_local_port

    result = vigie("search", "crèche", data_dir=str(tmp_path), es_url=f"http://127.0.0.1:{free_local_port(9100, 9199)}")
    assert result.exit_code == 1
    assert "cannot be reached; start the local node with `vigie es start`" in result.output


def test_extract_json_is_the_stable_format(tmp_path) -> None:
    import json

    result = vigie("extract", "--json", str(SAMPLES / "programmes" / "moulins-en-commun.pdf"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"file", "pages", "errors"}
    assert data["errors"] == []
    assert [page["number"] for page in data["pages"]] == [1, 2, 3]
    assert set(data["pages"][0]) >= {"number", "text", "method", "warnings"}
    assert "Nous créerons un centre de santé municipal" in " ".join(data["pages"][1]["text"].split())


def test_extract_json_reports_an_unreadable_file_as_an_error(tmp_path) -> None:
    import json

    empty = tmp_path / "vide.pdf"
    empty.write_bytes(b"")
    result = vigie("extract", "--json", str(empty))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["pages"] == []
    assert data["errors"] == [f"{empty}: the file is empty"]


def test_detect_jsonl_answers_line_for_line_in_order(tmp_path) -> None:
    import json

    source = tmp_path / "phrases.jsonl"
    lines = [
        {"id": "a", "text": "Nous créerons un centre de santé avec 3 médecins salariés d'ici 2028."},
        {"id": 7, "text": "Merci à toutes et à tous."},
        {"id": "c", "text": "Nous vendrons une partie du parc social."},
    ]
    source.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    result = vigie("detect", "--jsonl", str(source))
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["id"] for a in answers] == ["a", 7, "c"]
    [health] = answers[0]["mentions"]
    assert (health["demand"], health["level"], health["evidence"]) == ("D07", "commitment", "centre de santé")
    assert lines[0]["text"][health["start"] : health["end"]] == "centre de santé"
    assert 0 < health["score"] <= 1
    assert [q["text"] for q in health["quantities"]] == ["3 médecins salariés", "d'ici 2028"]
    assert answers[1]["mentions"] == []
    assert [(m["demand"], m["level"]) for m in answers[2]["mentions"]] == [("D01", "opposition")]


def test_detect_on_a_file_prints_sentences_with_their_page(tmp_path) -> None:
    result = vigie("detect", str(SAMPLES / "programmes" / "moulins-avenir.pdf"))
    assert result.exit_code == 0, result.output
    assert "p.1  [D03 opposition" in result.output
    assert "Nous confierons la gestion de l'eau à un opérateur privé." in result.output


def library_figures(data: Path):
    """What the evaluation functions give on `data`, for the detector a test's settings make (the rules alone)."""
    from config.settings import load_settings
    from extract.evaluation import evaluate, false_alarms, naive_baseline, read_labelled, score_detectors
    from flows.stages import make_detector

    detector = make_detector(load_settings())
    gold = read_labelled(data)
    guessed = naive_baseline(detector.platform, (item.text for item in gold))
    baseline = evaluate(gold, guessed, [d.id for d in detector.platform.demands])
    return detector, gold, score_detectors(detector, gold), baseline, false_alarms(gold, guessed)


def table_row(output: str, name: str) -> list[str]:
    """The figures of the row `name` of `vigie eval`'s table."""
    [line] = [line for line in output.splitlines() if line.startswith(f"{name:13}")]
    return line[13:].split()


def test_eval_prints_the_figures_of_the_evaluation_on_the_real_test_split() -> None:
    from extract.evaluation import REAL_TEST_SPLIT

    result = vigie("eval")
    assert result.exit_code == 0, result.output
    detector, gold, scored, baseline, base_alarms = library_figures(REAL_TEST_SPLIT)
    lines = result.output.splitlines()
    assert lines[0] == (
        f"data: {REAL_TEST_SPLIT}, real test split: never tuned on "
        "(sentences of real programmes whose source documents were never used to train or tune the detector)"
    )
    assert lines[1] == f"{len(gold)} sentences, {sum(1 for g in gold if not g.labels)} without any demand"
    # No trained detector in a test's settings: the rules alone, and the command says so.
    assert list(scored) == ["rules"]
    assert "no trained detector at" in result.output and "run `vigie train`" in result.output
    rules = scored["rules"].evaluation
    for demand in (d.id for d in detector.platform.demands):
        assert table_row(result.output, demand) == [f"{rules.per_demand[demand].f1:.2f}", f"{baseline.per_demand[demand].f1:.2f}"]
    for name, value in (
        ("micro P", lambda e: e.micro.precision), ("micro R", lambda e: e.micro.recall), ("micro F1", lambda e: e.micro.f1),
        ("level acc.", lambda e: e.level_accuracy),
    ):  # fmt: skip
        assert table_row(result.output, name) == [f"{value(rules):.2f}", f"{value(baseline):.2f}"], name
    assert table_row(result.output, "false alarms")[:2] == [f"{scored['rules'].false_alarms.rate:.1%}", f"{base_alarms.rate:.1%}"]
    assert f"(on {base_alarms.measures} programme measures outside the platform)" in result.output
    confusion = ", ".join(f"{g}→{p} {n}" for (g, p), n in rules.confusion.most_common(8))
    assert f"most frequent confusions of rules (gold→found): {confusion}" in result.output
    assert rules.micro.tp > 0 and baseline.micro.tp > 0  # figures of something, not of an empty set


def test_eval_json_figures_are_the_evaluations() -> None:
    import json

    from extract.evaluation import LABELLED_SETS

    [heldout] = [known for known in LABELLED_SETS if known.key == "detection-heldout"]
    result = vigie("eval", "--json", "--data", str(heldout.path))
    assert result.exit_code == 0, result.output
    detector, gold, scored, baseline, base_alarms = library_figures(heldout.path)
    answer = json.loads(result.stdout)
    assert answer["data"] == {
        "path": str(heldout.path), "set": "detection-heldout", "name": "held-out set", "tuned_on": False, "what": heldout.what,
    }  # fmt: skip
    assert answer == {
        "data": answer["data"], "sentences": len(gold), "detector": "rules",
        "detectors": {"rules": scored["rules"].to_json()}, "baseline": {**baseline.to_json(), "false_alarms": base_alarms.to_json()},
    }  # fmt: skip
    micro = scored["rules"].evaluation.micro
    assert [answer["detectors"]["rules"]["micro"][key] for key in ("tp", "fp", "fn", "f1")] == [micro.tp, micro.fp, micro.fn, round(micro.f1, 4)]
    assert micro.tp > 0


def test_eval_names_the_set_it_scored_by_its_content(tmp_path) -> None:
    from extract.evaluation import LABELLED_SETS

    [dev] = [known for known in LABELLED_SETS if known.key == "detection-dev"]
    copy = tmp_path / "jeu.jsonl"
    copy.write_bytes(dev.path.read_bytes())  # the development set under another name is still the development set
    result = vigie("eval", "--data", str(copy))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"data: {copy}, development set: tuned on (sentences written for the project, on which the rules were written and tuned)"
    )
    edited = tmp_path / "autre.jsonl"
    edited.write_text("\n".join(dev.path.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    result = vigie("eval", "--data", str(edited))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"data: {edited}, not one of the project's labelled sets: whether the detector was tuned on it is unknown",
        "3 sentences, 2 without any demand",
    ]


def test_lists_import_ends_with_its_one_line_summary(tmp_path) -> None:
    import json

    sample = SAMPLES / "elections" / "listes-2026-tour1.csv"
    first = vigie("lists", "import", str(sample), data_dir=str(tmp_path))
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1] == "lists: 6 new, 0 updated, 0 unchanged; candidates: 40; warnings: 0"
    again = vigie("lists", "import", "--json", str(sample), data_dir=str(tmp_path))
    assert json.loads(again.output) == {"lists_new": 0, "lists_updated": 0, "lists_unchanged": 6, "candidates": 40, "warnings": 0}


def test_results_import_marks_the_winners(tmp_path) -> None:
    vigie("lists", "import", str(SAMPLES / "elections" / "listes-2026-tour1.csv"), data_dir=str(tmp_path))
    result = vigie("results", "import", str(SAMPLES / "elections" / "resultats-2026-tour1.csv"), data_dir=str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "results: 6 lists, 2 elected; warnings: 0"


def test_names_from_data_print_as_they_are_never_as_console_markup(tmp_path) -> None:
    missing = tmp_path / "[red]programme[/red].pdf"
    result = vigie("extract", str(missing), data_dir=str(tmp_path))
    assert result.exit_code == 1
    assert "[red]programme[/red].pdf" in result.output


def test_the_root_help_lists_every_command_with_its_own_help_line() -> None:
    # The root help is written from cli.lazy's table (not importing every module): the table must say what the commands say.
    from cli.lazy import COMMANDS, module_group

    for name, (module, summary) in COMMANDS.items():
        command = module_group(module).commands[name]
        assert summary == " ".join((command.short_help or command.help or "").split("\n\n")[0].split()), name
    modules = {module for module, _ in COMMANDS.values()}
    assert {name for module in modules for name in module_group(module).commands} == set(COMMANDS)

    listed = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    for name, (_, summary) in COMMANDS.items():
        assert re.search(rf"│ {name} +{re.escape(summary[:40])}", listed.stdout), name
