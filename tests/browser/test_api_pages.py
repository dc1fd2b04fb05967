"""The API's pages in a real browser (issue #36): Swagger UI and Redoc draw the schema
from the portal's own files (nothing fetched from elsewhere, nothing the content
security policy refuses: the page fixture fails on any console error or failed
request), and an account manager issues a token in the admin, sees it once, a client
reads its org unit's subtree with it, and the manager revokes it.

The readers of the schema are for the province's integrators at a desk: they are
tested at desktop width only (Swagger UI scrolls sideways on a phone)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_reading import TEXT, sign_in

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["desktop"])
def test_swagger_ui_lists_the_endpoints_from_the_portals_own_files(visit, viewport, language):
    page = visit
    page.goto(page.base_url + "/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    paths = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert any(p.replace("\u200b", "") == "/api/v1/completions/" for p in paths)
    assert any(p.replace("\u200b", "") == "/api/v1/deletions/" for p in paths)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_redoc_draws_the_schema_in_both_languages_from_the_portals_own_files(
    visit, viewport, language
):
    page = visit
    # Redoc's menu always shows its maker's logo from their CDN; the portal's Content
    # Security Policy refuses it (no request leaves the intranet) and Redoc hides it.
    page.expect_csp_block(r"^https://cdn\.redoc\.ly/redoc/logo-mini\.svg$|'https://cdn\.redoc\.ly/")
    page.goto(page.base_url + "/api/v1/redoc/")
    title = page.get_by_role("heading", name=re.compile("民政干部学习平台 API"))
    expect(title).to_contain_text("Civil Affairs Study Portal API", timeout=15_000)
    expect(page.get_by_text("学时记录、干部名册、组织单位。").first).to_be_visible()
    expect(page.get_by_text("/api/v1/completions/").first).to_be_attached()


def _choose(page, field, typed, label):
    """Type ``typed`` in the admin's autocomplete (select2) of ``field``, pick ``label``."""
    page.locator(f".select2-selection[aria-labelledby='select2-id_{field}-container']").click()
    page.locator(".select2-search__field").fill(typed)
    option = page.locator(".select2-results__option", has_text=label).first
    expect(option).to_be_visible()
    option.click()


def test_an_account_manager_issues_a_token_a_client_reads_with_it_and_it_is_revoked(
    visit, viewport, language, demo
):
    text = TEXT[language]
    page = visit
    sign_in(page, "accounts", "accounts-demo-2026", text, landing="/admin/")
    page.goto(page.base_url + "/admin/api/apitoken/add/")
    page.locator("#id_name").fill("省干部教育培训管理信息系统（测试）")
    _choose(page, "user", "trainer-county", "trainer-county")
    _choose(page, "org_unit", "140105", "小店区" if language == "zh-hans" else "Xiaodian")
    page.locator("input[name=_save]").click()

    token = page.locator("code.api-token")
    expect(token).to_be_visible()
    secret = token.inner_text().strip()
    assert re.fullmatch(r"csp_[0-9a-f]+_\S+", secret), secret
    page.snapshot("issued")

    bearer = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    answer = page.request.get(page.base_url + "/api/v1/org-units/?page_size=1000", headers=bearer)
    assert answer.status == 200
    codes = [row["code"] for row in answer.json()["results"]]
    assert codes and all(code.startswith("140105") for code in codes)

    # Shown once: the token's own page in the admin does not show it again.
    page.goto(page.base_url + "/admin/api/apitoken/")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("省干部教育培训管理信息系统（测试）")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("revoke")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert secret not in page.content()

    refused = page.request.get(page.base_url + "/api/v1/org-units/", headers=bearer)
    assert refused.status == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
