"""The editorial checks (expositions/content_checks.py, rules in
expositions/data/content_rules.json, explained in docs/editorial.md): nothing in the
shipped content, and each planted fault found."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from expositions.content_checks import check_data_file, check_texts, load_rules
from expositions.models import StudyUnit
from expositions.seed import DEFAULT_DATA_FILE
from tests.expositions.test_admin import _form_data

THEMES = ["政治站位", "Political standing", "民生保障", "Livelihood guarantee"]


def clean_texts():
    return {
        "zh": {
            "title": "民政工作关乎民心向背",
            "summary": "习近平总书记关于民政工作的重要论述为民政事业提供了根本遵循。",
            "key_points": "民政工作关乎民心向背。\n总书记强调兜牢民生底线。",
            "body": "**兜底保障**，就是不让一个符合条件的人掉出保障网。",
            "translation": "首先，民政工作关乎民心向背。",
        },
        "en": {
            "title": "Civil affairs bears on the will of the people",
            "summary": "General Secretary Xi Jinping's important exposition guides civil affairs.",
            "key_points": "It bears on the will of the people.\nThe General Secretary asks.",
            "body": "**Holding the bottom line** means nobody eligible falls through.",
        },
    }


CLEAN_TAGS = [("民心", "will of the people"), ("社会救助", "social assistance")]
USE = {"民心": 3, "社会救助": 2}


def findings(texts=None, tags=None, use=None):
    return check_texts(
        "unit", texts or clean_texts(), tags or CLEAN_TAGS, use or USE, THEMES, load_rules()
    )


def planted(language, field, text):
    texts = clean_texts()
    texts[language][field] = text
    return {(f.language, f.rule) for f in findings(texts)}


def test_the_shipped_data_file_has_no_findings():
    assert check_data_file(DEFAULT_DATA_FILE) == []


def test_the_clean_example_has_no_findings():
    assert findings() == []


@pytest.mark.django_db
def test_check_content_finds_nothing_in_the_loaded_content(seeded, capsys):
    call_command("check_content")
    assert "No findings" in capsys.readouterr().out


def test_check_content_fails_on_a_data_file_with_a_fault(tmp_path, capsys):
    data = json.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    data["units"][0]["body_zh"] = "重要论述是一整套指导思想。"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="2 finding"):
        call_command("check_content", file=str(path))
    out = capsys.readouterr().out
    assert "指导思想" in out and data["units"][0]["slug"] in out


@pytest.mark.parametrize(
    ("language", "field", "text"),
    [
        ("zh", "summary", "总书记关于民政工作的重要论述为民政事业提供了根本遵循。"),
        ("zh", "title", "总书记的嘱托"),  # the title comes first: its mention is the first
        ("en", "summary", "The General Secretary's important exposition guides civil affairs."),
    ],
)
def test_first_mention_without_the_full_name(language, field, text):
    assert (language, "full_name") in planted(language, field, text)


def test_a_later_short_mention_is_fine():
    # clean_texts' key points say 总书记 after the summary's 习近平总书记.
    assert ("zh", "full_name") not in {(f.language, f.rule) for f in findings()}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "重要论述不是一篇讲话。"),  # the essay called 重要论述
        ("zh", "学习文章深入阐述了这一重要论述。"),
        ("en", "The exposition is not one speech."),
    ],
)
def test_exposition_term_for_anything_but_his_exposition(language, text):
    assert (language, "exposition_term") in planted(language, "body", text)


@pytest.mark.parametrize(
    "text",
    [
        # The book 民政部 compiled, by its published title (人民出版社; 新华社 10月26日电).
        "文章提到《深入学习习近平关于民政工作的重要论述》一书。",
        "深入学习习近平关于民政工作的重要论述",
        # Xinhua's wording of the same report, without 的 before 重要论述.
        "分专题阐述了习近平总书记关于民政工作重要论述的重大意义、丰富内涵、核心要义。",
        "深入学习贯彻习近平总书记关于民政工作的重要论述。",
    ],
)
def test_published_forms_of_his_exposition_are_not_findings(text):
    assert planted("zh", "body", text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "学习文章是关于民政工作重要论述的体会。",  # no 习近平, no 总书记
        "习近平总书记关于民政工作的讲话，是重要论述。",  # 重要论述 said of something else
        "本书是对习近平关于民政工作的论述的学习，也是一篇重要论述。",
    ],
)
def test_the_published_forms_do_not_let_other_uses_through(text):
    assert ("zh", "exposition_term") in planted("zh", "body", text)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "重要论述不是一篇讲话，而是一整套指导思想。"),
        ("zh", "先学会看家护院。"),
        ("en", "Before learning how to look after the house, ask for whom."),
        ("zh", "激励党员干部学以促干。"),
        ("zh", "率先开展全国跨省核对调查试点。"),
        ("zh", "自觉从党的执政和民族复兴的政治高度审视民政工作。"),
    ],
)
def test_reserved_and_nonstandard_terms(language, text):
    assert (language, "reserved_term") in planted(language, "body", text)


def test_markdown_italics_in_chinese():
    assert ("zh", "markdown_italics") in planted(
        "zh", "body", "这就是民政工作关乎*民心向背*的道理。"
    )
    assert ("zh", "markdown_italics") in planted("zh", "body", "既看到这户人家，_也_看到影响。")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "所以这个平台没有排行榜，也不计时。"),
        ("zh", "不是用在线时长来衡量的。"),
        ("en", "In this portal there are no leaderboards."),
    ],
)
def test_text_about_the_portal(language, text):
    assert (language, "portal_text") in planted(language, "body", text)


def test_the_shanxi_publicity_platform_is_not_the_portal():
    assert planted("zh", "body", "山西民政宣传平台关注量翻了一番。") == set()


def test_a_tag_on_one_unit_only():
    found = findings(tags=[*CLEAN_TAGS, ("数据共享", "data sharing")], use={**USE, "数据共享": 1})
    assert [(f.rule, f.where) for f in found] == [("tag_once", "数据共享 / data sharing")]


def test_a_tag_equal_to_a_theme_name():
    found = findings(tags=[*CLEAN_TAGS, ("基层", "livelihood guarantee")], use={**USE, "基层": 4})
    assert [f.rule for f in found] == ["tag_theme"]
    found = findings(tags=[*CLEAN_TAGS, ("政治站位", "stance")], use={**USE, "政治站位": 4})
    assert [f.rule for f in found] == ["tag_theme"]


@pytest.mark.parametrize(("language", "field"), [("en", "body"), ("zh", "translation")])
def test_english_or_chinese_missing(language, field):
    texts = clean_texts()
    texts[language][field] = ""
    found = findings(texts)
    assert [(f.language, f.rule) for f in found] == [(language, "missing_language")]


def test_a_finding_reads_in_both_languages():
    texts = clean_texts()
    texts["zh"]["body"] = "一整套指导思想。"
    (finding,) = findings(texts)
    assert "党的指导思想" in finding.message("zh-hans")
    assert "guiding ideology" in finding.message("en")


# --- the admin: the same findings as warnings, never blocking a save ----------------


@pytest.mark.django_db
def test_editors_see_findings_on_the_unit_page_and_can_still_save(editor_client, make_unit):
    unit = make_unit(title="Admin unit", tags=["民生"], body="Old body.")
    StudyUnit.objects.filter(pk=unit.pk).update(body_zh_hans="这是一整套指导思想。")
    url = reverse("admin:expositions_studyunit_change", args=[unit.pk])
    page = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "“指导思想”是党的指导思想的专用语" in page
    assert 'class="warning"' in page
    unit.refresh_from_db()
    data = _form_data(unit, body="仍然是一整套指导思想。")
    response = editor_client.post(url, data)
    assert response.status_code == 302  # saved despite the finding
    unit.refresh_from_db()
    assert unit.body_zh_hans == "仍然是一整套指导思想。"
