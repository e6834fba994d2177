"""Screenshots of the explorer for the README, over the store `build_readme.py` makes from examples/.

Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against `dyad serve`'s app on
loopback. Without either, the images already in docs/images/ are kept and the reason printed.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# what the README shows: (file name, path on the server, viewport width); set by hand, the pages an
# analyst meets first
SHOTS = (("explorer-events.png", "/events?other_country=true", 1280),
         ("explorer-map.png", "/map?shade=true", 1280))


def take(db: str | Path, folder: Path) -> list[Path]:
    """The README's screenshots of the explorer over store `db`, written into `folder`."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("screenshots kept as they are: the playwright package is missing (the dev extra)")
        return []
    if not CHROMIUM.exists():
        print(f"screenshots kept as they are: no Chromium at {CHROMIUM} (apt-get install chromium)")
        return []
    from dyad.surfaces.server import BackgroundServer, create_app

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with BackgroundServer(create_app(db), port=0) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        for name, path, width in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": 800 if width > 500 else 844},
                                    color_scheme="light")
            page.goto(url + path)
            page.screenshot(path=str(folder / name), full_page=width < 500)
            page.close()
            written.append(folder / name)
        browser.close()
    return written
