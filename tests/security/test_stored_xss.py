"""Stored XSS: a corpus of payloads through every field people type into (unit title,
summary, body, key points, tags, self-check questions, module title, org unit names,
cadre names, reflections and trainers' comments) and every page that shows them. Each
page's HTML is parsed for live markup from the corpus: a
script carrying its code, an event-handler attribute, a javascript:/data: URL, a
link or form aimed at another site. The browser test (tests/browser/test_xss.py)
checks that nothing executes."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from expositions.models import StudyUnit
from expositions.services import unit_save
from tests.expositions.test_self_check import QUESTIONS
from training import evidence, services
from training.models import Module, Reflection

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "'><iframe src=javascript:window.__xss=1>",
    '<a href="javascript:window.__xss=1">x</a>',
    '<a href="JaVaScRiPt:window.__xss=1">y</a>',
    '<object data="data:text/html,<script>window.__xss=1</script>"></object>',
    '<base href="//evil.example/">',
    '<form action="//evil.example/"><button>z</button></form>',
    '<details open ontoggle="window.__xss=1">',
    "{{ 7|add:7 }}{% debug %}",
    "[x](javascript:window.__xss=1)",
    '<math><mi xlink:href="javascript:window.__xss=1">m</mi></math>',
]
CORPUS = " ".join(PAYLOADS)
# Every payload's live part names one of these; text shown escaped is harmless.
MARKS = ("__xss", "evil.example")


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"}


class Findings(HTMLParser):
    """Live markup that came from the corpus: a tag whose attribute carries a mark,
    or a script whose code does."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for name, value in attrs:
            if not value or not any(mark in value for mark in MARKS):
                continue  # the corpus shown as text in a value or label is harmless
            url = "".join(value.split()).lower()
            if name.startswith("on") or (
                name in URL_ATTRIBUTES
                and (url.startswith(("javascript:", "data:", "vbscript:", "//", "http")))
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and any(mark in data for mark in MARKS):
            self.problems.append(f"<script>{data}")


def problems(response):
    assert response.status_code == 200, response.status_code
    parser = Findings()
    parser.feed(response.content.decode())
    return parser.problems


@pytest.fixture
def hostile(org, make_cadre, make_trainer, make_unit, make_user):
    from org.roles import EDITOR

    org.township_a.name = f"甲镇{PAYLOADS[1]}"
    org.township_a.name_en = f"Town A{PAYLOADS[2]}"
    org.township_a.save()
    unit = make_unit(
        title=f"标题{PAYLOADS[0]}",
        slug="hostile",
        summary=f"摘要{PAYLOADS[3]}",
        body=f"正文 民政\n\n{CORPUS}\n\n" + "\n\n".join(PAYLOADS),
        key_points="\n".join(PAYLOADS),
        tags=[f"标签{PAYLOADS[1]}", "民政"],
    )
    trainer = make_trainer(org.county, username="trainer")
    module = Module.objects.create(
        title=f"模块{PAYLOADS[9]}", description=CORPUS, created_by=trainer
    )
    services.module_set_units(module=module, units=[unit])
    cadre = make_cadre(org.township_a, name=f"干部{PAYLOADS[0]}{PAYLOADS[2]}", username="cadre")
    services.assignment_create(
        module=module, org_unit=org.county, due_on=timezone.localdate(), by=trainer
    )
    services.completion_record(cadre=cadre, unit=unit)
    editor = make_user("editor", role=EDITOR, is_staff=True)
    checked = _evidence(unit, make_unit, module, cadre, trainer, org)
    return {
        "unit": unit,
        "module": module,
        "cadre": cadre,
        "trainer": trainer,
        "editor": editor,
        "checked": checked,
        "reflection": Reflection.objects.get(cadre=cadre),
    }


def _evidence(unit, make_unit, module, cadre, trainer, org):
    """Evidence of study (issue #35): a unit whose self-check questions, options and
    explanations carry the corpus, in the module, which asks for the self-check; a
    second module asking for a reflection on the first unit, where the cadre wrote the
    corpus and the trainer returned it with the corpus as the comment."""
    questions = [
        {**spec, "text_zh": f"题目{PAYLOADS[i]}", "explanation_zh": f"解析{PAYLOADS[i + 3]}"}
        for i, spec in enumerate(QUESTIONS)
    ]
    questions[0]["options"] = [
        {**o, "text_zh": f"选项{PAYLOADS[j + 5]}"} for j, o in enumerate(questions[0]["options"])
    ]
    checked = make_unit(title="自测单元", slug="hostile-check")
    unit_save(unit=checked, questions=questions)
    services.module_set_units(module=module, units=[unit, checked])
    Module.objects.filter(pk=module.pk).update(evidence=Module.Evidence.SELF_CHECK)
    reflective = Module.objects.create(
        title="心得模块", evidence=Module.Evidence.REFLECTION, created_by=trainer
    )
    services.module_set_units(module=reflective, units=[unit])
    services.assignment_create(
        module=reflective, org_unit=org.county, due_on=timezone.localdate(), by=trainer
    )
    reflection, _completed = evidence.reflection_submit(cadre=cadre, unit=unit, text=CORPUS)
    evidence.reflection_review(
        reflection=reflection, by=trainer, action=evidence.RETURN, comment=CORPUS
    )
    return checked


def cadre_pages(h):
    unit = h["unit"]
    tag = unit.tags.exclude(name="民政").get()
    return [
        reverse("expositions:home"),
        reverse("expositions:theme_detail", args=[unit.theme.slug]),
        reverse("expositions:unit_detail", args=[unit.slug]),
        reverse("expositions:tag_index"),
        reverse("expositions:tag_detail", args=[tag.slug]),
        reverse("expositions:search") + "?q=民政",
        reverse("expositions:search") + "?q=" + PAYLOADS[0],
        reverse("training:my_study"),
        reverse("training:my_record"),
        reverse("expositions:unit_detail", args=["hostile-check"]),
        reverse("training:reflection", args=[unit.slug]),
    ]


def trainer_pages(h):
    module, cadre = h["module"], h["cadre"]
    return [
        reverse("training:module_list"),
        reverse("training:module_detail", args=[module.pk]),
        reverse("training:module_edit", args=[module.pk]),
        reverse("training:module_assign", args=[module.pk]),
        reverse("training:module_progress", args=[module.pk]),
        reverse("training:module_progress", args=[module.pk]) + f"?org={cadre.org_unit.pk}",
        reverse("training:cadre_record", args=[cadre.pk]),
        reverse("training:module_reflections", args=[module.pk]),
        reverse("training:reflection_detail", args=[h["reflection"].pk]),
    ]


def editor_pages(h):
    unit, cadre = h["unit"], h["cadre"]
    return [
        reverse("admin:expositions_studyunit_changelist"),
        reverse("admin:expositions_studyunit_change", args=[unit.pk]),
        reverse("admin:expositions_studyunit_history", args=[unit.pk]),
        reverse("admin:org_cadre_changelist"),
        reverse("admin:org_cadre_change", args=[cadre.pk]),
        reverse("admin:org_orgunit_changelist"),
        reverse("admin:training_module_changelist"),
        reverse("admin:expositions_tag_changelist"),
        reverse("admin:expositions_studyunit_change", args=[h["checked"].pk]),
        reverse("admin:expositions_studyunit_history", args=[h["checked"].pk]),
    ]


def test_the_payloads_are_stored_as_typed(hostile):
    unit = StudyUnit.objects.get(slug="hostile")
    assert PAYLOADS[0] in unit.title
    assert PAYLOADS[1] in hostile["cadre"].org_unit.name


@pytest.mark.parametrize(
    ("who", "pages"),
    [("cadre", cadre_pages), ("trainer", trainer_pages), ("editor", editor_pages)],
)
def test_no_page_carries_live_markup_from_the_corpus(hostile, who, pages):
    client = Client()
    user = hostile["cadre"].user if who == "cadre" else hostile[who]
    client.force_login(user)
    found = {url: problems(client.get(url)) for url in pages(hostile)}
    assert {url: p for url, p in found.items() if p} == {}


def test_the_payload_text_is_shown_escaped(hostile):
    client = Client()
    client.force_login(hostile["cadre"].user)
    html = client.get(reverse("expositions:unit_detail", args=["hostile"])).content.decode()
    assert "标题&lt;script&gt;window.__xss=1&lt;/script&gt;" in html


def test_a_marked_self_check_shows_the_corpus_escaped(hostile):
    client = Client()
    client.force_login(hostile["cadre"].user)
    url = reverse("training:self_check", args=["hostile-check"])
    answers = {}
    for question in hostile["checked"].questions.all():
        first = question.options.order_by("order").first()
        answers[f"q{question.pk}"] = "true" if first is None else str(first.pk)
    response = client.post(url, answers)
    assert problems(response) == []
    assert "&lt;iframe src=javascript:window.__xss=1&gt;" in response.content.decode()


def test_the_checker_finds_live_markup():
    for html in PAYLOADS[:10]:
        parser = Findings()
        parser.feed(html)
        assert parser.problems, html
