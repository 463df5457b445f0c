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


# The data's one way, read off the folders: a package imports only from those before it.
PACKAGES_BELOW = {
    "config": set(),
    "storage": {"config"},
    "extract": {"config"},
    "collect": {"config", "storage", "extract"},
    "index": {"config", "extract"},
    "tracking": {"config", "storage", "extract", "collect", "index"},
    "flows": {"config", "storage", "extract", "collect", "index", "tracking"},
    "web": {"config", "storage", "extract", "collect", "index", "tracking"},
    "cli": {"config", "storage", "extract", "collect", "index", "tracking", "flows", "web"},
}


def imports_of(path) -> set[str]:
    """The project modules a file imports, wherever in the file."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES_BELOW}


def project_modules() -> dict[str, set[str]]:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    modules = {}
    for package in PACKAGES_BELOW:
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts:  # run by Alembic, not imported
                continue
            name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = imports_of(path)
    return {name: {target for target in targets if target in modules} for name, targets in modules.items()}


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if target.split(".")[0] not in PACKAGES_BELOW[module.split(".")[0]] | {module.split(".")[0]}
    )


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str], done: set[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in path:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in done:
                done.add(target)
                visit(target, path + [target], done)

    for module in sorted(graph):
        visit(module, [module], {module})
    return cycles


def test_each_package_imports_only_from_the_packages_before_it() -> None:
    assert layer_violations(project_modules()) == []


def test_no_module_imports_itself_back_through_others() -> None:
    assert import_cycles(project_modules()) == []


def test_the_checks_see_a_layer_violation_and_a_cycle() -> None:
    assert layer_violations({"storage.catalogue": {"collect.sources"}, "collect.sources": {"storage.records"}}) == [
        "storage.catalogue imports collect.sources"
    ]
    assert import_cycles({"web.app": {"web.pages"}, "web.pages": {"web.app"}}) == [
        ["web.app", "web.pages", "web.app"],
        ["web.pages", "web.app", "web.pages"],
    ]
    assert "storage.schema" in project_modules()["storage.catalogue"]
