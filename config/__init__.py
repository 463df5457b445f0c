"""Configuration as data: settings, the platform of demands, and the error tree."""

from config.errors import (
    ConfigError,
    EmptyDocument,
    EncryptedDocument,
    ExtractionError,
    FetchError,
    IndexingError,
    IndexOverloaded,
    IndexUnavailable,
    NodeError,
    QueryError,
    StorageError,
    UnsupportedFormat,
    VigieError,
)
from config.settings import Settings, load_settings

__all__ = [
    "ConfigError",
    "EmptyDocument",
    "EncryptedDocument",
    "ExtractionError",
    "FetchError",
    "IndexOverloaded",
    "IndexUnavailable",
    "IndexingError",
    "NodeError",
    "QueryError",
    "Settings",
    "StorageError",
    "UnsupportedFormat",
    "VigieError",
    "load_settings",
]
