"""/api/docs (Swagger UI) and /api/redoc (ReDoc) work offline: every script, style and icon
they load is served by the bazaar itself, and in headless Chromium with every request to
another host refused, the pages render the API's operations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Route, expect, sync_playwright

from tests.support.browser import CHROMIUM_ARGS, chromium
from tests.support.web import Site

ASSET = re.compile(r'(?:src|href)="([^"]+)"')
PAGES = ("/api/docs", "/api/redoc")


@pytest.mark.parametrize("page", PAGES)
def test_the_page_loads_only_local_assets_and_they_are_served(site: Site, page: str) -> None:
    with httpx.Client(base_url=site.url, timeout=10) as client:
        html = client.get(page)
        assert html.status_code == 200
        assets = ASSET.findall(html.text)
        assert any(a.endswith(".js") for a in assets), assets
        assert "cdn" not in html.text and "fonts.googleapis" not in html.text
        for asset in assets:
            assert urlsplit(asset).netloc == "", f"{page} loads {asset} from another host"
            served = client.get(urljoin(site.url, asset))
            assert served.status_code == 200, asset
            assert len(served.content) > 1000, asset


def test_the_openapi_document_does_not_list_the_docs_pages(site: Site) -> None:
    paths = httpx.get(f"{site.url}/api/openapi.json", timeout=10).json()["paths"]
    assert not {"/api/docs", "/api/redoc"} & set(paths)


@pytest.fixture
def offline_browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def test_swagger_ui_and_redoc_render_with_no_other_host(
    site: Site, offline_browser: Browser
) -> None:
    local = urlsplit(site.url).netloc
    refused: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context = offline_browser.new_context()
    context.route("**/*", only_local)
    page = context.new_page()
    page.goto(f"{site.url}/api/docs")
    # Swagger UI draws one block per operation once it has read /api/openapi.json
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 40
    expect(
        page.locator(".swagger-ui").get_by_text("/api/contexts/{context_id}/inspections").first
    ).to_be_visible()
    page.goto(f"{site.url}/api/redoc")
    expect(page.get_by_text("Post Inspection").first).to_be_attached(timeout=20_000)
    assert refused == []
    context.close()
