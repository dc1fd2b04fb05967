import pytest

from portal.serial import lock_key, one_at_a_time


def test_the_lock_is_held_for_a_transaction_so_it_needs_one():
    with pytest.raises(RuntimeError, match="open one"):
        one_at_a_time("anything")


def test_each_name_has_its_own_lock_and_always_the_same():
    assert lock_key("expositions.load_exposition") == lock_key("expositions.load_exposition")
    assert lock_key("expositions.load_exposition") != lock_key("training.load_demo")
    assert -(2**63) <= lock_key("training.load_demo") < 2**63
