"""Writing: what a checked plan says, in the transaction run() opened (in __init__):
new accounts and cadres, changed cadres, new and changed org units, each logged in the
audit log. Only called when the check found nothing wrong."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils.translation import gettext as _

from portal import audit

from ..models import Cadre, OrgUnit, touched
from ..roles import CADRE


def _done(plan, created, changed, *, by, result):
    """What was written, into the audit log (by whom, from which file) and the result."""
    message = _("Imported from %(file)s") % {"file": result.filename}
    for objects, action in ((created, audit.ADDITION), (changed, audit.CHANGE)):
        if objects:
            audit.LogEntry.objects.log_actions(by.pk, objects, action, message)
    result.created = len(created)
    result.updated = len(changed)
    result.unchanged = len(plan) - len(created) - len(changed)


def write_cadres(plan, *, by, result):
    """New accounts (no password: org.passwords) and cadres; changed cadres."""
    User = get_user_model()
    # The role groups exist after every migrate (training.apps): no need to reset them.
    group = Group.objects.get_or_create(name=CADRE)[0]
    new_users = []
    for username, *_rest, user in plan:
        if user is None:
            new = User(username=username)
            new.set_unusable_password()  # one-time passwords: org.passwords
            new_users.append(new)
    User.objects.bulk_create(new_users)
    created_users = {
        u.username: u for u in User.objects.filter(username__in=[u.username for u in new_users])
    }
    group.user_set.add(*created_users.values())
    new_cadres, changed = [], []
    for username, name, org, position, active, category, phone, user in plan:
        if user is None:
            new_cadres.append(
                Cadre(
                    user=created_users[username],
                    name=name,
                    org_unit=org,
                    position=position,
                    active=active,
                    category=category or Cadre.Category.OTHER,
                    phone=phone or "",
                    imported_by=by,
                )
            )
            continue
        cadre = user.cadre
        fields = {"name": name, "org_unit_id": org.pk, "position": position, "active": active}
        if category is not None:  # an empty cell keeps the category
            fields["category"] = category
        if phone is not None:  # and the phone
            fields["phone"] = phone
        if any(getattr(cadre, f) != v for f, v in fields.items()):
            for f, v in fields.items():
                setattr(cadre, f, v)
            changed.append(cadre)
    Cadre.objects.bulk_create(new_cadres)
    update_in_groups(changed, ["name", "org_unit_id", "position", "active", "category", "phone"])
    created = list(Cadre.objects.filter(user__in=created_users.values()))
    _done(plan, created, changed, by=by, result=result)


def update_in_groups(cadres, fields):
    """Writes ``fields`` of ``cadres``: one UPDATE for each set of values they share (a
    roster moved to a new township: one), at most one per cadre.

    Django's ``bulk_update`` makes one statement of a CASE per field with a branch per
    row: 10,000 changed cadres took 48.5 s on PostgreSQL, which tries every branch for
    every row, and building the statement took seconds more in Python.
    """
    groups = {}
    for cadre in cadres:
        groups.setdefault(tuple(getattr(cadre, f) for f in fields), []).append(cadre.pk)
    for values, pks in groups.items():
        Cadre.objects.filter(pk__in=pks).update(
            **dict(zip(fields, values, strict=True)), **touched()
        )


def write_org_units(plan, *, by, result):
    """New org units (parents first), and changed names and levels."""
    codes = [values["code"] for _n, values, _level in plan]
    existing = {o.code: o for o in OrgUnit.objects.filter(code__in=codes)}
    created, changed = [], []
    new = {}  # level -> parent code -> the new org units' fields, as the file has them
    for _number, values, level in plan:
        fields = {
            "code": values["code"],
            "name": values["name"],
            "name_en": values.get("name_en", ""),
            "level": level,
        }
        current = existing.get(values["code"])
        if current is not None:
            if any(getattr(current, f) != v for f, v in fields.items()):
                for f, v in fields.items():
                    setattr(current, f, v)
                current.save(update_fields=["name", "name_en", "level", "updated_at"])
                changed.append(current)
            continue
        new.setdefault(level, {}).setdefault(values.get("parent_code", ""), []).append(fields)
    # Parents before children (check() puts every parent on a level above): a level at
    # a time, each parent's new children together.
    for level in sorted(new):
        for parent_code, children in new[level].items():
            if parent_code:
                parent = existing.get(parent_code) or OrgUnit.objects.get(code=parent_code)
                nodes = add_children(parent, children)
            else:
                nodes = [OrgUnit.objects.add_root(fields) for fields in children]
            existing.update((node.code, node) for node in nodes)
            created += nodes
    _done(plan, created, changed, by=by, result=result)


def add_children(parent, children):
    """Saves org units (``children``: their fields) as new children of ``parent``, in code
    order among its children (``OrgUnit.node_order_by``).

    When they all sort after its present children (a new branch: the usual import), in
    one insert: their paths follow the last child's, and the parent's count of children
    goes up once. Otherwise one at a time, as treebeard inserts a sorted child (moving
    the siblings after it). One at a time for every row, an import of 10,000 townships
    under one county took 147.9 s on PostgreSQL: each insert read and rewrote the
    parent's row and looked through the siblings before it.
    """
    parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
    children = sorted(children, key=lambda fields: fields["code"])
    last = None if parent.is_leaf() else OrgUnit.objects.get_last_child(parent)
    if last is not None and last.code >= children[0]["code"]:
        # treebeard locks and reads the parent afresh for each child.
        return [OrgUnit.objects.add_child(parent, fields) for fields in children]
    step = OrgUnit._str2int(last.path[-OrgUnit.steplen :]) if last is not None else 0
    depth = parent.depth + 1
    nodes = OrgUnit.objects.bulk_create(
        OrgUnit(
            **fields,
            depth=depth,
            numchild=0,
            path=OrgUnit._get_path(parent.path, depth, step + number),
        )
        for number, fields in enumerate(children, start=1)
    )
    OrgUnit.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(nodes))
    return nodes
