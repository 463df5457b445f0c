"""Accounts of the web app: who may edit, who may administer, and how they prove it.

With no web framework in it, so that the CLI that manages accounts and the
web app that checks them apply the same rules, and the rules are tested
without a server. The sign-in throttle and CSRF checks are the web app's
(`web.auth`).

- Passwords are kept only as argon2id hashes (parameters in
  :data:`PASSWORD_HASHING`); a login checks the password against the hash, and
  an unknown user costs the same work, so the answer time does not tell who
  has an account.
- API tokens are random (256 bits), shown once, and kept only as their SHA-256:
  a token that long needs no slow hash, and a copy of the catalogue gives no
  usable token.

Nothing secret leaves this module in a log or an exception: messages name the
user and the field, never a password, a hash or a token.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import ARGON2_VERSION

from config.errors import ConfigError
from storage import accounts as stored
from storage.catalogue import Catalogue


ROLES = ("editor", "admin")
"""An editor works on the content; an admin also manages accounts."""

MIN_PASSWORD_LENGTH = 12


# RFC 9106 §4, second recommended option, the one for machines that cannot give
# 2 GiB to each login: argon2id, 3 passes over 64 MiB. Two lanes instead of the
# RFC's four, because the app shares small servers with Elasticsearch and the
# extraction workers; the lanes change how many cores one check uses, not the
# memory an attacker pays for each guess. One check takes under a tenth of a
# second on a current core. Changing these values rehashes each password
# at its owner's next login (see `authenticate`).
PASSWORD_HASHING = Parameters(
    type=Type.ID,
    version=ARGON2_VERSION,
    salt_len=16,
    hash_len=32,
    time_cost=3,
    memory_cost=65536,  # KiB, that is 64 MiB
    parallelism=2,
)

_HASHER = PasswordHasher.from_parameters(PASSWORD_HASHING)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class User:
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _check_username(username: str, source: str) -> None:
    # fullmatch, not match with `$`: `$` also matches before a final newline.
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise ConfigError(
            f"{username!r} is not a valid user name: use 2 to 40 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or a digit (e.g. marie.dupont)",
            source=source, field="USERNAME",
        )  # fmt: skip


def _check_role(role: str, source: str) -> None:
    if role not in ROLES:
        raise ConfigError(
            f"{role!r} is not a role: choose editor (works on the content) or admin (also manages accounts)",
            source=source, field="--role",
        )  # fmt: skip


def _check_password(password: str, source: str) -> None:
    # The message never quotes the password, nor its length.
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters "
            "(a few unrelated words make one that is easy to remember)",
            source=source, field="password",
        )  # fmt: skip


def _unknown(username: str, source: str) -> ConfigError:
    return ConfigError(
        f"there is no user {username!r}; check the spelling, or add the account with `vigie users add`",
        source=source, field="USERNAME",
    )  # fmt: skip


def add_user(catalogue: Catalogue, username: str, password: str, role: str) -> User:
    """A new account; an existing name is refused rather than overwritten, so a
    typo cannot take over someone else's account."""
    source = "vigie users add"
    _check_username(username, source)
    _check_role(role, source)
    _check_password(password, source)
    with catalogue.engine.begin() as db:
        if stored.username_taken(db, username):
            raise ConfigError(
                f"the user {username!r} exists already; choose another name, "
                "or change this account's password or role instead of adding it again",
                source=source, field="USERNAME",
            )  # fmt: skip
        stored.insert_user(db, username=username, password_hash=_HASHER.hash(password), role=role, created_at=_now())
    return User(username, role)


def set_password(catalogue: Catalogue, username: str, password: str) -> None:
    source = "vigie users password"
    _check_password(password, source)
    if not stored.set_password_hash(catalogue, username, _HASHER.hash(password)):
        raise _unknown(username, source)


def set_role(catalogue: Catalogue, username: str, role: str) -> None:
    source = "vigie users role"
    _check_role(role, source)
    if not stored.set_role(catalogue, username, role):
        raise _unknown(username, source)


def disable_user(catalogue: Catalogue, username: str) -> None:
    """The account stays (its name cannot be taken again) but can no longer log
    in, and its API token is revoked."""
    if not stored.disable(catalogue, username):
        raise _unknown(username, "vigie users disable")


def list_users(catalogue: Catalogue) -> list[User]:
    """The accounts that can log in (disabled ones are left out), by name."""
    return [User(row["username"], row["role"]) for row in stored.active_users(catalogue)]


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password with the current parameters, computed once,
    for logins of unknown users to pay the same work as the others."""
    return _HASHER.hash(secrets.token_urlsafe(32))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(catalogue: Catalogue, username: str, password: str) -> User | None:
    """The user these credentials belong to, or None, without saying why: an
    unknown name, a wrong password and a disabled account look the same.

    A hash made with older parameters is replaced at this successful login,
    the only moment the clear password is at hand."""
    row = stored.user_row(catalogue, username)
    if row is None:
        _verify(_dummy_hash(), password)  # the same work as for a real account: timing does not reveal who exists
        return None
    if not _verify(row["password_hash"], password) or row["disabled"]:
        return None
    if _HASHER.check_needs_rehash(row["password_hash"]):
        # Only if the hash is still the one checked: a password set meanwhile wins.
        stored.replace_password_hash(catalogue, username, row["password_hash"], _HASHER.hash(password))
    return User(row["username"], row["role"])


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_api_token(catalogue: Catalogue, username: str) -> str:
    """A new API token for the user, replacing the previous one. It is returned
    here once, in clear; only its SHA-256 is kept."""
    source = "vigie users token"
    token = secrets.token_urlsafe(32)
    with catalogue.engine.begin() as db:
        disabled = stored.is_disabled(db, username)
        if disabled is None:
            raise _unknown(username, source)
        if disabled:
            raise ConfigError(f"the user {username!r} is disabled and cannot have an API token", source=source, field="USERNAME")
        stored.set_token_hash(db, username, _sha256(token))
    return token


def user_for_token(catalogue: Catalogue, token: str | None) -> User | None:
    """The active user holding this API token, or None."""
    if not token:
        return None
    digest = _sha256(token)
    # Looking up by the digest leaks nothing useful through timing: an
    # attacker does not choose the digest's bytes. The constant-time
    # comparison below is the check that counts.
    row = stored.user_row_by_token_hash(catalogue, digest)
    if row is None or row["disabled"] or not hmac.compare_digest(row["token_hash"], digest):
        return None
    return User(row["username"], row["role"])
