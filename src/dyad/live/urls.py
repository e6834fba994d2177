"""URLs as dyad keys them: one canonical form per article, and the host that politeness is counted per."""

from __future__ import annotations

from urllib.parse import urlsplit

from courlan import normalize_url

SCHEMES = ("http", "https")  # the only schemes dyad fetches


def _split(url: str):
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # "Invalid IPv6 URL" and the like
        raise ValueError(f"bad URL {url!r}: {exc}") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    return parts


def canonical(url: str) -> str:
    """The URL one article is known by, so an article reached under two URLs is fetched once.

    courlan lower-cases scheme and host, drops the default port, sorts the query and drops tracking parameters
    (utm_*, fbclid, gclid, ref, ...). Its strict mode is not used: it keeps only a dozen parameter names (id, p,
    page, ...), which would fold `?storyid=1` and `?storyid=2`, two articles, into one. The fragment is dropped
    here: it never reaches the server, so it cannot name another page.
    """
    parts = _split(url)
    return normalize_url(parts._replace(fragment=""))


def host_of(url: str) -> str:
    """The host with its port as canonical() writes it (`example.org`, `127.0.0.2:41234`): the unit of politeness.

    Lower-case, the scheme's default port dropped, punycode shown as Unicode, so one host is one key.
    """
    return urlsplit(canonical(url)).netloc.rpartition("@")[2]  # user:password@ is no part of the host
