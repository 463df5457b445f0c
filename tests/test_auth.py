"""Accounts of the web app: argon2id passwords, hashed API tokens, a login
throttle and CSRF checks, on a SQLite catalogue; no service needed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import inspect, select, update

from config.errors import ConfigError
from storage.catalogue import Catalogue
from storage.engine import open_engine
from storage.schema import users
from tracking import accounts
from tracking.accounts import (
    PASSWORD_HASHING,
    ROLES,
    User,
    add_user,
    authenticate,
    disable_user,
    list_users,
    new_api_token,
    set_password,
    set_role,
    user_for_token,
)
from web.auth import LoginThrottle, csrf_ok, new_csrf_token

PASSWORD = "trois mots au hasard"
OTHER_PASSWORD = "une autre phrase longue"
REPO = Path(__file__).resolve().parent.parent


def make_catalogue(tmp_path: Path) -> Catalogue:
    return Catalogue(f"sqlite:///{tmp_path / 'c.sqlite'}")


def stored(catalogue: Catalogue, username: str):
    with catalogue.engine.connect() as db:
        return db.execute(select(users).where(users.c.username == username)).one()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# Logging in


def test_a_user_logs_in_with_their_password_and_not_with_another(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    assert add_user(catalogue, "marie.dupont", PASSWORD, "editor") == User("marie.dupont", "editor")

    assert authenticate(catalogue, "marie.dupont", PASSWORD) == User("marie.dupont", "editor")
    assert authenticate(catalogue, "marie.dupont", OTHER_PASSWORD) is None
    assert authenticate(catalogue, "marie.dupont", "") is None
    assert authenticate(catalogue, "marie.dupont", PASSWORD.upper()) is None


def test_an_unknown_user_is_refused_after_the_same_argon2_work_as_a_real_one(tmp_path, monkeypatch) -> None:
    catalogue = make_catalogue(tmp_path)
    checked: list[str] = []
    real_verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda password_hash, password: checked.append(password_hash) or real_verify(password_hash, password))

    assert authenticate(catalogue, "personne", PASSWORD) is None
    # One verification against a hash with the real parameters: the answer takes as long as for an account.
    [dummy] = checked
    assert extract_parameters(dummy) == PASSWORD_HASHING


def test_a_disabled_user_can_no_longer_log_in_nor_use_their_token_and_is_not_listed(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    add_user(catalogue, "paul", PASSWORD, "admin")
    token = new_api_token(catalogue, "marie")

    disable_user(catalogue, "marie")

    assert authenticate(catalogue, "marie", PASSWORD) is None
    assert user_for_token(catalogue, token) is None
    assert stored(catalogue, "marie").token_hash is None  # revoked, not only ignored
    assert list_users(catalogue) == [User("paul", "admin")]
    with pytest.raises(ConfigError, match="disabled"):
        new_api_token(catalogue, "marie")


def test_the_list_of_users_is_sorted_by_name_and_knows_the_admins(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "zoe", PASSWORD, "editor")
    add_user(catalogue, "adele", PASSWORD, "admin")

    assert list_users(catalogue) == [User("adele", "admin"), User("zoe", "editor")]
    assert [user.is_admin for user in list_users(catalogue)] == [True, False]


# Refused accounts


@pytest.mark.parametrize(
    "username",
    ["a", "Marie", "-marie", ".marie", "marie dupont", "marie\n", "marie@exemple.org", "é", "m" * 41, ""],
)
def test_a_user_name_outside_the_allowed_form_is_refused(tmp_path, username) -> None:
    with pytest.raises(ConfigError) as refused:
        add_user(make_catalogue(tmp_path), username, PASSWORD, "editor")

    assert (refused.value.source, refused.value.field) == ("vigie users add", "USERNAME")
    assert "2 to 40 lowercase letters" in str(refused.value)


@pytest.mark.parametrize("username", ["ma", "m" * 40, "0-marie_d.2"])
def test_user_names_from_2_to_40_allowed_characters_are_accepted(tmp_path, username) -> None:
    assert add_user(make_catalogue(tmp_path), username, PASSWORD, "editor").username == username


def test_a_short_password_is_refused_without_being_repeated(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    with pytest.raises(ConfigError) as refused:
        add_user(catalogue, "marie", "court-11car", "editor")

    assert (refused.value.source, refused.value.field) == ("vigie users add", "password")
    assert "at least 12 characters" in str(refused.value)
    assert "court-11car" not in str(refused.value)
    assert list_users(catalogue) == []


def test_a_password_of_exactly_12_characters_is_accepted(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", "douze-carac.", "editor")
    assert authenticate(catalogue, "marie", "douze-carac.") == User("marie", "editor")


def test_an_unknown_role_is_refused_with_the_roles_named(tmp_path) -> None:
    with pytest.raises(ConfigError) as refused:
        add_user(make_catalogue(tmp_path), "marie", PASSWORD, "root")

    assert (refused.value.source, refused.value.field) == ("vigie users add", "--role")
    assert "editor" in str(refused.value) and "admin" in str(refused.value)
    assert ROLES == ("editor", "admin")


def test_adding_an_existing_user_again_is_refused_and_changes_nothing(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")

    with pytest.raises(ConfigError) as refused:
        add_user(catalogue, "marie", OTHER_PASSWORD, "admin")

    assert refused.value.field == "USERNAME" and "exists already" in str(refused.value)
    assert authenticate(catalogue, "marie", PASSWORD) == User("marie", "editor")
    assert authenticate(catalogue, "marie", OTHER_PASSWORD) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda catalogue: set_password(catalogue, "personne", PASSWORD),
        lambda catalogue: set_role(catalogue, "personne", "admin"),
        lambda catalogue: disable_user(catalogue, "personne"),
        lambda catalogue: new_api_token(catalogue, "personne"),
    ],
    ids=["password", "role", "disable", "token"],
)
def test_changing_an_unknown_user_is_refused_with_the_user_named(tmp_path, change) -> None:
    with pytest.raises(ConfigError) as refused:
        change(make_catalogue(tmp_path))

    assert refused.value.field == "USERNAME"
    assert "no user 'personne'" in str(refused.value) and "vigie users add" in str(refused.value)


# What is stored


def test_the_stored_password_is_an_argon2id_hash_with_the_documented_parameters(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")

    password_hash = stored(catalogue, "marie").password_hash
    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=2$")
    assert PASSWORD not in password_hash
    assert extract_parameters(password_hash) == PASSWORD_HASHING
    assert PASSWORD.encode() not in (tmp_path / "c.sqlite").read_bytes()


def test_the_hashing_parameters_are_argon2id_3_passes_over_64_mib_on_2_lanes() -> None:
    assert PASSWORD_HASHING.type is Type.ID
    assert (PASSWORD_HASHING.time_cost, PASSWORD_HASHING.memory_cost, PASSWORD_HASHING.parallelism) == (3, 65536, 2)
    assert (PASSWORD_HASHING.salt_len, PASSWORD_HASHING.hash_len) == (16, 32)


def test_the_same_password_gets_a_different_hash_for_each_user(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    add_user(catalogue, "paul", PASSWORD, "editor")

    assert stored(catalogue, "marie").password_hash != stored(catalogue, "paul").password_hash


def test_a_hash_with_older_parameters_is_replaced_at_the_next_successful_login(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with catalogue.engine.begin() as db:
        db.execute(update(users).where(users.c.username == "marie").values(password_hash=weak))

    assert authenticate(catalogue, "marie", OTHER_PASSWORD) is None
    assert stored(catalogue, "marie").password_hash == weak  # a failed login changes nothing

    assert authenticate(catalogue, "marie", PASSWORD) == User("marie", "editor")
    assert extract_parameters(stored(catalogue, "marie").password_hash) == PASSWORD_HASHING
    assert authenticate(catalogue, "marie", PASSWORD) == User("marie", "editor")


def test_a_corrupt_stored_hash_refuses_the_login_instead_of_failing(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    with catalogue.engine.begin() as db:
        db.execute(update(users).where(users.c.username == "marie").values(password_hash="pas un hash"))

    assert authenticate(catalogue, "marie", PASSWORD) is None


def test_opening_an_empty_database_creates_the_users_table(tmp_path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'vide.sqlite'}")

    columns = {column["name"]: column for column in inspect(engine).get_columns("users")}
    assert sorted(columns) == ["created_at", "disabled", "password_hash", "role", "token_hash", "username"]
    assert columns["token_hash"]["nullable"] and not columns["password_hash"]["nullable"]
    engine.dispose()


# Changing an account


def test_a_new_password_replaces_the_old_one(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")

    set_password(catalogue, "marie", OTHER_PASSWORD)

    assert authenticate(catalogue, "marie", OTHER_PASSWORD) == User("marie", "editor")
    assert authenticate(catalogue, "marie", PASSWORD) is None
    with pytest.raises(ConfigError) as refused:
        set_password(catalogue, "marie", "trop court")
    assert (refused.value.source, refused.value.field) == ("vigie users password", "password")


def test_a_role_change_applies_at_the_next_login_and_token_use(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    token = new_api_token(catalogue, "marie")

    set_role(catalogue, "marie", "admin")

    assert authenticate(catalogue, "marie", PASSWORD).is_admin
    assert user_for_token(catalogue, token) == User("marie", "admin")
    with pytest.raises(ConfigError) as refused:
        set_role(catalogue, "marie", "superadmin")
    assert (refused.value.source, refused.value.field) == ("vigie users role", "--role")
    assert list_users(catalogue) == [User("marie", "admin")]


# API tokens


def test_an_api_token_identifies_its_user_and_is_stored_only_as_its_sha256(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")

    token = new_api_token(catalogue, "marie")

    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert user_for_token(catalogue, token) == User("marie", "editor")
    assert stored(catalogue, "marie").token_hash == hashlib.sha256(token.encode()).hexdigest()
    database = (tmp_path / "c.sqlite").read_bytes()
    assert token.encode() not in database
    assert hashlib.sha256(token.encode()).hexdigest().encode() in database


@pytest.mark.parametrize("given", ["", None, "x" * 43, "café", "\ud800"])
def test_a_wrong_or_missing_token_identifies_nobody(tmp_path, given) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    token = new_api_token(catalogue, "marie")

    assert user_for_token(catalogue, given) is None
    assert user_for_token(catalogue, token[:-1]) is None
    assert user_for_token(catalogue, stored(catalogue, "marie").token_hash) is None  # the stored hash is no token


def test_a_token_left_on_a_disabled_account_identifies_nobody(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    token = new_api_token(catalogue, "marie")
    with catalogue.engine.begin() as db:  # disabled by hand in the database, the token left in place
        db.execute(update(users).where(users.c.username == "marie").values(disabled=True))

    assert user_for_token(catalogue, token) is None


def test_a_new_token_replaces_the_previous_one(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    first = new_api_token(catalogue, "marie")

    second = new_api_token(catalogue, "marie")

    assert second != first
    assert user_for_token(catalogue, first) is None
    assert user_for_token(catalogue, second) == User("marie", "editor")


def test_each_user_has_their_own_token(tmp_path) -> None:
    catalogue = make_catalogue(tmp_path)
    add_user(catalogue, "marie", PASSWORD, "editor")
    add_user(catalogue, "paul", PASSWORD, "admin")

    marie, paul = new_api_token(catalogue, "marie"), new_api_token(catalogue, "paul")

    assert user_for_token(catalogue, marie) == User("marie", "editor")
    assert user_for_token(catalogue, paul) == User("paul", "admin")


# Login throttle


def test_five_failures_block_the_key_for_the_window_then_it_may_try_again() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=5, window_s=900, clock=clock)
    for _ in range(4):
        throttle.failed("marie|10.0.0.1")
        clock.now += 1
    assert throttle.blocked("marie|10.0.0.1") == 0.0  # four failures are allowed

    throttle.failed("marie|10.0.0.1")  # the first failure was at 1000, the fifth at 1004

    assert throttle.blocked("marie|10.0.0.1") == pytest.approx(896.0)
    clock.now = 1899.5
    assert throttle.blocked("marie|10.0.0.1") == pytest.approx(0.5)
    clock.now = 1900.0
    assert throttle.blocked("marie|10.0.0.1") == 0.0
    throttle.failed("marie|10.0.0.1")  # the second failure (at 1001) still counts: four in the window again, plus this one
    assert throttle.blocked("marie|10.0.0.1") == pytest.approx(1.0)


def test_failures_older_than_the_window_do_not_count() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=5, window_s=900, clock=clock)
    for _ in range(10):
        throttle.failed("marie|10.0.0.1")
        clock.now += 300  # at most three failures in any 900 seconds

    assert throttle.blocked("marie|10.0.0.1") == 0.0


def test_a_success_clears_the_failures_of_its_key_only() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for _ in range(5):
        throttle.failed("marie|10.0.0.1")
        throttle.failed("paul|10.0.0.1")
    assert throttle.blocked("marie|10.0.0.1") > 0

    throttle.succeeded("marie|10.0.0.1")

    assert throttle.blocked("marie|10.0.0.1") == 0.0
    assert throttle.blocked("paul|10.0.0.1") == pytest.approx(900.0)
    assert throttle.blocked("marie|10.0.0.2") == 0.0  # keys are independent


def test_failures_while_blocked_extend_the_block() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=2, window_s=60, clock=clock)
    throttle.failed("k")  # at 1000
    clock.now += 30
    throttle.failed("k")  # at 1030: blocked until 1060
    clock.now += 20
    assert throttle.blocked("k") == pytest.approx(10.0)

    throttle.failed("k")  # at 1050: the failures at 1030 and 1050 block until 1110

    assert throttle.blocked("k") == pytest.approx(40.0)


def test_the_throttle_forgets_expired_keys_once_it_holds_many(monkeypatch) -> None:
    monkeypatch.setattr(LoginThrottle, "_SWEEP_ABOVE", 3)
    clock = FakeClock()
    throttle = LoginThrottle(clock=clock)
    for key in ("a", "b", "c"):
        throttle.failed(key)
    clock.now += 901

    throttle.failed("d")

    assert sorted(throttle._failures) == ["d"]


@pytest.mark.parametrize("arguments", [{"max_failures": 0}, {"window_s": 0}, {"window_s": -1}])
def test_a_throttle_without_a_limit_is_refused(arguments) -> None:
    with pytest.raises(ValueError):
        LoginThrottle(**arguments)


# CSRF


def test_csrf_tokens_are_long_random_and_match_themselves() -> None:
    first, second = new_csrf_token(), new_csrf_token()

    assert first != second and len(first) >= 43
    assert csrf_ok(first, first)
    assert not csrf_ok(first, second)


@pytest.mark.parametrize(
    ("expected", "given"),
    [(None, None), ("", ""), ("jeton", None), ("jeton", ""), (None, "jeton"), ("", "jeton"), ("jeton", "jeton2"), ("jeton", "Jeton"), ("jeton", "jetön"), ("jeton", "\ud800")],
)
def test_csrf_fails_when_a_token_is_missing_or_different(expected, given) -> None:
    assert csrf_ok(expected, given) is False


def test_csrf_accepts_an_equal_token() -> None:
    assert csrf_ok("jeton-de-formulaire", "jeton-de-formulaire") is True


# Boundaries


def test_the_accounts_module_needs_no_web_framework() -> None:
    probe = "import sys, tracking.accounts, web.auth; print('fastapi' in sys.modules, 'starlette' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "False False"
