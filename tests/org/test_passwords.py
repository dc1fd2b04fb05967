"""One-time passwords for imported cadres: who may be given one, shown once, changed at
first sign-in."""

import csv
import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from org import imports, passwords
from org.models import Cadre

pytestmark = pytest.mark.django_db

ISSUE = reverse("org:issue_passwords")
CHANGE = reverse("org:password_change")


def _import(trainer, *rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "name", "org_code"])
    writer.writerows(rows)
    upload = SimpleUploadedFile("c.csv", out.getvalue().encode(), "text/csv")
    result = imports.run(upload, imports.CADRES, trainer, trainer)
    assert result.ok, result.problems
    return [Cadre.objects.get(user__username=r[0]) for r in rows]


@pytest.fixture
def trainer(org, make_trainer):
    return make_trainer(org.county, username="county-trainer")


@pytest.fixture
def imported(trainer, org):
    return _import(
        trainer,
        ["zhou.min", "周敏", org.township_a.code],
        ["wu.hao", "吴昊", org.township_b.code],
    )


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def _issued(response):
    """{username: password} read off the page that shows them."""
    html = response.content.decode()
    rows = re.findall(
        r"<code>([^<]+)</code></td>\s*<td[^>]*><code class=\"password\">([^<]+)<", html
    )
    return dict(rows)


def _signs_in(username, password):
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def _issue(client, *cadres):
    return client.post(ISSUE, {"cadres": [c.pk for c in cadres]})


def test_an_import_records_who_imported_each_new_cadre(imported, trainer):
    assert {c.imported_by for c in imported} == {trainer}
    assert not any(c.user.has_usable_password() for c in imported)


def test_the_list_holds_the_trainer_s_imports_that_never_signed_in(
    trainer_client, trainer, imported, org, make_trainer, make_cadre
):
    other = make_trainer(org.county, username="other-trainer")
    theirs = _import(other, ["li.na", "李娜", org.township_a.code])[0]
    signed_in = _import(trainer, ["he.jun", "何军", org.township_a.code])[0]
    get_user_model().objects.filter(pk=signed_in.user_id).update(last_login="2026-11-30T08:00Z")
    by_hand = make_cadre(org.township_a, name="手建")  # made in the admin, with a password
    waiting = trainer_client.get(ISSUE).context["waiting"]
    assert {c.name for c in waiting} == {"周敏", "吴昊"}
    assert theirs not in waiting and by_hand not in waiting


def test_issued_passwords_are_shown_once_and_let_the_cadre_sign_in(trainer_client, imported):
    response = _issue(trainer_client, *imported)
    assert response.status_code == 200
    shown = _issued(response)
    assert set(shown) == {"zhou.min", "wu.hao"}
    for cadre in imported:
        cadre.refresh_from_db()
        assert cadre.must_change_password
        assert check_password(shown[cadre.user.username], cadre.user.password)
    # Not kept anywhere readable: the list page afterwards shows no password.
    again = trainer_client.get(ISSUE).content.decode()
    assert not any(p in again for p in shown.values())
    assert "一次性密码尚未使用" in again or "one-time password not used yet" in again


def test_issuing_is_in_the_audit_log_without_the_password(trainer_client, trainer, imported):
    shown = _issued(_issue(trainer_client, imported[0]))
    entry = LogEntry.objects.filter(user=trainer, object_id=str(imported[0].pk)).latest("pk")
    assert (
        entry.change_message == "One-time password issued" or "一次性密码" in entry.change_message
    )
    assert shown["zhou.min"] not in entry.change_message


def test_issuing_again_replaces_an_unused_password(trainer_client, imported):
    first = _issued(_issue(trainer_client, imported[0]))["zhou.min"]
    second = _issued(_issue(trainer_client, imported[0]))["zhou.min"]
    user = get_user_model().objects.get(username="zhou.min")
    assert first != second
    assert not user.check_password(first) and user.check_password(second)


def test_a_cadre_who_signed_in_is_never_given_a_password_by_a_trainer(trainer_client, imported):
    shown = _issued(_issue(trainer_client, imported[0]))
    assert _signs_in("zhou.min", shown["zhou.min"])
    before = get_user_model().objects.get(username="zhou.min").password
    response = _issue(trainer_client, imported[0], imported[1])
    assert response.status_code == 422
    assert (
        "can no longer be given a password" in response.content.decode()
        or "已不能再生成密码" in (response.content.decode())
    )
    # Nothing changed: not the signed-in cadre's password, nor the other one's.
    assert get_user_model().objects.get(username="zhou.min").password == before
    assert not Cadre.objects.get(pk=imported[1].pk).must_change_password


