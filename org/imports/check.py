"""Checking: every row of a file against the database and the importer's tree, before
anything is written. A check appends RowErrors and returns the plan the write stage
carries out; run() (in __init__) calls both in one transaction.

What a trainer may learn is bounded here: a code or an account outside their tree
reads as one that exists nowhere, with the same queries (issues #13 and #38).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import usernames
from ..models import CODE_VALIDATOR, PHONE_VALIDATOR, Cadre, OrgUnit
from .columns import CATEGORIES, LEVELS, NO, YES
from .read import RowError


class Check:
    """What every check shares: the rows, whose tree bounds them, the errors found.
    The tree is a trainer's (``scope_user``: the org units they manage), or one org
    unit's subtree (``root``: an API token's), or, with neither, the province's (an
    editor's)."""

    def __init__(self, rows, scope_user, errors, root=None):
        self.rows, self.scope_user, self.errors = rows, scope_user, errors
        self.root = root
        self.scoped = scope_user is not None or root is not None

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, message))

    def org_units_in_scope(self):
        qs = OrgUnit.objects.all()
        if self.root is not None:
            qs = OrgUnit.objects.in_subtree(self.root)
        elif self.scope_user is not None:
            qs = OrgUnit.objects.managed_by(self.scope_user)
        return {o.code: o for o in qs}

    def not_in_tree(self):
        """The one answer for a code that names no org unit the importer may use, whether
        it exists outside their tree or nowhere (issue #38): the same text, reached
        with the same queries, so a trainer cannot map the province's codes by trying
        them."""
        if not self.scoped:
            return _("No org unit with this code.")
        return _("No org unit with this code among those you manage.")


class CadreCheck(Check):
    """Rows of cadres. Plan: (username, name, org unit, position, active, category or
    None to keep it, phone or None to keep it, the existing user or None) per row."""

    def check(self):
        self.orgs = self.org_units_in_scope()
        names = [values["username"] for _n, values in self.rows]
        self.users = {
            u.username: u
            for u in get_user_model()
            .objects.filter(username__in=names)
            .select_related("cadre__org_unit")
        }
        self.in_scope_cadres = set()
        if self.scoped:
            cadres = (
                Cadre.objects.in_subtree(self.root)
                if self.root is not None
                else Cadre.objects.visible_to(self.scope_user)
            )
            self.in_scope_cadres = set(
                cadres.filter(user__username__in=names).values_list("user__username", flat=True)
            )
        self.look_alikes = usernames.similar_accounts(
            [u for u in names if u and u not in self.users]
        )
        self.validate_username = UnicodeUsernameValidator()
        seen, plan = {}, []
        for number, values in self.rows:
            username = values["username"]
            self.username(number, username)
            key = usernames.canonical(username)
            if key in seen:
                self.error(number, "username", _("Repeats row %(row)s.") % {"row": seen[key]})
            seen.setdefault(key, number)
            fields = self.fields(number, values)
            self.account(number, username)
            plan.append((username, *fields, self.users.get(username)))
        return plan

    def username(self, number, username):
        if not username:
            self.error(number, "username", _("A username is needed."))
        elif len(username) > 150:
            self.error(number, "username", _("At most 150 characters."))
        else:
            try:
                self.validate_username(username)
            except ValidationError:
                self.error(number, "username", _("Letters, digits and @ . + - _ only."))
                return
            # A new account: not one that passes for another (an existing username is
            # the same account, imported again).
            issue = username not in self.users and usernames.problem(username, self.look_alikes)
            if issue:
                self.error(number, "username", issue)

    def account(self, number, username):
        user = self.users.get(username)
        if user is not None and self.scoped:
            # One answer for every account a trainer may not import into, whatever it
            # is (a cadre elsewhere, an editor, a trainer): nothing to probe.
            if username not in self.in_scope_cadres:
                self.error(number, "username", _("This username is taken: choose another."))
        elif user is not None and getattr(user, "cadre", None) is None:
            self.error(
                number, "username", _("This username belongs to an account that is not a cadre.")
            )

    def fields(self, number, values):
        """(name, org unit, position, active, category, phone) of a row, checked."""
        name = values["name"]
        if not name:
            self.error(number, "name", _("A name is needed."))
        elif len(name) > 100:
            self.error(number, "name", _("At most 100 characters."))
        position = values.get("position", "")
        if len(position) > 100:
            self.error(number, "position", _("At most 100 characters."))
        active_text = values.get("active", "").lower()
        if active_text not in YES | NO:
            self.error(number, "active", _("Write yes or no."))
        category_text = values.get("category", "").strip().lower()
        category = CATEGORIES.get(category_text) if category_text else None
        if category_text and category is None:
            self.error(number, "category", _("Write 县处级, 乡科级 or 其他."))
        phone = values.get("phone", "").strip() or None
        if phone is not None and (len(phone) > 32 or not PHONE_VALIDATOR.regex.match(phone)):
            self.error(number, "phone", PHONE_VALIDATOR.message)
        org = self.orgs.get(values["org_code"])
        if org is None:
            self.error(number, "org_code", self.not_in_tree())
        return name, org, position, active_text not in NO, category, phone


