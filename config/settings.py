"""The one typed settings object, read from ``VIGIE_*`` variables and ``.env``.

Built once at an entry point (the CLI, a flow run, a test) with
:func:`load_settings` and passed down; never re-created deep in the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_serializer, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.errors import ConfigError

ENV_PREFIX = "VIGIE_"

# The Elasticsearch cluster runner refuses HTTP ports above 9299.
LOCAL_PORT_RANGE = (1024, 9299)

_URLS_WITH_CREDENTIALS = ("es_url", "catalogue_url")
"""Settings whose URL may carry a password (user:password@host): shown with `redact_url`."""


def redact_url(url: str | None) -> str | None:
    """The URL with the password of its `user:password@` part replaced by
    ``***``, to print, log or store beside a run; None stays None."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not parseable as a URL: show nothing of it rather than a secret
        return "(unreadable URL)"
    if password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # A refused value may be a URL with a password in it: errors name the variable, never the value.
        hide_input_in_errors=True,
    )

    data_dir: Path = Path("data")
    """Where Vigie keeps its archive, catalogue, extracted text and local node data."""

    es_url: str | None = None
    """URL of an existing Elasticsearch or OpenSearch cluster; unset means the local node Vigie starts."""

    engine: Literal["elasticsearch", "opensearch"] = "elasticsearch"
    """The local node Vigie starts: Elasticsearch 7.10.2 or OpenSearch 3.8 (which needs Java 21 or newer).
    With `VIGIE_ES_URL`, the server's own answer tells which one it is."""

    index_prefix: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")] = "vigie"
    """Prefix of every index and alias, so several data sets share one cluster."""

    es_port: Annotated[int, Field(ge=LOCAL_PORT_RANGE[0], le=LOCAL_PORT_RANGE[1])] = 9200
    """HTTP port of the local node on 127.0.0.1 (1024-9299)."""

    es_nodes: Annotated[int, Field(ge=1, le=5)] = 1
    """Number of local nodes in the runner's JVM (several for cluster tests)."""

    index_shards: Annotated[int, Field(ge=1, le=64)] = 1
    """Primary shards of each index (more on a cluster of several nodes)."""

    index_replicas: Annotated[int, Field(ge=0, le=5)] = 0
    """Replicas of each shard (1 or more on a cluster: a node may go away without losing a shard)."""

    dask_address: str | None = None
    """A Dask scheduler (tcp://host:8786): extraction tasks then run on its workers through
    Prefect's Dask task runner. Unset: threads feeding local extraction processes."""

    es_heap_mb: Annotated[int, Field(ge=256, le=8192)] = 768
    """Java heap of the local node, in MiB."""

    es_start_timeout_s: Annotated[float, Field(gt=0)] = 180.0
    """How long `vigie es start` waits for the local node to be ready."""

    es_home: Path = Path.home() / ".cache" / "vigie" / "elasticsearch"
    """Cache folder for the local node's jars (Elasticsearch or OpenSearch) resolved from Maven Central."""

    java_home: Path | None = None
    """The JDK the local node runs on. Unset: JAVA_HOME, else `java` on PATH; for OpenSearch,
    the first of these that is Java 21 or newer, else the newest JDK under /usr/lib/jvm."""

    catalogue_url: str | None = None
    """SQLAlchemy URL of the catalogue; unset means SQLite in the data directory."""

    sources_file: Path | None = None
    """The programme sources registry (CSV); unset means sources.csv in the data directory."""

    spacy_model: str = "fr_core_news_sm"
    """Installed spaCy French pipeline used for sentences and detection."""

    detector: Literal["combined", "rules", "model"] = "combined"
    """combined: the platform's rules propose, the trained classifiers decide;
    rules: the rules alone; model: the classifiers alone. Without a trained
    detector (`vigie train`), the rules alone."""

    detector_model: Path = Path.home() / ".cache" / "vigie" / "detector"
    """Where `vigie train` writes the trained detector and detection reads it."""

    max_file_mb: Annotated[float, Field(gt=0)] = 50.0
    """Largest programme file accepted into the archive, in MiB."""

    extract_max_pages: Annotated[int, Field(ge=1)] = 1000
    """Pages read from one document; later pages are left out with a warning."""

    extract_page_timeout_s: Annotated[float, Field(gt=0)] = 60.0
    """Time limit for one page (text or OCR); a page over it is skipped with a warning."""

    extract_document_timeout_s: Annotated[float, Field(gt=0)] = 900.0
    """Time limit for one document; extraction stops there and keeps the pages read."""

    extract_memory_mb: Annotated[int, Field(ge=256)] = 2048
    """Memory limit of the process that extracts one document, in MiB."""

    ocr_language: str = "fra"
    """Tesseract language of scanned pages (Debian package tesseract-ocr-<language>)."""

    fetch_timeout_s: Annotated[float, Field(gt=0)] = 30.0
    """Time limit of one HTTP request for a programme."""

    fetch_retries: Annotated[int, Field(ge=0, le=10)] = 3
    """Retries of a fetch that failed on 429, 5xx, a timeout or a refused connection."""

    fetch_backoff_s: Annotated[float, Field(ge=0)] = 2.0
    """First wait before a fetch is retried (doubled each time, unless Retry-After says)."""

    fetch_allow_private: bool = False
    """Allow source URLs (and redirects) pointing inside private networks or at this machine."""

    propagande_url: str = "https://programme-candidats.interieur.gouv.fr/elections-municipales-2026/"
    """The Ministry's online publication of the lists' professions de foi (`vigie collect propagande`)."""

    propagande_rate: Annotated[float, Field(gt=0, le=50)] = 2.0
    """Requests per second to the Ministry's site, one at a time."""

    propagande_cron: str = "15 */3 * * *"
    """When `vigie serve` collects the Ministry's publication during the campaign (cron, server time)."""

    workers: Annotated[int, Field(ge=1, le=64)] = 2
    """Documents extracted at the same time (each in its own process)."""

    collect_cron: str = "0 */6 * * *"
    """When `vigie serve` collects the registered sources (cron, server time)."""

    process_cron: str = "30 2 * * *"
    """When `vigie serve` re-processes what is missing or stale (cron, server time)."""

    task_retries: Annotated[int, Field(ge=0, le=10)] = 2
    """Prefect retries of a failed stage task (fetch, index) before it is recorded as failed."""

    task_retry_delay_s: Annotated[float, Field(ge=0)] = 2.0
    """Delay between Prefect task retries, in seconds."""

    smtp_host: str | None = None
    """SMTP server alert e-mails are sent through; unset, saved searches with an e-mail address wait for it."""

    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    """Port of the SMTP server."""

    smtp_starttls: bool = True
    """Upgrade the SMTP connection with STARTTLS before logging in (false only for a local relay)."""

    smtp_user: str | None = None
    """SMTP login, when the server asks for one."""

    smtp_password: SecretStr | None = None
    """SMTP password (never printed)."""

    smtp_from: str = "vigie@localhost"
    """Sender address of alert e-mails."""

    webhook_secret: SecretStr | None = None
    """When set, each alert POST carries X-Vigie-Signature: sha256=HMAC of the body, for the receiver to check."""

    web_host: str = "127.0.0.1"
    """Address `vigie web` listens on (only this machine by default; put a TLS proxy in front to open it)."""

    web_port: Annotated[int, Field(ge=1, le=65535)] = 8000
    """Port of `vigie web`."""

    web_secret: SecretStr | None = None
    """Key signing the web sessions; unset, one is made once and kept in the data directory (web-secret)."""

    web_public: bool = True
    """Reading the web app needs no account (writing always does)."""

    web_session_hours: Annotated[float, Field(gt=0, le=720)] = 12.0
    """A web session ends this long after signing in."""

    @field_validator("es_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. http://127.0.0.1:9200")
        return value.rstrip("/")

    @field_validator("propagande_url")
    @classmethod
    def _site_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://, e.g. https://programme-candidats.interieur.gouv.fr/elections-municipales-2026/")
        return value.rstrip("/") + "/"

    @field_serializer(*_URLS_WITH_CREDENTIALS, when_used="json")
    def _without_password(self, url: str | None) -> str | None:
        # JSON is how Prefect stores a flow run's parameters (the settings among them).
        return redact_url(url)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, redact_url(value) if name in _URLS_WITH_CREDENTIALS else value

    @field_validator("data_dir", "es_home", "java_home", "sources_file", "detector_model")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().resolve()

    @property
    def local_node(self) -> bool:
        """True when Vigie runs its own node instead of using `VIGIE_ES_URL`."""
        return self.es_url is None

    @property
    def elasticsearch_url(self) -> str:
        return self.es_url or f"http://127.0.0.1:{self.es_port}"

    @property
    def sources_registry(self) -> Path:
        return self.sources_file or self.data_dir / "sources.csv"

    @property
    def catalogue(self) -> str:
        return self.catalogue_url or f"sqlite:///{self.data_dir / 'catalogue.sqlite'}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings once; an invalid value raises a ConfigError naming its variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        variable = ENV_PREFIX + field.upper()
        raise ConfigError(
            f"invalid value ({first['msg']}); fix or unset it", source="settings", field=variable
        ) from exc


def describe(settings: Settings) -> dict[str, str]:
    """The effective values, as `vigie settings` prints them: secrets as
    ``**********``, passwords inside URLs as ``***``."""
    values = {
        ENV_PREFIX + name.upper(): str(redact_url(value) if name in _URLS_WITH_CREDENTIALS else value)
        for name, value in ((name, getattr(settings, name)) for name in Settings.model_fields)
    }
    values["(elasticsearch)"] = redact_url(settings.elasticsearch_url)
    values["(catalogue)"] = redact_url(settings.catalogue)
    values["(sources registry)"] = str(settings.sources_registry)
    return values
