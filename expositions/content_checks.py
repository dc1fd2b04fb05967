"""Editorial checks of study content: the rules are data (``data/content_rules.json``,
each explained in docs/editorial.md); this module applies them to a unit's texts.

The same checks run over the database or a data file (``manage.py check_content``) and
over one unit on its change page in the admin, where they are warnings that never
block a save. The English source passages are the given text, quoted verbatim, and are
never checked; every other field is checked in its language.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count

from .models import StudyUnit, Tag, Theme

RULES_FILE = Path(__file__).resolve().parent / "data" / "content_rules.json"

# (field, label) in reading order, per language: the order decides which mention of
# the General Secretary is the first.
FIELDS = {
    "zh": (
        ("title", "标题"),
        ("summary", "摘要"),
        ("key_points", "要点"),
        ("body", "正文"),
        ("translation", "中文译文"),
    ),
    "en": (
        ("title", "title"),
        ("summary", "summary"),
        ("key_points", "key points"),
        ("body", "body"),
    ),
}


@dataclass(frozen=True)
class Finding:
    unit: str  # the unit's slug
    language: str  # "zh" or "en"
    rule: str
    message_en: str
    message_zh: str
    where: str = ""  # the field, or the tag, the finding is about

    def message(self, language_code):
        """The finding in the reader's language (a Django language code)."""
        zh = (language_code or "").startswith("zh")
        text = self.message_zh if zh else self.message_en
        where = f" {self.where}:" if self.where else ""
        return f"[{self.language}]{where} {text}"

    def __str__(self):
        return f"{self.unit} {self.message('en')}"


def load_rules(path=RULES_FILE):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def check_texts(slug, texts, tags, tag_use, theme_names, rules):
    """Findings for one unit. ``texts``: {"zh": {field: text}, "en": {field: text}};
    ``tags``: [(Chinese name, English name)]; ``tag_use``: units per Chinese tag name;
    ``theme_names``: every theme's name in both languages."""
    found = []

    def add(language, rule, where, source, kind=""):
        """A finding with the messages of ``source`` (a rule of the rules file)."""
        en, zh = source[f"message{kind}_en"], source[f"message{kind}_zh"]
        found.append(Finding(slug, language, rule, en, zh, where))

    for language, fields in FIELDS.items():
        text_of = texts.get(language, {})
        missing = [label for name, label in fields if not (text_of.get(name) or "").strip()]
        if missing:
            rule = rules["missing_language"]
            message = {
                "message_en": rule["message_en"].format(fields=", ".join(missing)),
                "message_zh": rule["message_zh"].format(fields="、".join(missing)),
            }
            add(language, "missing_language", "", message)
        labelled = [(label, text_of.get(name) or "") for name, label in fields]
        found += check_strings(slug, language, labelled, rules)

    tag_rules = rules["tags"]
    themes = {n.strip().lower() for n in theme_names if n}
    for zh, en in tags:
        where = f"{zh} / {en}" if en else zh
        if tag_use.get(zh, 0) < tag_rules["min_units"]:
            add("zh", "tag_once", where, tag_rules, "_once")
        if zh.strip().lower() in themes or (en or "").strip().lower() in themes:
            add("zh", "tag_theme", where, tag_rules, "_theme")
    return found


def check_strings(slug, language, texts, rules):
    """Findings for texts of one language, ``texts`` being [(label, text)] in reading
    order: every rule on a unit's texts but the missing language and the tags. A unit's
    fields go through here; so can other study content, such as a self-check question."""
    found = []

    def add(language, rule, where, source):
        found.append(
            Finding(slug, language, rule, source["message_en"], source["message_zh"], where)
        )

    _full_name(language, texts, rules["full_name"], add)
    for label, text in texts:
        if not text:
            continue
        _exposition_term(language, label, text, rules["exposition_term"], add)
        for term in rules["reserved_terms"]:
            if term["language"] == language and _contains(text, term["term"], language):
                add(language, "reserved_term", label, term)
        portal = rules["portal_text"]
        if any(_contains(text, phrase, language) for phrase in portal[language]):
            add(language, "portal_text", label, portal)
        if language == "zh":
            italics = rules["markdown_italics"]
            if any(re.search(p, text) for p in italics["patterns"]):
                add(language, "markdown_italics", label, italics)
    return found


