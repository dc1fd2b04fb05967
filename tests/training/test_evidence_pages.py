"""Evidence of study on the pages (issue #35): the unit page asks for what the cadre's
modules ask, the self-check is marked and retried at once, a reflection is written,
read, returned and revised; trainers read reflections on a module's page and a
cadre's record, export them; everything a cadre typed is escaped, and exports
neutralise formulas."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from expositions import services as expositions_services
from tests.expositions.test_self_check import QUESTIONS
from tests.training.test_evidence import TEXT, right_answers
from tests.training.test_trainer_pages import _csv, _sheet
from training import evidence
from training.models import Completion, Module, Reflection, SelfCheckPass

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def course(org, make_cadre, make_unit, make_module, make_trainer, assign):
    cadre = make_cadre(org.township_a, username="reader", name="读者")
    units = [make_unit(title=f"课{i}") for i in range(3)]
    for unit in units:
        expositions_services.unit_save(unit=unit, questions=QUESTIONS)
    module = make_module(units=units, evidence=Module.Evidence.SELF_CHECK, title="自测模块")
    assign(module, org.county, days=10)
    trainer = make_trainer(org.county, username="county-trainer")
    return cadre, units, module, trainer


@pytest.fixture
def reader(client, course):
    client.force_login(course[0].user)
    return client


def _page(client, unit, language="zh-hans"):
    return client.get(unit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _answers_post(unit, answers):
    data = {}
    for pk, answer in answers.items():
        if isinstance(answer, bool):
            data[f"q{pk}"] = "true" if answer else "false"
        else:
            data[f"q{pk}"] = [str(o) for o in answer]
    return data


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _asks(module, value):
    Module.objects.filter(pk=module.pk).update(evidence=value)


# --- the unit page asks for what the modules ask -------------------------------------


def test_the_unit_page_asks_for_the_self_check_instead_of_the_button(reader, course):
    _cadre, units, *_ = course
    html = _page(reader, units[0])
    assert 'action="/training/units/' + units[0].slug + '/self-check/"' in html
    assert "民政部门的职责包括哪些？" in html
    assert "/complete/" not in html
    assert "通过本单元自测（全部答对）后，本单元才计为完成。" in html
    assert "本单元第一条要点" not in html  # explanations only after answering


def test_a_unit_of_a_module_asking_nothing_keeps_the_button(reader, course):
    _cadre, units, module, _trainer = course
    _asks(module, Module.Evidence.NOTHING)
    html = _page(reader, units[0])
    assert "/complete/" in html and "/self-check/" not in html and "/reflection/" not in html


def test_wrong_answers_show_each_mark_and_explanation_and_record_nothing(reader, course):
    _cadre, units, *_ = course
    question = units[0].questions.get(order=1)  # single choice
    wrong = question.options.get(correct=False)
    data = _answers_post(units[0], right_answers(units[0]))
    data[f"q{question.pk}"] = str(wrong.pk)
    url = reverse("training:self_check", args=[units[0].slug])
    response = reader.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert "还有题目没有答对" in html
    assert html.count("未答对") == 1 and html.count("回答正确") == 2
    assert "本单元第一条要点。" in html  # the explanations, after answering
    assert re.search(rf'value="{wrong.pk}"[^>]*checked', html)  # to change, not retype
    assert not SelfCheckPass.objects.exists() and not Completion.objects.exists()


def test_right_answers_pass_and_complete_the_unit(reader, course):
    cadre, units, module, _trainer = course
    url = reverse("training:self_check", args=[units[0].slug])
    data = {**_answers_post(units[0], right_answers(units[0])), "module": module.pk}
    response = reader.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    assert response["Location"] == f"{units[0].get_absolute_url()}?module={module.pk}#completion"
    assert _messages(response) == ["全部答对，您已通过自测。本单元已记为完成。"]
    assert Completion.objects.filter(cadre=cadre, unit=units[0]).exists()
    html = _page(reader, units[0])
    assert "完成于" in html or "已完成" in html
    assert "/self-check/" not in html


def test_an_unanswered_question_is_asked_again_and_nothing_is_recorded(reader, course):
    _cadre, units, *_ = course
    data = _answers_post(units[0], right_answers(units[0]))
    data.pop(next(iter(data)))
    url = reverse("training:self_check", args=[units[0].slug])
    response = reader.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "请回答本题。" in response.content.decode()
    assert not SelfCheckPass.objects.exists()


def test_the_button_is_refused_while_the_self_check_is_asked(reader, course):
    _cadre, units, *_ = course
    url = reverse("training:completion_mark", args=[units[0].slug])
    response = reader.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert _messages(response) == [
        "Answer the self-check first: the unit counts once every answer is right."
    ]
    assert not Completion.objects.exists()


def test_the_self_check_address_opened_with_get_goes_back_to_the_unit(reader, course):
    _cadre, units, *_ = course
    response = reader.get(reverse("training:self_check", args=[units[0].slug]))
    assert response.status_code == 302
    assert response["Location"] == units[0].get_absolute_url() + "#completion"


def test_a_unit_without_questions_has_no_self_check_to_post(reader, course, make_unit):
    bare = make_unit()
    response = reader.post(reverse("training:self_check", args=[bare.slug]), {})
    assert response.status_code == 404


def test_the_unit_page_asks_few_queries_with_a_self_check(
    reader, course, django_assert_max_num_queries
):
    _cadre, units, *_ = course
    reader.get(units[1].get_absolute_url())
    with django_assert_max_num_queries(17):
        reader.get(units[1].get_absolute_url())


# --- reflections: the cadre ------------------------------------------------------------


@pytest.fixture
def reflective(course):
    _asks(course[2], Module.Evidence.REFLECTION)
    return course


def _send(client, unit, text, **extra):
    url = reverse("training:reflection", args=[unit.slug])
    return client.post(url, {"text": text, **extra}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_the_unit_page_asks_for_a_reflection(reader, reflective):
    _cadre, units, *_ = reflective
    html = _page(reader, units[0])
    assert f'action="/training/units/{units[0].slug}/reflection/"' in html
    assert "提交本单元的学习心得后，本单元才计为完成。" in html
    assert "/complete/" not in html
    # The form's help in the page's language, whichever language came first.
    assert "50 至 2000 字" in html
    assert "50 to 2000 characters" in _page(reader, units[0], language="en")
    assert "50 至 2000 字" in _page(reader, units[0])


def test_a_short_reflection_is_refused_with_its_length(reader, reflective):
    _cadre, units, *_ = reflective
    response = _send(reader, units[0], "学习了。")
    assert response.status_code == 200
    assert "请结合本职工作至少写 50 字，目前 4 字。" in response.content.decode()
    assert not Reflection.objects.exists()


def test_a_reflection_sent_completes_the_unit_and_shows_escaped(reader, reflective):
    cadre, units, *_ = reflective
    response = _send(reader, units[0], HOSTILE + TEXT)
    assert response.status_code == 302
    assert Completion.objects.filter(cadre=cadre, unit=units[0]).exists()
    for html in (
        _page(reader, units[0]),
        reader.get(reverse("training:reflection", args=[units[0].slug])).content.decode(),
        reader.get(reverse("training:my_record")).content.decode(),
    ):
        assert "<script>alert" not in html and "<img src=x" not in html
    page = reader.get(reverse("training:reflection", args=[units[0].slug])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_cadre_sees_a_returned_reflection_with_its_comment_and_revises(
    reader, reflective, client
):
    cadre, units, _module, trainer = reflective
    _send(reader, units[0], TEXT)
    reflection = Reflection.objects.get()
    evidence.reflection_review(
        reflection=reflection, by=trainer, action=evidence.RETURN, comment="请联系<b>低保</b>复核"
    )
    record = reader.get(reverse("training:my_record"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = record.content.decode()
    assert "已退回修改" in html and "请联系&lt;b&gt;低保&lt;/b&gt;复核" in html
    unit_html = _page(reader, units[0])
    assert "培训管理员已退回修改，意见如下：" in unit_html
    assert "提交修改" in unit_html
    _send(reader, units[0], TEXT + "我会逐户回访。")
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.SUBMITTED and reflection.revised


def test_a_read_reflection_is_shown_read_only_and_a_revision_is_refused(reader, reflective):
    _cadre, units, _module, trainer = reflective
    _send(reader, units[0], TEXT)
    evidence.reflection_review(reflection=Reflection.objects.get(), by=trainer, action="read")
    html = reader.get(reverse("training:reflection", args=[units[0].slug])).content.decode()
    assert "培训管理员已阅，不能再修改。" in html and "<textarea" not in html
    response = _send(reader, units[0], TEXT + "再改。")
    assert response.status_code == 200
    assert Reflection.objects.get().text == TEXT


# --- reflections: the trainer ----------------------------------------------------------


@pytest.fixture
def trainer_client(client, reflective):
    client.force_login(reflective[3])
    return client


def _written(cadre, unit, text=TEXT):
    reflection, _completed = evidence.reflection_submit(cadre=cadre, unit=unit, text=text)
    return reflection


def test_a_module_s_reflections_newest_first_and_filtered(
    trainer_client, reflective, org, make_cadre
):
    cadre, units, module, _trainer = reflective
    neighbour = make_cadre(org.township_b, name="邻镇干部")
    outside = make_cadre(org.other_county, name="外县干部")
    _written(cadre, units[0], TEXT + "一")
    _written(neighbour, units[1], TEXT + "二")
    _written(outside, units[0], TEXT + "三")
    url = reverse("training:module_reflections", args=[module.pk])
    page = trainer_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    names = [r.cadre.name for r in page.context["page"]]
    assert names == ["邻镇干部", "读者"]  # newest first; never the other county's
    by_unit = trainer_client.get(url, {"unit": units[0].pk})
    assert [r.cadre.name for r in by_unit.context["page"]] == ["读者"]
    by_org = trainer_client.get(url, {"org": org.township_b.pk})
    assert [r.cadre.name for r in by_org.context["page"]] == ["邻镇干部"]
    assert trainer_client.get(url, {"org": org.other_county.pk}).status_code == 404
    assert trainer_client.get(url, {"unit": "x"}).status_code == 404


def test_the_reflections_page_asks_the_same_queries_for_five_or_fifty(
    trainer_client, reflective, org, make_cadre, django_assert_max_num_queries
):
    _cadre, units, module, _trainer = reflective
    url = reverse("training:module_reflections", args=[module.pk])
    for i in range(5):
        _written(make_cadre(org.township_a), units[i % 3])
    trainer_client.get(url)
    with django_assert_max_num_queries(14) as few:
        trainer_client.get(url)
    for i in range(45):
        _written(make_cadre(org.township_b), units[i % 3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        trainer_client.get(url)


def test_a_trainer_reads_and_returns_on_the_reflection_s_page(trainer_client, reflective):
    cadre, units, *_ = reflective
    reflection = _written(cadre, units[0], HOSTILE + TEXT)
    url = reverse("training:reflection_detail", args=[reflection.pk])
    page = trainer_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    refused = trainer_client.post(url, {"action": "return", "comment": " "})
    assert refused.status_code == 200
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.SUBMITTED
    returned = trainer_client.post(url, {"action": "return", "comment": "再具体些"})
    assert returned.status_code == 302
    reflection.refresh_from_db()
    assert (reflection.status, reflection.comment) == (Reflection.Status.RETURNED, "再具体些")


def test_a_trainer_of_another_county_gets_404(client, reflective, org, make_trainer):
    cadre, units, module, _trainer = reflective
    reflection = _written(cadre, units[0])
    client.force_login(make_trainer(org.other_county))
    url = reverse("training:reflection_detail", args=[reflection.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "read"}).status_code == 404
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.SUBMITTED
    listed = client.get(reverse("training:module_reflections", args=[module.pk]))
    assert list(listed.context["page"]) == []


def test_the_cadre_s_record_shows_their_reflections(trainer_client, reflective):
    cadre, units, *_ = reflective
    _written(cadre, units[0], HOSTILE + TEXT)
    html = trainer_client.get(reverse("training:cadre_record", args=[cadre.pk])).content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert reverse("training:reflection_detail", args=[Reflection.objects.get().pk]) in html


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_the_export_neutralises_formulas_in_every_typed_cell(trainer_client, reflective, payload):
    cadre, units, module, _trainer = reflective
    cadre.name = payload
    cadre.save()
    _written(cadre, units[0], payload + TEXT)
    url = reverse("training:reflections_export", args=[module.pk, "csv"])
    rows = _csv(trainer_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0][:3] == ["Submitted (Beijing time)", "Name", "Username"]
    assert rows[1][1] == "'" + payload
    assert rows[1][6] == "'" + payload + TEXT
    sheet = _sheet(trainer_client.get(url.replace(".csv", ".xlsx")))
    assert sheet.cell(row=3, column=2).value == "'" + payload
    assert sheet.cell(row=3, column=7).value.startswith("'" + payload)


def test_the_export_holds_only_the_trainer_s_tree_and_the_filter(
    trainer_client, reflective, org, make_cadre
):
    cadre, units, module, _trainer = reflective
    _written(cadre, units[0])
    _written(make_cadre(org.other_county, name="外县干部"), units[0])
    _written(make_cadre(org.township_b, name="邻镇干部"), units[1])
    url = reverse("training:reflections_export", args=[module.pk, "csv"])
    rows = _csv(trainer_client.get(url))
    assert sorted(r[1] for r in rows[1:]) == ["读者", "邻镇干部"]
    rows = _csv(trainer_client.get(url, {"unit": units[1].pk}))
    assert [r[1] for r in rows[1:]] == ["邻镇干部"]
    response = trainer_client.get(url)
    assert "%E5%AD%A6%E4%B9%A0%E5%BF%83%E5%BE%97" in response["Content-Disposition"]  # 学习心得


def test_the_module_form_sets_what_the_module_asks(client, course, make_unit):
    _cadre, units, _module, trainer = course
    client.force_login(trainer)
    response = client.post(
        reverse("training:module_create"),
        {
            "title": "心得模块",
            "status": "active",
            "evidence": "reflection",
            "units": [units[0].pk],
            "save": "1",
        },
    )
    assert response.status_code == 302
    module = Module.objects.get(title="心得模块")
    assert module.evidence == Module.Evidence.REFLECTION
    html = client.get(module.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "完成要求：撰写本单元的学习心得" in html
    assert reverse("training:module_reflections", args=[module.pk]) in html
