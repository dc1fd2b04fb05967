import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from expositions.models import Exposition, StudyUnit, Tag, Theme
from expositions.seed import (
    DEFAULT_DATA_FILE,
    EDITORIAL_PASS,
    SeedError,
    load_exposition,
    read_seed,
)
from expositions.seed_questions import FILE_NAME, read_questions
from expositions.services import unit_save, unit_tags_set
from tests.servers import at_once

BYLINE_LINES = 2  # "Author: Su Shunsheng, ..." and the trailing "*:Shanxi**." colophon


def source_text():
    return (DEFAULT_DATA_FILE.parent / "exposition-civil-affairs.txt").read_text(encoding="utf-8")


def sentences(text):
    # The translation carries stray Markdown emphasis markers (**, *); they are
    # not words of the text.
    text = text.replace("*", "")
    parts = re.split(r'(?<=[.!?:"])\s+(?=["A-Z])', text)
    return [p.strip() for p in parts if p.strip()]


def test_every_passage_is_verbatim_in_the_source():
    data, source = read_seed()
    passages = [p for u in data["units"] for p in u["passages"]]
    assert passages
    for passage in passages:
        assert passage in source


def test_no_sentence_of_the_exposition_is_lost():
    data, source = read_seed()
    body_lines = source.strip().splitlines()[:-BYLINE_LINES]
    quoted = " ".join(p.replace("*", "") for u in data["units"] for p in u["passages"])
    missing = [s for line in body_lines for s in sentences(line) if s not in quoted]
    assert missing == []


def test_byline_is_the_exposition_author():
    data, source = read_seed()
    byline = source.strip().splitlines()[-BYLINE_LINES]
    assert data["exposition"]["author"] in byline
    assert data["exposition"]["organisation"] in byline


def test_shape_of_the_shipped_units():
    data, _ = read_seed()
    units = data["units"]
    assert len(units) >= 12
    assert {u["theme"] for u in units} == {
        "political-standing",
        "livelihood-guarantee",
        "grassroots-governance",
        "capability-building",
    }
    for unit in units:
        assert 3 <= len(unit["key_points"]) <= 5
        assert unit["summary"].count(". ") == 0, unit["slug"]  # one sentence
        for zh, en in unit["tags"]:  # one idea: its Chinese and its English name
            assert re.search(r"[\u4e00-\u9fff]", zh), unit["slug"]
            assert re.fullmatch(r"[A-Za-z' -]+", en), unit["slug"]


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_shipped_unit_reads_in_chinese_and_english():
    data, _ = read_seed()
    assert CHINESE.search(data["exposition"]["title_zh"])
    for unit in data["units"]:
        for key in ("title", "summary", "body"):
            assert CHINESE.search(unit[f"{key}_zh"]), (unit["slug"], key)
        # The English text is English (its body may gloss a term in Chinese: 低保).
        assert not CHINESE.search(unit["title"] + unit["summary"]), unit["slug"]
        assert len(unit["key_points_zh"]) == len(unit["key_points"])
        assert all(CHINESE.search(point) for point in unit["key_points_zh"])
        # Each verbatim English passage has its Chinese translation (译文).
        assert len(unit["passages_zh"]) == len(unit["passages"])
        assert all(CHINESE.search(t) for t in unit["passages_zh"])


@pytest.mark.django_db
def test_load_creates_themes_and_units():
    report = load_exposition()
    assert Exposition.objects.count() == 1
    assert Theme.objects.count() == 4
    assert StudyUnit.objects.published().count() == len(report.created) >= 12
    unit = StudyUnit.objects.get(slug="cross-provincial-verification-for-social-assistance")
    # Social assistance is livelihood guarantee (issue 32), under its standard name.
    assert unit.theme.slug == "livelihood-guarantee"
    assert "社会救助" in {t.name for t in unit.tags.all()}
    assert unit.title_zh_hans == "开展家庭经济状况跨省核对，助力社会救助精准实施"
    assert (
        unit.title_en
        == "Cross-provincial checks of household finances for targeted social assistance"
    )
    assert "家庭经济状况跨省核对" in unit.body_html_zh_hans
    assert "Cross-provincial verification" in unit.body_html_en
    assert unit.passages_translated[0][1].startswith("率先开展跨省核对全国试点")
    assert not unit.missing_language