class OrgUnitCheck(Check):
    """Rows of org units. Plan: (row number, values, level) per row."""

    def check(self):
        self.in_scope = self.org_units_in_scope()
        codes = [values["code"] for _n, values in self.rows]
        # Every code of the file is looked up, in the tree or not, and parents are read
        # off the tree already in hand: the queries are the same whatever the codes are.
        self.existing = {o.code: o for o in OrgUnit.objects.filter(code__in=codes)}
        self.codes_by_path = {o.path: c for c, o in self.in_scope.items()}
        self.in_file = {}
        plan = []
        for number, values in self.rows:
            level = self.fields(number, values)
            self.in_file.setdefault(values["code"], (number, level))
            plan.append((number, values, level))
        rows_with_errors = {e.row for e in self.errors}
        for number, values, level in plan:
            self.place(number, values, level, number in rows_with_errors)
        return plan

    def fields(self, number, values):
        """The row's own cells, checked; its level (None if unreadable)."""
        code, name = values["code"], values["name"]
        if not code:
            self.error(number, "code", _("A code is needed."))
        elif len(code) > 32:
            self.error(number, "code", _("At most 32 characters."))
        elif not CODE_VALIDATOR.regex.match(code):
            self.error(number, "code", CODE_VALIDATOR.message)
        elif code in self.in_file:
            self.error(number, "code", _("Repeats row %(row)s.") % {"row": self.in_file[code][0]})
        if not name:
            self.error(number, "name", _("A name is needed."))
        elif len(name) > 200:
            self.error(number, "name", _("At most 200 characters."))
        if len(values.get("name_en", "")) > 200:
            self.error(number, "name_en", _("At most 200 characters."))
        level = LEVELS.get(values["level"])
        if level is None:
            self.error(
                number, "level", _("Write 1 (province), 2 (city), 3 (county) or 4 (township).")
            )
        return level

    def place(self, number, values, level, row_has_errors):
        """The row's place in the tree: its parent, in the file or the importer's tree,
        above it; an existing unit not moved (moves are made in the admin)."""
        code, parent_code = values["code"], values.get("parent_code", "")
        current = self.existing.get(code)
        # A code taken outside the tree is checked as a new unit would be, and named
        # taken only where a new unit would have been added: a row with another problem
        # reads the same as it would with a made-up code.
        taken = current is not None and code not in self.in_scope
        if taken:
            current = None
        errors_before = len(self.errors)
        if not parent_code:
            if self.scoped:
                self.error(number, "parent_code", _("Only editors can add a top-level org unit."))
            elif current is not None and current.depth != 1:
                self.error(number, "parent_code", _("This org unit has a parent: name it."))
            return
        if parent_code == code:
            self.error(number, "parent_code", _("An org unit cannot be its own parent."))
            return
        if parent_code in self.in_file:
            parent_level = self.in_file[parent_code][1]
        elif parent_code in self.in_scope:
            parent_level = self.in_scope[parent_code].level
        else:
            self.error(number, "parent_code", self.not_in_tree())
            return
        if level is not None and parent_level is not None and parent_level >= level:
            self.error(number, "level", _("The level must be below the parent's level."))
        moved = current is not None and (
            self.codes_by_path.get(current.path[: -current.steplen]) != parent_code
        )
        if moved:
            self.error(
                number,
                "parent_code",
                _("This org unit exists under another parent; move it in the admin."),
            )
        if taken and not row_has_errors and len(self.errors) == errors_before:
            self.error(number, "code", _("This code is taken: choose another."))
