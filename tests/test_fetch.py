"""Fetching programmes: retries, validators, size caps, redirects and the
private-address guard, against a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from config.errors import FetchError
from collect.fetch import FetchPolicy, check_url, fetch, is_private, new_client, retry_after
from tests.httpserver import ProgrammeServer

PDF = b"%PDF-1.4 programme municipal"


@pytest.fixture
def server():
    with ProgrammeServer() as running:
        yield running


def policy(**changes) -> FetchPolicy:
    return FetchPolicy(**{"timeout_s": 1.0, "retries": 2, "backoff_s": 0.0, "allow_private": True, **changes})


def get(server: ProgrammeServer, path: str, waits: list[float] | None = None, **changes):
    chosen = policy(**changes)
    with new_client(chosen) as client:
        return fetch(client, server.url + path, policy=chosen, sleep=(waits if waits is not None else []).append)


def test_a_programme_is_fetched_with_its_validators(server) -> None:
    server.state.files["/p.pdf"] = PDF
    fetched = get(server, "/p.pdf")
    assert (fetched.status, fetched.data, fetched.content_type) == (200, PDF, "application/pdf")
    assert fetched.etag and fetched.last_modified


def test_an_unchanged_programme_costs_one_conditional_request(server) -> None:
    server.state.files["/p.pdf"] = PDF
    first = get(server, "/p.pdf")
    chosen = policy()
    with new_client(chosen) as client:
        again = fetch(client, server.url + "/p.pdf", policy=chosen, etag=first.etag)
    assert again.not_modified and again.data is None
    assert server.state.requests[-1] == ("/p.pdf", first.etag)


def test_server_errors_and_429_are_retried_with_back_off(server) -> None:
    server.state.files["/p.pdf"] = PDF
    server.state.failures["/p.pdf"] = [500, 429]
    waits: list[float] = []
    fetched = get(server, "/p.pdf", waits, backoff_s=0.5)
    assert fetched.data == PDF
    assert waits == [0.5, 0.0]  # back-off, then the server's Retry-After: 0


def test_a_server_that_keeps_failing_is_reported_with_its_status(server) -> None:
    server.state.files["/p.pdf"] = PDF
    server.state.failures["/p.pdf"] = [503] * 5
    with pytest.raises(FetchError) as error:
        get(server, "/p.pdf")
    assert error.value.status == 503
    assert str(error.value) == f"{server.url}/p.pdf (HTTP 503): the server answered 503; gave up after 3 attempts"


def test_a_timeout_is_retried(server) -> None:
    server.state.files["/p.pdf"] = PDF
    server.state.slow_once.add("/p.pdf")
    assert get(server, "/p.pdf", timeout_s=0.5).data == PDF


def test_a_missing_page_is_not_retried(server) -> None:
    with pytest.raises(FetchError, match="answered 404; check the URL"):
        get(server, "/absent.pdf")
    assert len(server.state.requests) == 1


def test_a_redirect_to_a_file_url_is_refused(server) -> None:
    server.state.redirects["/p.pdf"] = "file:///etc/passwd"
    with pytest.raises(FetchError, match="only http and https are fetched, not file URL"):
        get(server, "/p.pdf")


def test_a_redirect_is_followed_to_the_programme(server) -> None:
    server.state.redirects["/ancien.pdf"] = "/p.pdf"
    server.state.files["/p.pdf"] = PDF
    fetched = get(server, "/ancien.pdf")
    assert (fetched.data, fetched.final_url) == (PDF, f"{server.url}/p.pdf")


def test_an_oversized_file_is_refused_while_streaming(server) -> None:
    server.state.files["/gros.pdf"] = PDF + b"x" * 200_000
    with pytest.raises(FetchError, match=r"larger than 0.1 MiB \(VIGIE_MAX_FILE_MB\)"):
        get(server, "/gros.pdf", max_bytes=int(0.1 * 2**20))


def test_loopback_is_refused_unless_allowed_and_nothing_is_sent(server) -> None:
    server.state.files["/p.pdf"] = PDF
    with pytest.raises(FetchError, match="private or local address.*VIGIE_FETCH_ALLOW_PRIVATE"):
        get(server, "/p.pdf", allow_private=False)
    assert server.state.requests == []


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.10", True),
        ("127.0.0.1", True),
        ("169.254.1.1", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:10.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.216.34", False),
        ("2606:2800:220:1::1", False),
    ],
)
def test_private_ranges_are_recognised(address: str, private: bool) -> None:
    assert is_private(address) is private


def test_only_http_urls_with_a_host_pass() -> None:
    check_url("https://193.0.0.1/programme.pdf", allow_private=False)  # a literal public address: no lookup
    for url in ("ftp://exemple.fr/p.pdf", "file:///etc/passwd", "http:///p.pdf"):
        with pytest.raises(FetchError):
            check_url(url, allow_private=True)


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after("bientôt") is None
