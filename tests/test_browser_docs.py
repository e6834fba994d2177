"""The API docs in a real browser: /docs opened in headless Chromium with every request off the server's
origin blocked, as on a machine with no network; Swagger UI must list the API's operations and run one.

Skipped (with the reason) when /usr/bin/chromium or the playwright package is missing. A screenshot goes
to tests/output/browser/docs.png (git-ignored).
"""

from __future__ import annotations

import pytest
from tests.support.servers import BROWSER_MARKS, CHROMIUM
from tests.support.servers import BROWSER_OUTPUT as OUTPUT
from tests.support.servers import CHROMIUM_ARGS as ARGS

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (the dev extra)")


@pytest.fixture(scope="module")
def base_url(explorer_store):
    from dyad.surfaces.server import BackgroundServer, create_app

    with BackgroundServer(create_app(explorer_store), port=0) as url:
        yield url


def test_the_docs_list_and_run_the_operations_with_the_network_blocked(base_url):
    import httpx

    operations = [(method, path) for path, ops in httpx.get(f"{base_url}/openapi.json").json()["paths"].items()
                  for method in ops if path.startswith("/api/")]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        blocked, refused = [], []

        def local_only(route):
            if route.request.url.startswith(base_url):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", local_only)
        page = context.new_page()
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto("/docs")
        page.wait_for_selector(".opblock-summary-path")
        listed = page.locator(".opblock-summary-path").all_inner_texts()
        assert {path for _, path in operations} <= {text.replace("\u200b", "").strip() for text in listed}
        page.screenshot(path=str(OUTPUT / "docs.png"), full_page=False)
        events = page.locator("#operations-events-api_events_api_events_get")
        events.locator(".opblock-summary").click()
        page.locator("#operations-events-api_events_api_events_get .execute").click()
        status = events.locator(".live-responses-table tbody .response-col_status").first
        status.wait_for()
        assert status.inner_text().strip() == "200"  # the example request, run from the page
        page.screenshot(path=str(OUTPUT / "docs-try-it-out.png"), full_page=False)
        context.close()
        browser.close()
    assert blocked == [], f"requests off the server: {blocked}"
    assert refused == [], f"refused by the Content-Security-Policy: {refused}"