def test_a_trainer_cannot_issue_for_a_cadre_outside_the_tree(trainer_client, org, make_trainer):
    elsewhere = make_trainer(org.other_county, username="elsewhere")
    theirs = _import(elsewhere, ["sun.li", "孙丽", org.other_county.code])[0]
    assert _issue(trainer_client, theirs).status_code == 422
    assert not Cadre.objects.get(pk=theirs.pk).must_change_password


def test_nothing_chosen_is_a_clear_error(trainer_client, imported):
    response = trainer_client.post(ISSUE, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "Choose at least one cadre." in response.content.decode()


def test_a_password_is_twelve_unambiguous_characters_in_three_groups():
    seen = {passwords.one_time_password() for _ in range(2000)}
    assert len(seen) == 2000
    for password in seen:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
        assert not set(password) & set("01ilo")


def test_with_pbkdf2_a_one_time_password_is_hashed_lighter_and_rehashed_at_sign_in(
    settings, imported, trainer
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    [(cadre, password)] = passwords.issue([imported[0]], by=trainer)
    user = get_user_model().objects.get(pk=cadre.user_id)
    assert user.password.startswith(f"pbkdf2_sha256${passwords.ONE_TIME_ITERATIONS}$")
    assert _signs_in(user.username, password)
    user.refresh_from_db()
    assert not user.password.startswith(f"pbkdf2_sha256${passwords.ONE_TIME_ITERATIONS}$")


# --- the first sign-in -----------------------------------------------------------------


@pytest.fixture
def first_sign_in(trainer_client, imported):
    password = _issued(_issue(trainer_client, imported[0]))["zhou.min"]
    client = Client()
    response = client.post(
        reverse("login"), {"username": "zhou.min", "password": password}, follow=True
    )
    return client, response, password


def test_signing_in_with_a_one_time_password_asks_for_a_new_one_first(first_sign_in):
    client, response, _password = first_sign_in
    assert response.redirect_chain[-1][0].startswith(CHANGE)
    assert response.context["required"] is True
    # Every other page sends them back to choose a password.
    page = client.get(reverse("training:my_study"))
    assert page.status_code == 302
    assert page["Location"].startswith(CHANGE)
    assert client.get(reverse("expositions:search"), {"q": "民政"})["Location"].startswith(CHANGE)


def test_signing_out_and_switching_language_work_before_the_change(first_sign_in):
    client, _response, _password = first_sign_in
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("training:my_study"))["Location"].startswith(reverse("login"))


def test_after_choosing_a_password_the_cadre_goes_where_they_were_going(first_sign_in):
    client, _response, password = first_sign_in
    target = reverse("training:my_study")
    response = client.post(
        CHANGE,
        {
            "old_password": password,
            "new_password1": "Minzheng-2026-study",
            "new_password2": "Minzheng-2026-study",
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200
    cadre = Cadre.objects.get(user__username="zhou.min")
    assert not cadre.must_change_password
    assert cadre.user.check_password("Minzheng-2026-study")
    assert not _signs_in("zhou.min", password)


@pytest.mark.parametrize(
    ("language", "label"), [("zh-hans", "一次性密码"), ("en", "One-time password")]
)
def test_the_forced_change_names_the_first_box_one_time_password(first_sign_in, language, label):
    client, _response, _password = first_sign_in
    page = client.get(CHANGE, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<label for="id_old_password">{label}</label>' in page


@pytest.mark.parametrize(
    ("language", "label"), [("zh-hans", "当前密码"), ("en", "Current password")]
)
def test_a_normal_change_names_the_first_box_current_password(
    client, org, make_cadre, language, label
):
    client.force_login(make_cadre(org.township_a).user)
    page = client.get(CHANGE, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<label for="id_old_password">{label}</label>' in page


def test_each_password_error_is_shown_under_its_own_box(first_sign_in):
    """What the validators say of the new password under 新密码; a mismatch under the
    confirmation."""
    client, _response, password = first_sign_in
    data = {"old_password": password, "new_password1": "short", "new_password2": "short"}
    form = client.post(CHANGE, data).context["form"]
    assert form.errors["new_password1"]
    assert "new_password2" not in form.errors
    data = {**data, "new_password1": "Minzheng-2026-study", "new_password2": "Minzheng-2026-x"}
    form = client.post(CHANGE, data).context["form"]
    assert form.errors["new_password2"]
    assert "new_password1" not in form.errors


def test_the_change_page_refuses_a_next_address_on_another_site(first_sign_in):
    client, _response, password = first_sign_in
    response = client.post(
        CHANGE,
        {
            "old_password": password,
            "new_password1": "Minzheng-2026-study",
            "new_password2": "Minzheng-2026-study",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("training:start")


def test_someone_without_a_one_time_password_is_never_sent_to_change_it(client, org, make_cadre):
    cadre = make_cadre(org.township_a)
    client.force_login(cadre.user)
    assert client.get(reverse("training:my_study")).status_code == 200