@pytest.mark.django_db
def test_second_load_changes_nothing():
    load_exposition()
    before = list(StudyUnit.objects.values_list("pk", "updated_at").order_by("pk"))
    history = StudyUnit.history.count()
    report = load_exposition()
    assert report.created == report.updated == []
    assert list(StudyUnit.objects.values_list("pk", "updated_at").order_by("pk")) == before
    assert StudyUnit.history.count() == history


@pytest.mark.django_db
def test_load_keeps_a_unit_an_editor_changed():
    load_exposition()
    unit = StudyUnit.objects.get(slug="do-our-best-and-do-what-we-can")
    unit.body = "Rewritten by an editor."
    unit_save(unit=unit)
    report = load_exposition()
    assert report.kept_edited == ["do-our-best-and-do-what-we-can"]
    unit.refresh_from_db()
    assert unit.body == "Rewritten by an editor."


@pytest.mark.django_db
def test_load_keeps_an_editor_tag_change():
    load_exposition()
    unit = StudyUnit.objects.get(slug="do-our-best-and-do-what-we-can")
    unit_tags_set(unit=unit, tags=[*unit.tags.all(), "editor-tag"])
    load_exposition()
    assert "editor-tag" in {t.name for t in unit.tags.all()}


@pytest.mark.django_db
def test_load_updates_an_untouched_unit_when_the_data_changes(tmp_path):
    load_exposition()
    data = json.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    data["units"][0]["summary"] = "A new summary from the data file."
    data["units"][0]["summary_zh"] = "数据文件中的新摘要。"
    path = _write(tmp_path, data)
    report = load_exposition(path)
    assert report.updated == [data["units"][0]["slug"]]
    unit = StudyUnit.objects.get(slug=data["units"][0]["slug"])
    assert unit.summary_en == "A new summary from the data file."
    assert unit.summary_zh_hans == "数据文件中的新摘要。"


# Issue 32: a database loaded with the content as it stood before the editorial pass.
BEFORE_PASS = Path(__file__).parent / "fixtures" / "civil-affairs-exposition-before-issue-32.json"


def _load_the_content_before_the_pass(tmp_path):
    return load_exposition(_write(tmp_path, json.loads(BEFORE_PASS.read_text(encoding="utf-8"))))


@pytest.mark.django_db
def test_loading_over_the_old_content_makes_one_version_per_unit_with_a_reason(tmp_path):
    _load_the_content_before_the_pass(tmp_path)
    data, _ = read_seed()
    report = load_exposition()
    assert sorted(report.updated) == sorted(u["slug"] for u in data["units"])
    for spec in data["units"]:
        unit = StudyUnit.objects.get(slug=spec["slug"])
        versions = list(unit.history.order_by("-history_id"))
        assert len(versions) == 2, spec["slug"]  # the first load, then the pass
        assert versions[0].history_change_reason == EDITORIAL_PASS
        assert data["update_reason"] == EDITORIAL_PASS
        assert sorted(versions[0].history_tags) == sorted(spec["tags"])
        assert (unit.title_zh_hans, unit.body_zh_hans) == (spec["title_zh"], spec["body_zh"])
        assert unit.body_en == spec["body"]
        assert unit.theme.slug == spec["theme"]
        assert sorted(t.name for t in unit.tags.all()) == sorted(zh for zh, _en in spec["tags"])
    exposition = Exposition.objects.get()
    # Not the title of the ministry's book (深入学习习近平关于民政工作的重要论述): the essay
    # is a study article about the General Secretary's exposition.
    assert exposition.title_zh_hans == "学习贯彻习近平总书记关于民政工作重要论述的体会"
    assert exposition.title_en.startswith("Reflections on studying and applying")
    assert (exposition.author_zh_hans, exposition.author_en) == ("苏顺生", "Su Shunsheng")
    theme = Theme.objects.get(slug="grassroots-governance")
    assert "跨省核对" not in theme.description_zh_hans  # the unit moved to livelihood


