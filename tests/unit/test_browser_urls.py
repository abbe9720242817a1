"""URLs from requests are read as a browser reads them, or refused (redirects, back links, allow-list).

The oracle is ada-url, a WHATWG URL parser (what browsers implement): every URL we accept must
lead a browser to the origin we computed, both as typed and as we emit it.
"""

from __future__ import annotations

import ada_url
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inquiry_router.base.browser_urls import browser_origin, parse_browser_url
from inquiry_router.models.settings import IntakeSettings
from tests.conftest import RETENTION_ENVIRONMENT

ALLOWED = "https://www.example.com"
SITE = IntakeSettings(table_name="t", allowed_origins=[ALLOWED, "https://example.com"])
API = "https://abc123.execute-api.eu-west-1.amazonaws.com/inquiries"  # what a Location resolves against

# Shapes known to split URL parsers from browsers; none may be taken for www.example.com unless a
# browser would really go there.
BYPASSES = [
    "https://evil.test\\@www.example.com/",
    "https://evil.test\\\\@www.example.com/",
    "https://evil.test\\/www.example.com/",
    "https://evil.test/\\www.example.com/",
    "https:\\\\evil.test/",
    "https:/\\evil.test/",
    "https://evil.test%5c@www.example.com/",
    "https://evil.test%5C.www.example.com/",
    "https://www.example.com%2f@evil.test/",
    "https://www.example.com@evil.test/",
    "https://user:pass@www.example.com/",
    "https://@www.example.com/",
    "https://www.example.com:@evil.test/",
    "https://www.example.com#@evil.test/",
    "https://evil.test#@www.example.com/",
    "https://evil.test?@www.example.com/",
    "ht\ttps://evil.test/",
    "https://ev\nil.test/",
    "https://www.exa\tmple.com/",
    "https://www.example.com\r\n.evil.test/",
    "https://www.example.com\x00.evil.test/",
    "\x01https://evil.test/",
    " \t\nhttps://evil.test/",
    "https://www.example.com:99999/",
    "https://www.example.com:-1/",
    "https://www.example.com:443:443/",
    "https://www.example.com:0x1bb/",
    "https://www.example.com./",
    "https://www.example.com../",
    "https://www.еxample.com/",  # Cyrillic е
    "https://www.examp1e.com/",
    "https://xn--www-example-com/",
    "javascript:alert(document.domain)//https://www.example.com/",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.test/",
    "///evil.test/",
    "\\\\evil.test/",
    "/\\evil.test/",
    "https:evil.test",
    "https:/evil.test",
    "https:///evil.test/",
    "https:////www.example.com@evil.test/",
    "ftp://www.example.com/",
    "https://[::ffff:7f00:1]/",
    "https://0x7f.1/",
    "https://2130706433/",
    "https://127.1/",
    "https://0177.0.0.1/",
    "https://www.example.com.evil.test/",
    "https://evil-www.example.com.test/",
    "https://www.example.com\u3002evil.test/",  # ideographic full stop maps to "."
    "https://www.example.com\uff0eevil.test/",  # fullwidth full stop
    "https://www.example.com\u2025evil.test/",
    "https://ｗｗｗ.ｅｘａｍｐｌｅ.ｃｏｍ＠evil.test/",
    "https://www.example.com\u200b/",
    "https://www.example.com\u00ad/",
    "https://www.example.com%00/",
    "https://%77ww.example.com/",
    "https://evil.test/" + "a" * 9000,
]


@pytest.mark.parametrize("url", BYPASSES)
def test_no_bypass_shape_is_taken_for_the_allowed_origin_unless_a_browser_goes_there(url: str) -> None:
    ours = SITE.allowed_url(url)
    assert SITE.is_allowed_origin(url) == (ours is not None)
    if ours is None:
        return  # refused: the fallback thank-you page is used
    # accepted only when a browser really lands on an allowed origin
    assert ada_url.URL(url, API).origin in SITE.allowed_origins
    assert ada_url.URL(ours.href).origin == ours.origin


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://www.example.com/thanks", ALLOWED),
        ("HTTPS://WWW.EXAMPLE.COM/thanks", ALLOWED),
        ("https://www.example.com:443/thanks", ALLOWED),
        ("https://www.example.com:0443/thanks", ALLOWED),
        ("  https://www.example.com/thanks  ", ALLOWED),
        (
            "https://ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ/thanks",
            ALLOWED,
        ),  # fullwidth: a browser goes to www.example.com
        ("http://www.example.com:80/", "http://www.example.com"),
        ("http://127.0.0.1:3000/x", "http://127.0.0.1:3000"),
        ("https://bücher.de/danke", "https://xn--bcher-kva.de"),
        ("https://www.example.com:8443/", "https://www.example.com:8443"),
    ],
)
def test_honest_urls_are_read_as_a_browser_reads_them(url: str, origin: str) -> None:
    assert browser_origin(url) == origin
    assert ada_url.URL(url).origin == origin


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com:99999/",
        "https://www.example.com:abc/",
        "http://[::1",
        "https://a@b/",
        "",
        None,
    ],
)
def test_urls_a_parser_would_choke_on_are_refused_not_raised(url: str | None) -> None:
    assert parse_browser_url(url) is None
    assert not SITE.is_allowed_origin(url)


