"""Assertions shared by the checker tests (tests/test_check*.py)."""

from attn_lib.check import Result


def assert_right(result):
    assert isinstance(result, Result)
    assert result, repr(result)
    assert repr(result).startswith("Correct! ")


def assert_hint(result, fragment):
    assert isinstance(result, Result)
    assert not result, repr(result)
    assert repr(result).startswith("Not yet. Hint: ")
    assert fragment in result.message, result.message


def assert_no_leak(result, forbidden):
    message = repr(result)
    leaked = sorted(s for s in forbidden if s in message)
    assert not leaked, f"message {message!r} gives away {leaked}"