# The data file as the first editorial pass shipped it, before the review of its units.
FIRST_PASS = (
    Path(__file__).parent / "fixtures" / "civil-affairs-exposition-first-pass-issue-32.json"
)


@pytest.mark.django_db
def test_loading_over_the_first_pass_makes_one_version_per_unit_the_review_changed(tmp_path):
    first = json.loads(FIRST_PASS.read_text(encoding="utf-8"))
    load_exposition(_write(tmp_path, first))
    before = {u["slug"]: u for u in first["units"]}
    data, _ = read_seed()

    def owned(unit):  # what the loader owns of a unit: all but its tags' English names
        return {**unit, "tags": sorted(zh for zh, _en in unit["tags"])}

    changed = sorted(u["slug"] for u in data["units"] if owned(u) != owned(before[u["slug"]]))
    # U8 itself did not change; one of its tags (政绩观) got a better English name.
    renamed = sorted(
        u["slug"]
        for u in data["units"]
        if u["slug"] not in changed and u["tags"] != before[u["slug"]]["tags"]
    )
    assert 0 < len(changed) < len(data["units"])
    assert renamed == ["more-practical-things-for-the-people"]
    # The shipped self-check questions, when there are any, come with a version too.
    questions, _errors = read_questions(DEFAULT_DATA_FILE.parent / FILE_NAME, data["units"])
    report = load_exposition()
    assert sorted(report.updated) == changed
    for spec in data["units"]:
        unit = StudyUnit.objects.get(slug=spec["slug"])
        versions = list(unit.history.order_by("-history_id"))
        new_version = spec["slug"] in [*changed, *renamed, *questions]
        assert len(versions) == (2 if new_version else 1), spec["slug"]
        if spec["slug"] in changed:
            assert versions[0].history_change_reason == EDITORIAL_PASS
        assert (unit.title_zh_hans, unit.body_zh_hans) == (spec["title_zh"], spec["body_zh"])
        assert sorted(versions[0].history_tags) == sorted(spec["tags"])
    assert Exposition.objects.get().title_zh_hans == data["exposition"]["title_zh"]
    assert Tag.objects.get(name="民生底线").name_en == "bottom line of livelihood"
    assert Tag.objects.get(name="政绩观").name_en == "view of political achievement"
    theme = Theme.objects.get(slug="grassroots-governance")
    assert "以学促干、担当作为" in theme.description_zh_hans  # U16's meaning (review item 20)
    versions = StudyUnit.history.count()
    assert load_exposition().updated == []
    assert StudyUnit.history.count() == versions


@pytest.mark.django_db
def test_loading_the_pass_twice_changes_nothing_the_second_time(tmp_path):
    _load_the_content_before_the_pass(tmp_path)
    load_exposition()
    versions = StudyUnit.history.count()
    tags = sorted(Tag.objects.values_list("name", "name_en"))
    report = load_exposition()
    assert report.updated == report.created == report.tags_removed == []
    assert StudyUnit.history.count() == versions
    assert sorted(Tag.objects.values_list("name", "name_en")) == tags


@pytest.mark.django_db
def test_the_pass_keeps_what_editors_wrote(tmp_path):
    _load_the_content_before_the_pass(tmp_path)
    edited = StudyUnit.objects.get(slug="do-our-best-and-do-what-we-can")
    edited.body_zh_hans = "编辑改写的正文。"
    unit_save(unit=edited)
    Exposition.objects.update(title_zh_hans="编辑改过的标题")
    Tag.objects.filter(name="内生动力").update(name_en="inner drive")  # an editor's name
    report = load_exposition()
    assert report.kept_edited == ["do-our-best-and-do-what-we-can"]
    edited.refresh_from_db()
    assert edited.body_zh_hans == "编辑改写的正文。"
    assert Exposition.objects.get().title_zh_hans == "编辑改过的标题"
    assert Tag.objects.get(name="内生动力").name_en == "inner drive"


@pytest.mark.django_db
def test_the_pass_renames_the_english_of_tags_the_loader_named(tmp_path):
    _load_the_content_before_the_pass(tmp_path)
    assert Tag.objects.get(name="精准救助").name_en == "accurate assistance"
    load_exposition()
    assert Tag.objects.get(name="精准救助").name_en == "targeted assistance"


