"""URL canonicalisation, so that one page is fetched and stored once."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only track the reader: never part of a page's identity.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "matomo_", "hsa_", "_hs")
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid",
                                 "mkt_tok", "ref_src", "cmpid", "ocid", "s_cid", "at_medium",
                                 "at_campaign", "guccounter", "_ga"})


def canonical_url(url: str) -> str:
    """Scheme and host lowercased, default port dropped, fragment dropped, tracking
    parameters removed, remaining parameters sorted, an empty path made ``/``.

    The page's own ``rel=canonical`` (from extraction) is stored beside it as the
    document's ``canonical_url``; this one is what fetching deduplicates on.

    A URL that cannot be parsed (an unclosed IPv6 bracket, a port that is no number) is its
    own canonical form: it is refused when fetched, and deduplicating it must not fail first.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if parts.username or parts.password:
        host = parts.netloc.rsplit("@", 1)[0] + "@" + host
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PREFIXES)
             and k.lower() not in TRACKING_PARAMETERS]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    """The URL's host name, lowercased ("" when it has none or cannot be parsed)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
