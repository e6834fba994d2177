"""The explorer in a real browser: headless Chromium driven by Playwright against `dyad serve` on loopback.

Skipped (with the reason) when /usr/bin/chromium or the playwright package is missing. Screenshots of
each view go to tests/output/browser/ (git-ignored).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.support.servers import BROWSER_MARKS, CHROMIUM, build_store
from tests.support.servers import BROWSER_OUTPUT as OUTPUT
from tests.support.servers import CHROMIUM_ARGS as ARGS

pytestmark = BROWSER_MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (the dev extra)")


def seed_watch(db: Path) -> None:
    """Two sources (one failing, its error a script) and the URLs `dyad watch` failed on, as it writes them."""
    from dyad.corpus.store import Store

    now = dt.datetime.now(dt.UTC)
    store = Store(db)
    store.connection.execute(
        "INSERT INTO sources (url, kind, site, label, interval_seconds, last_poll, next_poll, last_success, "
        "last_error, last_error_at, consecutive_failures, items_seen, articles_stored) VALUES "
        "('https://wire.example/rss.xml', 'rss', 'wire.example', 'Example Wire', 300, ?, ?, ?, NULL, NULL, 0, 48, "
        "17), "
        "('https://down.example/sitemap.xml', 'sitemap', 'down.example', NULL, 900, ?, ?, ?, "
        "'HTTP 503 <script>window.__xss = 1</script>', ?, 3, 5, 0)",
        [now - dt.timedelta(minutes=4), now + dt.timedelta(minutes=1), now - dt.timedelta(minutes=4),
         now - dt.timedelta(minutes=2), now + dt.timedelta(minutes=13), now - dt.timedelta(hours=5),
         now - dt.timedelta(minutes=2)])
    store.connection.executemany(
        "INSERT INTO pages (url, kind, source, fetched_at, http_status, status, reason) VALUES "
        "(?, 'article', 'https://down.example/sitemap.xml', ?, ?, 'failed', ?)",
        [(f"https://down.example/news/{n}", now - dt.timedelta(minutes=10 * n + 2), 404, "HTTP 404 Not Found")
         for n in range(4)] + [("https://down.example/<img src=x onerror=alert(1)>", now - dt.timedelta(hours=2),
                                None, "no article text found")])
    store.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from dyad.surfaces.server import BackgroundServer, create_app

    db = tmp_path_factory.mktemp("browser") / "store.duckdb"
    build_store(db)
    seed_watch(db)
    with BackgroundServer(create_app(db), port=0) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    # nothing may leave the machine: every request must go to this server
    page.outside = []
    page.on("request", lambda r: None if r.url.startswith(base_url) or r.url.startswith("data:")
            else page.outside.append(r.url))
    yield page
    assert page.outside == [], f"requests outside the server: {page.outside}"
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def cells(page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def test_filter_the_explorer_to_one_dyad(page):
    page.goto("/events")
    assert page.locator("#events tbody tr[data-event]").count() >= 10
    shot(page, "events")
    page.fill("input[name=source]", "TUR")
    page.fill("input[name=target]", "GRC")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/events?*source=TUR*")
    sources = cells(page, "#events tbody td.source .code")
    targets = cells(page, "#events tbody td.target .code")
    assert len(sources) >= 3
    assert all(s.startswith("TUR") for s in sources) and all(t.startswith("GRC") for t in targets)
    assert "empty" not in page.url and "actor=" not in page.url  # empty filters are left out of the URL
    shot(page, "events-dyad")


def test_open_an_event_and_see_its_sentence(page):
    page.goto("/events?source=TUR&target=GRC")
    row = page.locator("#events tbody tr[data-event]").first
    sentence = row.locator("td.sentence").inner_text().strip().rstrip(".…")[:40]
    row.locator("a.event-link").click()
    page.wait_for_selector("#selected-event")
    highlighted = page.locator(".article-text .hl")
    assert highlighted.count() >= 1
    assert sentence[:30] in "".join(highlighted.all_inner_texts())
    assert page.locator(".article-text .hl.verb, .article-text .verb").count() >= 1
    assert page.locator("#article-events tr.selected").count() == 1
    shot(page, "article-event")
    page.locator("#selected-event a[href^='/rule']").click()
    page.wait_for_selector("pre.rule-source")
    assert page.locator("pre.rule-source .hl").count() == 1
    shot(page, "rule")


def test_paste_an_article_and_see_its_events(page):
    page.goto("/code")
    page.fill("#text", "Kenya and Ethiopia sign a pact\n\nNAIROBI - Kenyan President William Ruto met Ethiopian "
                       "Prime Minister Abiy Ahmed in Nairobi on Tuesday.\n\nGreece accused Turkey of violating "
                       "its airspace.")
    page.fill("input[name=date]", "2024-05-14")
    page.click("#code-submit")
    page.wait_for_selector("#coded", timeout=120_000)
    codes = cells(page, "#article-events tbody td.code")
    assert codes and any(c.startswith("04") for c in codes) and any(c.startswith("11") for c in codes)
    assert page.locator("#coded .article-text .actor").count() >= 3
    shot(page, "code")


def test_timeline_and_map(page):
    page.goto("/timeline?source=TUR&target=GRC&period=month")
    assert page.locator("#timeline-chart rect.bar").count() == 3
    shot(page, "timeline")
    page.goto("/map")
    assert page.locator("#map path.country").count() > 150
    assert page.locator("#map circle.point").count() >= 3
    shot(page, "map")


def test_compare_two_dyads_on_the_timeline(page):
    page.goto("/timeline?source=TUR&target=GRC&period=month")
    page.fill("#timeline-form .dyad-row:nth-of-type(2) input[name=source]", "GRC")
    page.fill("#timeline-form .dyad-row:nth-of-type(2) input[name=target]", "TUR")
    page.select_option("#timeline-form .dyad-row:nth-of-type(2) select[name=both_ways]", "true")
    page.click("#timeline-form button[type=submit]")
    page.wait_for_selector("#timeline-legend")
    legend = page.locator("#timeline-legend li")
    assert legend.count() == 2
    assert legend.nth(0).is_visible() and legend.nth(1).is_visible()
    assert "TUR → GRC" in legend.nth(0).inner_text() and "GRC ↔ TUR" in legend.nth(1).inner_text()
    assert page.locator("#timeline-chart g.series path.line").count() == 2
    assert page.locator("#timeline-form .dyad-row").count() == 3  # a blank row to add a third
    shot(page, "timeline-compare")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "timeline-compare-390")


def test_charts_of_the_filter_and_an_actors_conflict_and_cooperation(page):
    page.goto("/charts")
    page.fill("#filters input[name=actor]", "TUR")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/charts?*actor=TUR*")
    assert page.locator("#roots-chart rect.bar").count() == 20
    assert page.locator("#network-chart path.edge").count() >= 3
    shot(page, "charts")
    page.click("#conflict-link")
    page.wait_for_selector("#conflict-chart")
    assert page.locator("#conflict-chart g.period").count() >= 3 and page.locator("#conflict-legend li").count() == 6
    shot(page, "conflict")


def test_sources_show_their_health_and_failed_urls(page):
    page.goto("/")
    page.click("header nav a[href='/sources']")
    page.wait_for_url("**/sources")
    assert page.locator("header nav a.active").inner_text().strip() == "Sources"
    rows = page.locator("#sources tbody tr")
    assert rows.count() == 2
    assert rows.first.locator("td.health").inner_text().strip() == "failing"  # failing first
    last_poll, next_poll = (rows.first.locator("td").nth(n).inner_text() for n in (3, 4))
    assert last_poll.endswith("ago") and next_poll.startswith("in ")
    assert "<script>" in rows.first.locator("td.error-text").inner_text()
    assert "Example Wire" in rows.nth(1).inner_text() and rows.nth(1).locator("td.health").inner_text().strip() == "ok"
    failed = cells(page, "#failed-pages tbody td.url")
    assert failed[:2] == ["https://down.example/news/0", "https://down.example/news/1"] and len(failed) == 5
    assert "<img src=x onerror=alert(1)>" in failed[-1]
    _assert_inert(page)
    shot(page, "sources")


XSS_VIEWS = ["/articles/srv-xss-1", "/events", "/events?q=naval", "/events?source=TUR&target=GRC", "/quotes",
             "/stories", "/map", "/rule?name=dyad:events/verbs.tsv:130", "/sources"]


def _assert_inert(page) -> None:
    assert page.dialogs == []
    assert page.evaluate("() => [window.__xss, window.__xss_img, window.__xss_title]") == [None, None, None]
    assert page.locator("img").count() == 0  # the explorer has no images: any <img> was injected
    scripts = page.evaluate("() => Array.from(document.scripts, s => s.src)")
    assert all(src.endswith("/static/app.js") for src in scripts), scripts
    assert page.locator("b").count() == 0


def test_payloads_show_as_text_everywhere(page):
    for url in XSS_VIEWS:
        page.goto(url)
        page.wait_for_load_state("load")
        _assert_inert(page)
        if url.startswith("/articles"):
            body = page.locator(".article-text").inner_text()
            assert "<script>window.__xss = 1; alert('xss-script')</script>" in body
            assert "<img src=x onerror=" in body
            assert "<script>" in page.locator("#article-title").inner_text()
            assert "<b>Wire</b>" in page.locator("p.meta").inner_text()
            shot(page, "xss-article")
        elif url == "/events?q=naval":
            assert "<script>" in page.locator("#events").inner_text()
    page.goto("/code")
    page.fill("#text", "Turkey warned Greece on Saturday <script>window.__xss = 1; alert(1)</script> over "
                       "<img src=x onerror=\"window.__xss_img = 1; alert(2)\"> drills.")
    page.click("#code-submit")
    page.wait_for_selector("#coded", timeout=120_000)
    _assert_inert(page)
    assert "<img src=x onerror=" in page.locator("#coded .article-text").inner_text()
    assert "<script>" in page.locator("#text").input_value()
    shot(page, "xss-code")


def test_screenshots_were_written():
    if not OUTPUT.exists():
        pytest.skip("no browser run")
    names = {p.stem for p in OUTPUT.glob("*.png")}
    assert {"events", "events-dyad", "article-event", "code", "timeline", "map", "sources", "timeline-compare",
            "charts", "conflict"} <= names


def _api_rows(page, base_url: str) -> list[dict]:
    """The API's first page for the query string the page shows (the filters stay in the URL)."""
    query = page.url.split("?", 1)[1]
    return page.request.get(f"{base_url}/api/events?{query}").json()["events"]


