"""The suite's order: pytest-django's groups, and the long tests first within each."""

from tests.conftest import _django_group


def test_groups_keep_pytest_django_s_order_and_long_tests_lead_each(request):
    items = request.session.items
    groups = [_django_group(item) for item in items]
    assert groups == sorted(groups)
    for group in set(groups):
        long = [
            item.get_closest_marker("long") is not None
            for item, g in zip(items, groups, strict=True)
            if g == group
        ]
        assert long == sorted(long, reverse=True)