def _contains(text, phrase, language):
    if language == "en":
        return re.search(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE) is not None
    return phrase in text


def _full_name(language, texts, rule, add):
    """The first mention of the General Secretary in ``texts`` (in reading order) gives
    his full name; later ones may be short."""
    short, full = rule[language]["short"], rule[language]["full"]
    for label, text in texts:
        if language == "zh":
            first = text.find(short)
            ok = first < 0 or text[:first].endswith(full[: -len(short)])
        else:
            match = re.search(re.escape(short), text, re.IGNORECASE)
            first = match.start() if match else -1
            ok = first < 0 or text[first:].lower().startswith(full.lower())
        if first >= 0:
            if not ok:
                add(language, "full_name", label, rule)
            return


def _exposition_term(language, label, text, rule, add):
    term, allowed = rule[language]["term"], rule[language]["allowed"]
    flags = re.IGNORECASE if language == "en" else 0
    covered = [m.span() for m in re.finditer(allowed, text, flags)]
    for mention in re.finditer(re.escape(term), text, flags):
        if not any(start <= mention.start() and mention.end() <= end for start, end in covered):
            add(language, "exposition_term", label, rule)
            return


# --- where the texts come from ------------------------------------------------------


def _unit_texts(unit):
    return {
        "zh": {
            "title": unit.title_zh_hans,
            "summary": unit.summary_zh_hans,
            "key_points": unit.key_points_zh_hans,
            "body": unit.body_zh_hans,
            # A unit without a source passage needs no translation of one.
            "translation": unit.source_translation if unit.source_passage.strip() else "-",
        },
        "en": {
            "title": unit.title_en,
            "summary": unit.summary_en,
            "key_points": unit.key_points_en,
            "body": unit.body_en,
        },
    }


def _theme_names():
    names = []
    for theme in Theme.objects.all():
        names += [theme.name_zh_hans, theme.name_en]
    return names


def check_unit(unit, rules=None):
    """Findings for one saved unit, its tags counted over every unit in the database."""
    rules = rules or load_rules()
    tags = list(unit.tags.all())
    use = dict(
        Tag.objects.filter(pk__in=[t.pk for t in tags])
        .annotate(n=Count("tagged_units"))
        .values_list("name", "n")
    )
    pairs = [(t.name, t.name_en) for t in tags]
    return check_texts(unit.slug, _unit_texts(unit), pairs, use, _theme_names(), rules)


def check_database(rules=None):
    """Findings for every unit in the database, in theme and unit order."""
    rules = rules or load_rules()
    use = dict(Tag.objects.annotate(n=Count("tagged_units")).values_list("name", "n"))
    themes = _theme_names()
    found = []
    units = StudyUnit.objects.select_related("theme").prefetch_related("tags")
    for unit in units.order_by("theme__order", "order", "pk"):
        pairs = [(t.name, t.name_en) for t in unit.tags.all()]
        found += check_texts(unit.slug, _unit_texts(unit), pairs, use, themes, rules)
    return found


def check_data_file(path, rules=None):
    """Findings for every unit of a data file (as ``load_exposition`` reads it),
    without a database."""
    rules = rules or load_rules()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    themes = [n for t in data.get("themes", []) for n in (t.get("name_zh"), t.get("name_en"))]
    units = data.get("units", [])
    use = Counter(zh for unit in units for zh, _en in unit.get("tags", []))
    found = []
    for unit in units:
        texts = {
            "zh": {
                "title": unit.get("title_zh", ""),
                "summary": unit.get("summary_zh", ""),
                "key_points": "\n".join(unit.get("key_points_zh", [])),
                "body": unit.get("body_zh", ""),
                "translation": "\n\n".join(unit.get("passages_zh", [])) or "-",
            },
            "en": {
                "title": unit.get("title", ""),
                "summary": unit.get("summary", ""),
                "key_points": "\n".join(unit.get("key_points", [])),
                "body": unit.get("body", ""),
            },
        }
        if unit.get("passages") and not unit.get("passages_zh"):
            texts["zh"]["translation"] = ""
        tags = [tuple(pair) for pair in unit.get("tags", [])]
        found += check_texts(unit.get("slug", "?"), texts, tags, use, themes, rules)
    return found
