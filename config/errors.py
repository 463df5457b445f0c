"""Vigie's exception tree.

Every error a user can meet is a ``VigieError``. Each subclass takes, as
required keyword arguments, the context a user needs to act on it (the file,
the page, the URL, the setting), so that messages always name them. Third-party
exceptions are translated into these once, at the module boundary that calls
the library (``raise ... from exc``).

    VigieError
    ├── ConfigError(source, field)          a setting or config file is invalid
    ├── FetchError(url, status)             a source could not be fetched
    ├── ExtractionError(path, page)         a document could not be read
    │   ├── EncryptedDocument
    │   ├── EmptyDocument
    │   └── UnsupportedFormat
    ├── IndexUnavailable(url)               Elasticsearch cannot be reached
    │   └── IndexOverloaded                 it still refuses requests with 429 after the retries
    ├── QueryError(field)                   a search the user wrote is invalid or refused by Elasticsearch
    ├── IndexingError(url)                  Elasticsearch refused a request
    ├── NodeError(url)                      the local Elasticsearch (or OpenSearch) node cannot run
    │   └── JavaNotFound                     no JDK recent enough for it was found
    ├── StorageError(path)                  the data directory or catalogue cannot be written (disk full)
    └── DeliveryError(target)               an alert could not be sent (SMTP server, webhook)
"""

from __future__ import annotations


class VigieError(Exception):
    """Base of every error Vigie reports to a user."""

    def __reduce__(self):
        # Keyword-only context would break the default pickling, which errors
        # need to come back from an extraction subprocess.
        return (_rebuild, (type(self), str(self), self.__dict__.copy()))


def _rebuild(cls: type[VigieError], message: str, state: dict) -> VigieError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ConfigError(VigieError):
    def __init__(self, message: str, *, source: str, field: str | None = None) -> None:
        self.source = source
        self.field = field
        where = f"{source}, {field}" if field else source
        super().__init__(f"{where}: {message}")


class FetchError(VigieError):
    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        code = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{url}{code}: {message}")


class ExtractionError(VigieError):
    def __init__(self, message: str, *, path: str, page: int | None = None) -> None:
        self.path = path
        self.page = page
        where = f"{path} page {page}" if page is not None else path
        super().__init__(f"{where}: {message}")


class EncryptedDocument(ExtractionError):
    pass


class EmptyDocument(ExtractionError):
    pass


class UnsupportedFormat(ExtractionError):
    pass


class IndexUnavailable(VigieError):
    def __init__(self, message: str, *, url: str) -> None:
        self.url = url
        super().__init__(f"Elasticsearch at {url}: {message}")


class IndexOverloaded(IndexUnavailable):
    """The node answered 429 (too many requests) to every retry: like an
    unreachable node, it may take the same records later."""


class QueryError(VigieError):
    """A search the user wrote (its query, sort, size or cursor) that is invalid
    or that Elasticsearch refuses: theirs to fix, not the node's."""

    def __init__(self, message: str, *, field: str) -> None:
        self.field = field
        super().__init__(f"search, {field}: {message}")


class IndexingError(VigieError):
    def __init__(self, message: str, *, url: str) -> None:
        self.url = url
        super().__init__(f"Elasticsearch at {url}: {message}")


class NodeError(VigieError):
    def __init__(self, message: str, *, url: str, engine: str = "Elasticsearch") -> None:
        self.url = url
        self.engine = engine
        super().__init__(f"local {engine} node ({url}): {message}")


class JavaNotFound(NodeError):
    """No JDK of the version the local node needs: the message names the
    version to install and where Vigie looked."""


class StorageError(VigieError):
    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class DeliveryError(VigieError):
    def __init__(self, message: str, *, target: str) -> None:
        self.target = target
        super().__init__(f"alert delivery to {target}: {message}")
