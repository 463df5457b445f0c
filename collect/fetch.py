"""Fetching programmes from the web, politely and defensively.

httpx with timeouts; bounded retries with back-off on 429, 5xx, timeouts and
connection errors (honouring `Retry-After`); a size cap enforced while
streaming; redirects followed by hand so that only http and https are
accepted; conditional requests (ETag, Last-Modified) so that an unchanged
programme costs one cheap request; and a guard against addresses inside
private networks. The bytes' real type is sniffed by the archive, whatever
the server claims.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from config.errors import FetchError

USER_AGENT = "Vigie/0.1 (veille citoyenne des programmes municipaux; +https://pypi.org/project/vigie/)"
_RETRIED_STATUSES = {429, 500, 502, 503, 504}
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchPolicy:
    timeout_s: float = 30.0
    max_bytes: int = 50 * 2**20
    retries: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 60.0
    """Longest wait accepted from a Retry-After header."""
    max_redirects: int = 5
    allow_private: bool = False
    """Whether URLs may point inside private networks or at this machine."""

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.max_bytes <= 0 or self.retries < 0 or self.max_redirects < 0:
            raise ValueError("timeouts and sizes must be positive, retries and redirects not negative")

    @classmethod
    def from_settings(cls, settings) -> "FetchPolicy":
        return cls(
            timeout_s=settings.fetch_timeout_s,
            max_bytes=int(settings.max_file_mb * 2**20),
            retries=settings.fetch_retries,
            backoff_s=settings.fetch_backoff_s,
            allow_private=settings.fetch_allow_private,
        )


@dataclass(frozen=True)
class Fetched:
    url: str
    """The URL asked for."""
    final_url: str
    status: int
    data: bytes | None
    """None when the server answered 304: the archived version is current."""
    etag: str | None
    last_modified: str | None
    content_type: str | None
    """What the server claimed; the archive sniffs the real type."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def new_client(policy: FetchPolicy) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(policy.timeout_s),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "application/pdf, text/html;q=0.9, */*;q=0.5"},
    )


def fetch(
    client: httpx.Client,
    url: str,
    *,
    policy: FetchPolicy,
    etag: str | None = None,
    last_modified: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """The bytes at `url`, or 304 when the validators say nothing changed.

    Failures that may pass (429, 5xx, timeouts, refused connections) are
    retried `policy.retries` times with back-off; the last one, and every
    other failure, raises a FetchError naming the URL.
    """
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    attempt = 0
    while True:
        try:
            return _fetch_once(client, url, policy, headers)
        except _Retryable as exc:
            if attempt >= policy.retries:
                raise FetchError(f"{exc.reason}; gave up after {attempt + 1} attempts", url=url, status=exc.status) from None
            sleep(min(policy.max_wait_s, exc.retry_after if exc.retry_after is not None else policy.backoff_s * 2**attempt))
            attempt += 1


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        self.reason, self.status, self.retry_after = reason, status, retry_after


def _fetch_once(client: httpx.Client, url: str, policy: FetchPolicy, headers: dict[str, str]) -> Fetched:
    current = url
    for _ in range(policy.max_redirects + 1):
        check_url(current, allow_private=policy.allow_private, original=url)
        try:
            with client.stream("GET", current, headers=headers) as response:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                if response.status_code in _RETRIED_STATUSES:
                    raise _Retryable(
                        f"the server answered {response.status_code}",
                        response.status_code,
                        retry_after(response.headers.get("retry-after")),
                    )
                if response.status_code == 304:
                    return _fetched(url, current, response, None)
                if response.status_code >= 400:
                    raise FetchError(f"the server answered {response.status_code}; check the URL", url=url, status=response.status_code)
                return _fetched(url, current, response, _read_capped(response, policy.max_bytes, url))
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {policy.timeout_s:g} s (VIGIE_FETCH_TIMEOUT_S)") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None
    raise FetchError(f"more than {policy.max_redirects} redirects", url=url)


def _fetched(url: str, final_url: str, response: httpx.Response, data: bytes | None) -> Fetched:
    return Fetched(
        url=url,
        final_url=final_url,
        status=response.status_code,
        data=data,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        content_type=response.headers.get("content-type"),
    )


def _read_capped(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    too_big = f"larger than {max_bytes / 2**20:.1f} MiB (VIGIE_MAX_FILE_MB); not archived"
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(too_big, url=url, status=response.status_code)
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(too_big, url=url, status=response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def check_url(url: str, *, allow_private: bool, original: str | None = None) -> None:
    """Refuse anything but http(s), and addresses inside private networks
    unless allowed (a redirect cannot smuggle a request to them either)."""
    parts = urlsplit(url)
    where = original or url
    if parts.scheme not in {"http", "https"}:
        raise FetchError(f"only http and https are fetched, not {parts.scheme or 'a relative'} URL ({url})", url=where)
    if not parts.hostname:
        raise FetchError("the URL has no host", url=where)
    if allow_private:
        return
    for address in _addresses(parts.hostname, where):
        if is_private(address):
            raise FetchError(
                f"{parts.hostname} is a private or local address ({address}); set VIGIE_FETCH_ALLOW_PRIVATE=true to allow it",
                url=where,
            )


def _addresses(host: str, url: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        # The spellings the socket layer reads as an IPv4 address without any
        # lookup ("2130706433", "0x7f.1", "0177.0.0.1", "127.1") are read the same way here.
        return [socket.inet_ntoa(socket.inet_aton(host))]
    except OSError:
        pass
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
    except socket.gaierror as exc:
        raise FetchError(f"the host {host} cannot be found ({exc.strerror})", url=url) from exc


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_private(address: str) -> bool:
    """Anything but a public (globally reachable) unicast address: loopback,
    private ranges, shared (carrier-grade NAT), link-local, unique-local,
    reserved, unspecified and multicast addresses, and IPv6 addresses that
    carry one of those as an IPv4 address (mapped, compatible, 6to4, NAT64, Teredo)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and any(is_private(str(inner)) for inner in _embedded_ipv4(ip)):
        return True
    return not ip.is_global or ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [inner for inner in (ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())) if inner is not None]
    if ip in _NAT64 or int(ip) >> 32 == 0:  # NAT64, and the deprecated IPv4-compatible ::a.b.c.d
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found
