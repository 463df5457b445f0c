"""The catalogue's side of the web app's accounts (`tracking.accounts` holds
the rules and every secret's handling): rows of the `users` table.

Only hashes are stored and compared here, never a password or a token; the
functions taking a `Connection` run in the caller's transaction, so a check
and the write it allows land together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select, update

from storage.catalogue import Catalogue
from storage.schema import users


def username_taken(db: Connection, username: str) -> bool:
    """Whether an account (disabled or not) has this name."""
    return db.execute(select(users.c.username).where(users.c.username == username)).first() is not None


def insert_user(db: Connection, *, username: str, password_hash: str, role: str, created_at: datetime) -> None:
    """A new, enabled account without an API token."""
    db.execute(
        insert(users).values(
            username=username, password_hash=password_hash, role=role,
            token_hash=None, created_at=created_at, disabled=False,
        )
    )  # fmt: skip


def is_disabled(db: Connection, username: str) -> bool | None:
    """Whether the account is disabled; None when there is no such account."""
    row = db.execute(select(users.c.disabled).where(users.c.username == username)).first()
    return None if row is None else bool(row.disabled)


def set_token_hash(db: Connection, username: str, token_hash: str) -> None:
    db.execute(update(users).where(users.c.username == username).values(token_hash=token_hash))


def set_password_hash(catalogue: Catalogue, username: str, password_hash: str) -> bool:
    """False when there is no such account."""
    return _update(catalogue, username, password_hash=password_hash)


def set_role(catalogue: Catalogue, username: str, role: str) -> bool:
    """False when there is no such account."""
    return _update(catalogue, username, role=role)


def disable(catalogue: Catalogue, username: str) -> bool:
    """Disable the account and drop its API token's hash; False when there is no such account."""
    return _update(catalogue, username, disabled=True, token_hash=None)


def _update(catalogue: Catalogue, username: str, **values: Any) -> bool:
    with catalogue.engine.begin() as db:
        return db.execute(update(users).where(users.c.username == username).values(**values)).rowcount > 0


def replace_password_hash(catalogue: Catalogue, username: str, old_hash: str, new_hash: str) -> None:
    """Set a new hash only if the stored one is still `old_hash`: a password set meanwhile wins."""
    with catalogue.engine.begin() as db:
        db.execute(
            update(users).where(users.c.username == username, users.c.password_hash == old_hash).values(password_hash=new_hash)
        )


def active_users(catalogue: Catalogue) -> list[dict[str, Any]]:
    """Username and role of every account not disabled, by name."""
    with catalogue.engine.connect() as db:
        rows = db.execute(
            select(users.c.username, users.c.role).where(users.c.disabled.is_(False)).order_by(users.c.username)
        ).mappings()  # fmt: skip
        return [dict(row) for row in rows]


def user_row(catalogue: Catalogue, username: str) -> dict[str, Any] | None:
    """Every column of the account with this name, or None."""
    return _first(catalogue, users.c.username == username)


def user_row_by_token_hash(catalogue: Catalogue, token_hash: str) -> dict[str, Any] | None:
    """Every column of the account whose API token has this hash, or None."""
    return _first(catalogue, users.c.token_hash == token_hash)


def _first(catalogue: Catalogue, where: ColumnElement[bool]) -> dict[str, Any] | None:
    with catalogue.engine.connect() as db:
        row = db.execute(select(users).where(where)).mappings().first()
    return None if row is None else dict(row)
