"""WS208 ineffective-timeout: a timeout written where the hop never applies it to the WebSocket."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Linted

Lint = Callable[..., Linted]

WS = """
    location @ws {
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }
"""


def server(body: str, tail: str = WS) -> str:
    return "server {\n    listen 80;\n" + body + tail + "}\n"


def ws208(lint: Lint, files: dict[str, str], *args: str) -> Linted:
    return lint(files, *args, "--select", "WS208")


# -- nginx ---------------------------------------------------------------------------------------------

FIRES = {
    "try_files to a named location": """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri @ws;
    }
""",
    "if ($http_upgrade) return + error_page, the location proxying plain requests": """
    location / {
        proxy_read_timeout 1h;
        proxy_pass http://app;
        error_page 418 = @ws;
        if ($http_upgrade = "websocket") { return 418; }
    }
""",
    "a static location whose 404 goes to a named location": """
    location /live/ {
        root /srv/www;
        proxy_read_timeout 1h;
        error_page 404 = @ws;
    }
""",
    "try_files to a named location that hands on to another": """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri @static;
    }
    location @static {
        root /srv/www;
        try_files $uri @ws;
    }
""",
    "proxy_send_timeout": """
    location /ws/ {
        proxy_send_timeout 10m;
        try_files $uri @ws;
    }
""",
}


@pytest.mark.parametrize("body", FIRES.values(), ids=FIRES.keys())
def test_a_location_that_hands_websockets_on_does_not_apply_its_timeout(lint: Lint, body: str) -> None:
    result = ws208(lint, {"site.conf": server(body)}, "site.conf")
    [finding] = result.findings
    text = server(body)
    written = next(n for n, line in enumerate(text.splitlines(), 1) if "_timeout" in line)
    assert (finding["rule"], finding["file"], finding["line"]) == ("WS208", "site.conf", written)
    assert finding["severity"] == "warning" and result.code == 1
    assert "location @ws" in str(finding["message"])  # where the value that applies comes from
    assert finding["related"], finding


def test_rewrite_last_to_a_literal_uri_names_the_location_it_lands_in(lint: Lint) -> None:
    body = """
    location /ws/ {
        proxy_read_timeout 1h;
        rewrite ^ /socket/ last;
    }
    location /socket/ {
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_read_timeout 5m;
    }
"""
    result = ws208(lint, {"site.conf": server(body, "")}, "site.conf")
    [finding] = result.findings
    assert finding["line"] == 5
    assert "location /socket/" in str(finding["message"])
    related = finding["related"]
    assert isinstance(related, list)
    assert {r["line"] for r in related} == {6, 13}  # the rewrite, and the value that applies


NO_FINDING = {
    "the location proxies too: try_files serves an existing file through its own proxy_pass": """
    location /ws/ {
        proxy_read_timeout 1h;
        proxy_pass http://app;
        try_files $uri @ws;
    }
""",
    "proxy_pass inside an if inherits the location's timeout": """
    location /ws/ {
        proxy_read_timeout 1h;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        if ($http_upgrade) { proxy_pass http://app; }
    }
""",
    "the same value applies where it goes": """
    location /ws/ {
        proxy_read_timeout 60s;
        try_files $uri @ws;
    }
""",
    "an if that does not select WebSocket requests": """
    location / {
        proxy_read_timeout 1h;
        proxy_pass http://app;
        error_page 418 = @ws;
        if ($request_method = POST) { return 418; }
    }
""",
    "a rewrite whose target depends on the URI": """
    location /ws/ {
        proxy_read_timeout 1h;
        rewrite ^/ws/(.*)$ /$1 last;
    }
""",
    "an unread include in the location may hold a proxy_pass": """
    location /ws/ {
        proxy_read_timeout 1h;
        include missing/ws-proxy.conf;
        try_files $uri @ws;
    }
""",
    "the named location does not carry WebSocket": """
    location /files/ {
        proxy_read_timeout 1h;
        try_files $uri @app;
    }
    location @app {
        proxy_pass http://app;
    }
""",
    "try_files ending in =404": """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri =404;
    }
""",
}


@pytest.mark.parametrize("body", NO_FINDING.values(), ids=NO_FINDING.keys())
def test_no_finding_where_the_handoff_is_not_certain_or_changes_nothing(lint: Lint, body: str) -> None:
    result = ws208(lint, {"site.conf": server(body)}, "site.conf")
    assert result.findings == []


def test_the_default_of_the_target_is_named_as_such(lint: Lint) -> None:
    body = """
    location /ws/ {
        proxy_read_timeout 1h;
        try_files $uri @ws;
    }
"""
    [finding] = ws208(lint, {"site.conf": server(body)}, "site.conf").findings
    assert "1m" in str(finding["message"]) and "default" in str(finding["message"])


def test_a_server_fragment_still_resolves_named_locations_but_not_uris(lint: Lint) -> None:
    """A file of bare locations: what encloses them is unknown, so an inherited value is unknown too."""
    named = "location /ws/ { proxy_read_timeout 1h; try_files $uri @ws; }\n" + WS.replace(
        "    }", "    proxy_read_timeout 5m;\n    }"
    )
    assert [f["line"] for f in ws208(lint, {"ws.conf": named}, "ws.conf").findings] == [1]
    inherited = "location /ws/ { proxy_read_timeout 1h; try_files $uri @ws; }\n" + WS
    assert ws208(lint, {"ws2.conf": inherited}, "ws2.conf").findings == []