def test_what_is_emitted_is_re_serialised_with_the_reference_before_the_fragment() -> None:
    url = parse_browser_url("https://WWW.example.com:443/merci ici?lang=fr#top")
    assert url is not None
    assert url.with_query(reference="INQ-7K3M9Q") == (
        "https://www.example.com/merci%20ici?lang=fr&reference=INQ-7K3M9Q#top"
    )
    assert parse_browser_url("https://www.example.com").href == "https://www.example.com/"  # type: ignore[union-attr]


# -- differential: any string we accept, a browser reads the same way -------------------------

_pieces = st.sampled_from(
    [
        "https://",
        "http://",
        "HTTPS://",
        "https:",
        "//",
        "/",
        "\\",
        "@",
        ":",
        ":443",
        ":0443",
        ":99999",
        ":8080",
        "%",
        "%2e",
        "%5c",
        "#",
        "?",
        ".",
        "..",
        "www",
        "example",
        "com",
        "evil",
        "test",
        "xn--",
        "0x7f",
        "127",
        "1",
        "\t",
        "\n",
        " ",
        "\x00",
        "\u3002",
        "\uff0e",
        "ｗ",
        "е",
        "ß",
        "\u200d",
        "[",
        "]",
        "-",
        "_",
    ]
)
candidate_urls = st.one_of(
    st.lists(_pieces, min_size=1, max_size=14).map("".join),
    st.builds(lambda a, b: a + b, st.sampled_from(["https://", "http://"]), st.text(max_size=30)),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=candidate_urls)
def test_every_url_we_accept_leads_a_browser_to_the_origin_we_computed(text: str) -> None:
    ours = parse_browser_url(text)
    if ours is None:
        return
    for base in (None, API):
        assert ada_url.URL(text, base).origin == ours.origin, (text, base)
    assert ada_url.URL(ours.href).origin == ours.origin
    assert ada_url.URL(ours.href).href.startswith(ours.origin + "/")


@pytest.mark.parametrize("dot", [".", "\u3002", "\uff0e", "\uff61"])
def test_a_host_ending_in_a_dot_of_any_script_is_refused(dot: str) -> None:
    # "https://0x7f。" is 127.0.0.1 to a browser: a numeric host hidden behind a wide full stop.
    assert parse_browser_url(f"https://0x7f{dot}") is None
    assert parse_browser_url(f"https://www.example.com{dot}/thanks") is None


@pytest.mark.parametrize(
    "raw", ["https://www.example.com:99999/thanks", "www.example.com/thanks", "javascript:x"]
)
def test_a_malformed_configured_url_falls_back_to_the_built_in_page(raw: str) -> None:
    settings = IntakeSettings.from_environment(
        {"TABLE_NAME": "t", "THANK_YOU_URL": raw, "ERROR_URL": raw, **RETENTION_ENVIRONMENT}
    )
    assert settings.thank_you_url is None
    assert settings.error_url is None


def test_configured_urls_and_origins_are_kept_as_browsers_read_them() -> None:
    settings = IntakeSettings.from_environment(
        {
            "TABLE_NAME": "t",
            "THANK_YOU_URL": "HTTPS://WWW.Example.com:443/thanks",
            "ALLOWED_ORIGINS": "https://www.example.com/, https://bücher.de, not a url",
            **RETENTION_ENVIRONMENT,
        }
    )
    assert settings.thank_you_url == "https://www.example.com/thanks"
    assert settings.allowed_origins == ["https://www.example.com", "https://xn--bcher-kva.de"]
