"""What other apps add to the reading pages of expositions, which imports no other app
(an import-linter contract): each is a function named in ``settings.READER_PROVIDERS``
and called here, by the views, by that name. One named, tested function per question,
instead of template tags that query behind the page's back.

- ``unit_page(request, unit)``: a dict added to the unit page's context
  (training.readers.unit_page: the cadre's completion panel and the module pager);
- ``done_units(request, units)``: the pks of ``units`` the reader has completed
  (training.readers.done_units: the ✓ on unit lists and search results).
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _provider(name):
    return import_string(settings.READER_PROVIDERS[name])


def unit_page(request, unit):
    return _provider("unit_page")(request, unit)


def done_units(request, units):
    return _provider("done_units")(request, units)
