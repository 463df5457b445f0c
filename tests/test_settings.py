"""Settings come from VIGIE_* variables, once, and bad values are named."""

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import describe, load_settings


def test_defaults_use_a_local_node_and_a_catalogue_in_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.local_node
    assert settings.elasticsearch_url == "http://127.0.0.1:9200"
    assert settings.catalogue == f"sqlite:///{tmp_path / 'catalogue.sqlite'}"


def test_variables_are_read_with_the_vigie_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path / "ailleurs"))
    monkeypatch.setenv("VIGIE_ES_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("VIGIE_INDEX_PREFIX", "nord")
    settings = load_settings()
    assert settings.data_dir == tmp_path / "ailleurs"
    assert settings.elasticsearch_url == "http://127.0.0.1:9999"
    assert not settings.local_node
    assert settings.index_prefix == "nord"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VIGIE_ES_PORT", "80"),
        ("VIGIE_ES_PORT", "douze"),
        ("VIGIE_INDEX_PREFIX", "Majuscules Interdites"),
        ("VIGIE_ES_URL", "127.0.0.1:9200"),
        ("VIGIE_MAX_FILE_MB", "-1"),
    ],
)
def test_an_invalid_value_fails_at_start_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert error.value.field == variable
    assert variable in str(error.value)


def test_describe_lists_every_setting_by_its_variable(tmp_path: Path) -> None:
    values = describe(load_settings(data_dir=tmp_path))
    assert values["VIGIE_DATA_DIR"] == str(tmp_path)
    assert "VIGIE_INDEX_PREFIX" in values and "VIGIE_ES_URL" in values


def test_secrets_are_never_printed(tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path, smtp_password="mot-de-passe", webhook_secret="secret-partagé")
    printed = "\n".join(describe(settings).values())
    assert "mot-de-passe" not in printed and "secret-partagé" not in printed
    assert settings.smtp_password.get_secret_value() == "mot-de-passe"


def test_a_password_inside_a_url_setting_never_shows_in_repr_print_or_json(tmp_path) -> None:
    settings = load_settings(
        data_dir=tmp_path, es_url="http://vigie:mot-de-passe@127.0.0.1:9200", catalogue_url="postgresql://vigie:autre-secret@127.0.0.1/vigie"
    )
    shown = [repr(settings), str(settings), settings.model_dump_json(), *describe(settings).values()]
    assert [s for s in shown if "mot-de-passe" in s or "autre-secret" in s] == []
    assert describe(settings)["VIGIE_ES_URL"] == "http://vigie:***@127.0.0.1:9200"
    assert describe(settings)["(catalogue)"] == "postgresql://vigie:***@127.0.0.1/vigie"
    assert settings.elasticsearch_url == "http://vigie:mot-de-passe@127.0.0.1:9200"  # still what the client connects with


def test_a_refused_url_setting_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_ES_URL", "ftp://vigie:mot-de-passe@127.0.0.1")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert error.value.field == "VIGIE_ES_URL"
    assert "mot-de-passe" not in f"{error.value} {error.value.__cause__}"