@pytest.mark.django_db
def test_tags_no_unit_uses_any_more_are_removed_unless_an_editor_unit_has_them(tmp_path):
    _load_the_content_before_the_pass(tmp_path)
    edited = StudyUnit.objects.get(slug="do-our-best-and-do-what-we-can")
    edited.body_zh_hans = "编辑改写的正文。"
    unit_save(unit=edited)  # kept as the editor left it, with its old tags (量力而行, 民生, ...)
    report = load_exposition()
    assert "重要论述" in report.tags_removed and "基层治理" in report.tags_removed
    assert not Tag.objects.filter(name__in=["重要论述", "基层治理", "学以促干"]).exists()
    assert "量力而行" not in report.tags_removed
    assert Tag.objects.filter(name="量力而行").exists()
    # Every tag left is on a unit.
    assert not Tag.objects.filter(tagged_units__isnull=True).exists()


# "Safe to repeat" (README): also when two runs meet, say two deployments at once. Each
# load holds a lock for its transaction; without it, on PostgreSQL, both wrote the same
# new version of a unit, or the second failed on a row the first had just made.


@pytest.mark.django_db(transaction=True)
def test_two_first_loads_at_once_load_each_unit_once():
    results, errors = at_once([load_exposition, load_exposition])
    assert errors == []
    slugs = sorted(u["slug"] for u in read_seed()[0]["units"])
    assert sorted(slug for report in results for slug in report.created) == slugs
    assert sorted(slug for report in results for slug in report.unchanged) == slugs
    assert sorted(StudyUnit.objects.values_list("slug", flat=True)) == slugs
    assert (Exposition.objects.count(), Theme.objects.count()) == (1, 4)
    assert StudyUnit.history.count() == len(slugs)


@pytest.mark.django_db(transaction=True)
def test_two_loads_of_new_data_at_once_make_one_new_version(tmp_path):
    load_exposition()
    data = json.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    changed = data["units"][0]["slug"]
    data["units"][0]["summary"] = "A new summary from the data file."
    data["units"][0]["summary_zh"] = "数据文件中的新摘要。"
    path = _write(tmp_path, data)
    history = StudyUnit.history.filter(slug=changed).count()
    results, errors = at_once([lambda: load_exposition(path)] * 2)
    assert errors == []
    assert sorted(slug for report in results for slug in report.updated) == [changed]
    assert StudyUnit.history.filter(slug=changed).count() == history + 1
    unit = StudyUnit.objects.get(slug=changed)
    assert unit.summary_zh_hans == "数据文件中的新摘要。"


@pytest.mark.django_db
def test_a_unit_without_its_chinese_text_loads_nothing(tmp_path):
    data = json.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    del data["units"][0]["title_zh"]
    data["units"][1]["body_zh"] = "Only English here."
    data["units"][2]["passages_zh"] = data["units"][2]["passages_zh"][:-1] or ["一", "二"]
    path = _write(tmp_path, data)
    with pytest.raises(SeedError) as excinfo:
        load_exposition(path)
    errors = str(excinfo.value)
    assert "'title_zh' (Chinese) is missing" in errors
    assert "'body_zh' is not written in Chinese" in errors
    assert "one Chinese translation (译文) per source passage" in errors
    assert not StudyUnit.objects.exists()


@pytest.mark.django_db
def test_bad_data_file_loads_nothing(tmp_path):
    data = json.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    data["units"][-1]["passages"] = ["A sentence the essay never says."]
    data["units"][-2]["theme"] = "no-such-theme"
    path = _write(tmp_path, data)
    with pytest.raises(SeedError) as excinfo:
        load_exposition(path)
    assert len(excinfo.value.errors) == 2
    assert "not verbatim" in str(excinfo.value)
    assert "unknown theme" in str(excinfo.value)
    assert not StudyUnit.objects.exists()
    assert not Theme.objects.exists()


@pytest.mark.django_db
def test_command_reports_and_fails_clearly(tmp_path):
    call_command("load_exposition")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_exposition", file=str(bad))


def _write(tmp_path, data):
    (tmp_path / "exposition-civil-affairs.txt").write_text(source_text(), encoding="utf-8")
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