def test_filter_by_root_and_confidence_leaving_out_same_country_pairs(page, base_url):
    page.goto("/events")
    page.select_option("select[name=root]", "11")
    page.fill("input[name=confidence]", "0.5")
    page.check("input[name=other_country]")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/events?*root=11*")
    assert "confidence=0.5" in page.url and "other_country=true" in page.url
    shown = page.locator("#events tbody tr[data-event]").evaluate_all("rows => rows.map(r => r.dataset.event)")
    rows = _api_rows(page, base_url)
    assert shown and shown == [e["event_id"] for e in rows]
    assert all(e["root_code"] == "11" and e["confidence"] >= 0.5 for e in rows)
    assert all(None in (e["source_country"], e["target_country"]) or e["source_country"] != e["target_country"]
               for e in rows)
    assert all(c.startswith("11") for c in cells(page, "#events tbody td.event .code"))
    assert page.locator("select[name=root]").input_value() == "11"  # the form shows the filter it applied
    shot(page, "events-filtered")


def test_a_map_point_opens_its_places_events(page, base_url):
    page.goto("/map")
    point = page.locator("#map a:has(circle.point)").last  # drawn last: on top of any it overlaps
    name = point.locator("title").text_content().split(" (")[0]
    point.click()
    page.wait_for_url("**/events?*place=*")
    locations = cells(page, "#events tbody td.location")
    assert locations and all(loc.startswith(name) for loc in locations)
    assert page.locator("#event-count").inner_text().split()[0] == str(
        page.request.get(f"{base_url}/api/events?{page.url.split('?', 1)[1]}").json()["total"])
    page.goto("/map?shade=true")
    assert page.locator("#map path.country[class*=shade-]").count() >= 2
    assert page.locator("#map-legend .swatch").count() >= 2 and page.locator("#map-legend svg circle").count() >= 1
    shot(page, "map-shaded")


