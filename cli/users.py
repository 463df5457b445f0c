"""`vigie users`: the web app's accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.common import out, reports_errors, settings_of
from storage.catalogue import Catalogue
from tracking.accounts import add_user, disable_user, list_users, new_api_token, set_password, set_role

users = typer.Typer(help="Accounts of the web app: editors write follow-up records, admins manage accounts.", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(users, name="users")


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@reports_errors
def users_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Lower-case letters, digits, . _ -")],
    role: Annotated[str, typer.Option(help="editor or admin")] = "editor",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create an account (the password is asked twice, or read with --password-stdin).

    Example: vigie users add camille --role editor
    """
    user = add_user(Catalogue(settings_of(ctx).catalogue), username, _new_password(password_stdin), role)
    out.print(f"account {user.username} ({user.role}) created", highlight=False)


@users.command("password")
@reports_errors
def users_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Set a new password for an account."""
    set_password(Catalogue(settings_of(ctx).catalogue), username, _new_password(password_stdin))
    out.print(f"password of {username} changed", highlight=False)


@users.command("role")
@reports_errors
def users_role(ctx: typer.Context, username: Annotated[str, typer.Argument()], role: Annotated[str, typer.Argument(help="editor or admin")]) -> None:
    """Change an account's role."""
    set_role(Catalogue(settings_of(ctx).catalogue), username, role)
    out.print(f"{username} is now {role}", highlight=False)


@users.command("disable")
@reports_errors
def users_disable(ctx: typer.Context, username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account: it can no longer sign in, and its API token stops working."""
    disable_user(Catalogue(settings_of(ctx).catalogue), username)
    out.print(f"{username} disabled", highlight=False)


@users.command("list")
@reports_errors
def users_list(ctx: typer.Context) -> None:
    """The active accounts and their roles."""
    for user in list_users(Catalogue(settings_of(ctx).catalogue)):
        out.print(f"{user.username} ({user.role})", highlight=False)


@users.command("token")
@reports_errors
def users_token(ctx: typer.Context, username: Annotated[str, typer.Argument()]) -> None:
    """A new API token for scripted updates (shown once; the previous one stops working).

    Example: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/followup/59698
    """
    out.print(new_api_token(Catalogue(settings_of(ctx).catalogue), username), highlight=False)
