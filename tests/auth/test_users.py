"""User objects: truthiness, identity and scopes, and the base class third parties implement."""

from __future__ import annotations

import pytest

from nexios_auth import BaseUser, SimpleUser, UnauthenticatedUser
from nexios_auth.credentials import AuthCredentials


def test_simple_user_is_truthy_and_authenticated() -> None:
    user = SimpleUser("ada", ["read", "write"])
    assert user
    assert user.is_authenticated is True
    assert user.display_name == "ada"
    assert user.scopes == frozenset({"read", "write"})
    assert user.has_scope("read") and not user.has_scope("admin")


def test_simple_user_identity_prefers_the_id_over_the_name() -> None:
    assert SimpleUser("ada").identity == "ada"
    assert SimpleUser("ada", id=7).identity == 7
    assert SimpleUser("ada", display_name="Ada L.").display_name == "Ada L."


def test_a_scope_string_is_split_on_spaces_not_into_letters() -> None:
    assert SimpleUser("ada", "read admin").scopes == frozenset({"read", "admin"})


def test_anonymous_user_is_falsy_and_has_nothing() -> None:
    user = UnauthenticatedUser()
    assert not user
    assert user.is_authenticated is False
    assert user.identity is None
    assert user.display_name == ""
    assert user.scopes == frozenset()


def test_third_party_users_implement_the_base_class() -> None:
    class Account(BaseUser):
        def __init__(self, pk: int, email: str) -> None:
            self.pk = pk
            self.email = email

        @property
        def identity(self) -> int:
            return self.pk

        @property
        def display_name(self) -> str:
            return self.email

    account = Account(3, "a@example.com")
    assert account and account.is_authenticated
    assert account.identity == 3
    with pytest.raises(TypeError):
        BaseUser()  # type: ignore[abstract]


def test_credentials_check_that_every_required_scope_is_granted() -> None:
    credentials = AuthCredentials(["read", "write"], "jwt")
    assert credentials.has_scopes(["read"])
    assert credentials.has_scopes([])
    assert not credentials.has_scopes(["read", "admin"])
    assert credentials.backend == "jwt"
