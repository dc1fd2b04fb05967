"""The module builder's state between requests: the chosen units in order, and the
filter over the units still to choose from.

With JavaScript (static/js/module_builder.js) adding, removing and moving happen in
the page and only the save is sent. Without it, each button is a submit that comes
back here: the list is rebuilt from the posted ``units`` (in order) and the one action
applied, and the page is drawn again with nothing saved. Either way the order is the
order of the ``units`` fields, never a number typed by hand.
"""

from dataclasses import dataclass, field

from portal.params import parse_id

ACTIONS = ("add", "remove", "up", "down")


@dataclass
class Builder:
    units: list  # every unit that may be chosen, in theme order
    chosen_ids: list = field(default_factory=list)
    theme: int | None = None
    words: str = ""

    @classmethod
    def from_post(cls, units, data):
        by_id = {u.pk for u in units}
        chosen = []
        for raw in data.getlist("units"):
            unit_id = parse_id(raw)
            if unit_id in by_id and unit_id not in chosen:
                chosen.append(unit_id)
        return cls(units, chosen, parse_id(data.get("theme", "")), data.get("q", "").strip()[:100])

    @staticmethod
    def action(data):
        """(name, unit id) of the builder button that sent the form, ("filter", None)
        for the filter (and Enter in a text box), or None for Save."""
        for name in ACTIONS:
            if name in data:
                return name, parse_id(data[name])
        if "filter" in data:
            return "filter", None
        return None

    def apply(self, name, unit_id):
        ids = self.chosen_ids
        known = {u.pk for u in self.units}
        if name == "add" and unit_id in known and unit_id not in ids:
            ids.append(unit_id)
        elif unit_id in ids:
            i = ids.index(unit_id)
            if name == "remove":
                ids.remove(unit_id)
            elif name == "up" and i > 0:
                ids[i - 1], ids[i] = ids[i], ids[i - 1]
            elif name == "down" and i < len(ids) - 1:
                ids[i + 1], ids[i] = ids[i], ids[i + 1]

    @property
    def chosen(self):
        by_id = {u.pk: u for u in self.units}
        return [by_id[i] for i in self.chosen_ids if i in by_id]

    def matches(self, unit):
        if self.theme is not None and unit.theme_id != self.theme:
            return False
        if self.words:
            words = self.words.lower()
            titles = f"{unit.title_zh_hans or ''} {unit.title_en or ''}".lower()
            return words in titles
        return True

    def available(self):
        """(unit, shown) for each unit not chosen yet: shown when it passes the filter."""
        chosen = set(self.chosen_ids)
        return [(u, self.matches(u)) for u in self.units if u.pk not in chosen]

    def themes(self):
        seen = {}
        for unit in self.units:
            seen.setdefault(unit.theme_id, unit.theme)
        return list(seen.values())
