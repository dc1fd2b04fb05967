"""Who may reach a page, for views of every app: trainers (they manage an org unit)
and cadres (they have an active cadre profile). A miss is a 404, never a 403, so
nobody can probe for modules, cadres or org units they may not see.

Not a views module: views, template tags and context processors all use it.
"""

from functools import cache, wraps

from django.contrib.auth.decorators import login_required
from django.db import connection, models
from django.http import Http404

from portal.prepared import prepared

from .models import Cadre, OrgUnit


def is_trainer(user):
    """Does ``user`` manage any org unit (or is a superuser)? Asked at most once."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "manages_org_units"):
        user.manages_org_units = user.managed_org_units.exists()
    return user.manages_org_units


@cache
def _roles_sql():
    """One small query for both of a user's roles: their active cadre profile with its
    org unit (None when they have none) and whether they manage an org unit. Written
    out: the ORM took longer to build it than the database to answer it."""
    trainers = OrgUnit.trainers.through._meta.db_table
    cadre_columns = [f.column for f in Cadre._meta.concrete_fields]
    org_columns = [f.column for f in OrgUnit._meta.concrete_fields]
    quote = connection.ops.quote_name
    columns = [f"c.{quote(c)}" for c in cadre_columns] + [f"o.{quote(c)}" for c in org_columns]
    # Only table and column names from the models' _meta are formatted in.
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {trainers} t WHERE t.user_id = %s), "  # noqa: S608  # nosec B608
        f"{', '.join(columns)} FROM (SELECT 1 AS one) one "
        f"LEFT JOIN {Cadre._meta.db_table} c ON c.user_id = %s AND c.active "
        f"LEFT JOIN {OrgUnit._meta.db_table} o ON o.id = c.org_unit_id"
    )
    return sql, cadre_columns, org_columns


def _load_roles(request):
    sql, cadre_columns, org_columns = _roles_sql()
    user = request.user
    with prepared(sql, [user.pk, user.pk]) as (sql, params), connection.cursor() as cursor:
        cursor.execute(sql, params)
        manages, *values = cursor.fetchone()
    user.manages_org_units = bool(manages)
    cadre = None
    if values[0] is not None:
        cadre_values, org_values = values[: len(cadre_columns)], values[len(cadre_columns) :]
        cadre = Cadre.from_db(connection.alias, None, _python(Cadre, cadre_values))
        org_unit = OrgUnit.from_db(connection.alias, None, _python(OrgUnit, org_values))
        Cadre.org_unit.field.set_cached_value(cadre, org_unit)
    request._cadre_of = cadre


def _python(model, values):
    """Raw values as the model's fields hold them (SQLite gives booleans as 0 and 1)."""
    return [
        bool(v) if isinstance(f, models.BooleanField) and v is not None else v
        for f, v in zip(model._meta.concrete_fields, values, strict=True)
    ]


def cadre_of(request):
    """The signed-in user's active cadre profile (with its org unit), or None: read once
    per request, with the user's trainer role, and shared by the view, the navigation
    and the completion panel."""
    if not hasattr(request, "_cadre_of"):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            request._cadre_of = None
        else:
            _load_roles(request)
    return request._cadre_of


def request_is_trainer(request):
    """Is the signed-in user a trainer? Read with their cadre profile (one query)."""
    cadre_of(request)
    return is_trainer(request.user)


def trainer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request_is_trainer(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def cadre_required(view):
    """The signed-in user's own cadre profile, as ``request.cadre``; 404 without one."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        cadre = cadre_of(request)
        if cadre is None:
            raise Http404
        request.cadre = cadre
        return view(request, *args, **kwargs)

    return wrapped