def test_tab_reaches_every_control_in_order(page):
    page.goto("/events")
    count = page.evaluate("""() => Array.from(document.querySelectorAll(
        'a[href], input:not([type=hidden]), select, button'), (e, n) => e.dataset.control = n).length""")
    reached = []
    for _ in range(3 * count):  # a date field takes a Tab per part (day, month, year)
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.dataset.control")
        if focused is not None and (not reached or int(focused) != reached[-1]):
            reached.append(int(focused))
        if reached and reached[-1] == count - 1:
            break
    assert reached == list(range(count))  # every control, in document order, the skip link first
    assert page.evaluate("() => document.querySelector('[data-control=\"0\"]').className") == "skip"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"


PAGES = ["/", "/events", "/events?source=TUR&target=GRC", "/articles/srv-talks-1", "/timeline?source=TUR&target=GRC",
         "/map", "/code", "/actors", "/quotes", "/places", "/stories", "/sources",
         "/rule?name=dyad:events/verbs.tsv:65", "/timeline?source=TUR&target=GRC&source=GRC&target=TUR", "/charts",
         "/charts/conflict?actor=TUR"]


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_no_page_scrolls_sideways_and_each_has_its_own_title(browser, base_url, width, height):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    page = context.new_page()
    titles = set()
    for url in PAGES:
        page.goto(url)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (url, width, overflow)
        titles.add(page.title())
        if width < 500:
            name = url.strip("/").split("?")[0].replace("/", "-") or "home"
            shot(page, f"narrow-{name}")
    assert len(titles) >= len(PAGES) - 2 and all(t.endswith("dyad explorer") for t in titles)
    context.close()


def test_the_theme_follows_the_system(browser, base_url):
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(base_url=base_url, color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto("/events")
        backgrounds[scheme] = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        shot(page, f"events-{scheme}")
        context.close()
    luminance = {k: sum(int(x) for x in v[v.index("(") + 1:v.index(")")].split(",")[:3])
                 for k, v in backgrounds.items()}
    assert luminance["dark"] < 150 < 600 < luminance["light"], backgrounds


def test_download_the_filtered_events_as_csv_and_read_it_back(page, base_url):
    import csv
    import io

    page.goto("/events?other_country=true&sort=-goldstein")
    with page.expect_download() as download:
        page.click("p.downloads a:text('CSV')")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    query = "other_country=true&sort=-goldstein&per_page=7"
    listed, after = [], None
    while True:
        found = page.request.get(f"{base_url}/api/events?{query}" + (f"&after={after}" if after else "")).json()
        listed += found["events"]
        if (after := found["next"]) is None:
            break
    assert len(rows) == found["total"] == len(listed) > 10
    assert [r["event_id"] for r in rows] == [e["event_id"] for e in listed]
    assert [r["code"] for r in rows] == [e["code"] for e in listed]
