"""Client kinds and client command lines (RULES.md "Keepalive (ping) interval", FACTS.md section D)."""

from __future__ import annotations

import pytest

from wslint.clients import CLIENTS, ClientKind, client_keepalive, parse_client_duration

# FACTS.md section D: every kind's documented default, and its aliases
FACTS_DEFAULTS: dict[str, tuple[float, tuple[str, ...]]] = {
    "socket.io": (25.0, ("socketio", "engine.io", "engineio")),
    "websockets": (20.0, ("python-websockets",)),
    "uvicorn": (20.0, ()),
    "daphne": (20.0, ()),
    "signalr": (15.0, ("aspnet-signalr",)),
    "phoenix": (30.0, ()),
    "actioncable": (3.0, ("action-cable", "actioncable-rails")),
    "sockjs": (25.0, ("spring-sockjs",)),
    "chisel": (25.0, ()),
    "outsystemscc": (25.0, ("outsystems-cloud-connector",)),
    "ws": (0.0, ("node-ws",)),
    "gorilla": (0.0, ("gorilla-websocket", "gorilla/websocket")),
    "browser": (0.0, ("browsers",)),
}
NAMES_AND_ALIASES = [(name, alias) for name, (_, aliases) in FACTS_DEFAULTS.items() for alias in (name, *aliases)]
UVICORN_NOTE = "only with its websockets backend"


def test_the_table_is_facts_d_in_order() -> None:
    assert list(CLIENTS) == list(FACTS_DEFAULTS)
    for name, kind in CLIENTS.items():
        assert isinstance(kind, ClientKind)
        assert kind.name == name
        assert (kind.interval, kind.aliases) == FACTS_DEFAULTS[name]


@pytest.mark.parametrize("kind", CLIENTS.values(), ids=list(CLIENTS))
def test_every_kind_cites_its_source(kind: ClientKind) -> None:
    assert kind.reference.strip()
    assert kind.label.strip()


@pytest.mark.parametrize(("name", "alias"), NAMES_AND_ALIASES)
def test_every_kind_and_alias_gives_the_facts_default(name: str, alias: str) -> None:
    keepalive = client_keepalive(alias)
    assert keepalive.seconds == FACTS_DEFAULTS[name][0]
    assert keepalive.source == ""
    assert keepalive.note == CLIENTS[name].note


@pytest.mark.parametrize("text", ["Socket.IO", "SOCKETIO", "  Engine.IO ", "SignalR", "Gorilla/WebSocket", "Node-WS"])
def test_kinds_are_case_insensitive(text: str) -> None:
    assert client_keepalive(text) == client_keepalive(text.strip().lower())


def test_bare_kind_descriptions() -> None:
    assert client_keepalive("socket.io").client == "socket.io's default"
    assert client_keepalive("websockets").client == "Python websockets' default"
    assert client_keepalive("ws").client == "Node ws: no automatic pings"
    assert client_keepalive("socket.io").describe() == "25s (socket.io's default)"
    assert client_keepalive("browser").describe().startswith("none (")


def test_uvicorn_kind_carries_its_backend_caveat() -> None:
    keepalive = client_keepalive("uvicorn")
    assert keepalive.seconds == 20.0
    assert "every 20s" in keepalive.note and "wsproto" in keepalive.note


@pytest.mark.parametrize(
    ("line", "seconds", "client"),
    [
        (
            "outsystemscc --header 'token: x' --keepalive 20s https://example.com",
            20.0,
            "outsystemscc --keepalive 20s",
        ),
        ("outsystemscc --keepalive=1m30s https://example.com", 90.0, "outsystemscc --keepalive 1m30s"),
        ("outsystemscc -keepalive 45s https://example.com", 45.0, "outsystemscc --keepalive 45s"),
        ("outsystemscc --keepalive 0s https://example.com", 0.0, "outsystemscc --keepalive 0s (disabled)"),
        ("outsystemscc --keepalive 0 https://example.com", 0.0, "outsystemscc --keepalive 0 (disabled)"),
        ("outsystemscc --header 'token: x' https://example.com", 25.0, "outsystemscc's default (no --keepalive)"),
        ("./bin/chisel client --keepalive 2500ms host 3000", 2.5, "chisel --keepalive 2500ms"),
        ("chisel server --port 8080", 25.0, "chisel's default (no --keepalive)"),
        ("/usr/local/bin/chisel.exe client --keepalive 5s --keepalive 10s h", 10.0, "chisel --keepalive 10s"),
        (r"C:\tools\outsystemscc.exe --keepalive 10s https://example.com", 10.0, "outsystemscc --keepalive 10s"),
        (r'"C:\Program Files\OutSystems\outsystemscc.exe" --keepalive 1m', 60.0, "outsystemscc --keepalive 1m"),
    ],
)
def test_chisel_and_outsystemscc_command_lines(line: str, seconds: float, client: str) -> None:
    keepalive = client_keepalive(line)
    assert (keepalive.seconds, keepalive.client, keepalive.note, keepalive.source) == (seconds, client, "", "")


@pytest.mark.parametrize(
    ("line", "seconds", "client", "noted"),
    [
        ("uvicorn app:app", 20.0, "uvicorn's default", True),
        ("python -m uvicorn app:app --port 8000", 20.0, "uvicorn's default", True),
        ("python3 -m uvicorn app:app", 20.0, "uvicorn's default", True),
        ("uvicorn app:app --ws auto", 20.0, "uvicorn's default (--ws auto)", True),
        ("uvicorn app:app --ws websockets", 20.0, "uvicorn's default (--ws websockets)", False),
        ("uvicorn app:app --ws wsproto", 0.0, "uvicorn --ws wsproto (no pings)", False),
        ("uvicorn app:app --ws=websockets-sansio", 0.0, "uvicorn --ws websockets-sansio (no pings)", False),
        ("uvicorn app:app --ws-ping-interval 5", 5.0, "uvicorn --ws-ping-interval 5", True),
        ("uvicorn app:app --ws websockets --ws-ping-interval 7.5", 7.5, "uvicorn --ws-ping-interval 7.5", False),
        ("uvicorn app:app --ws wsproto --ws-ping-interval 5", 0.0, "uvicorn --ws wsproto (no pings)", False),
    ],
)
def test_uvicorn_command_lines(line: str, seconds: float, client: str, noted: bool) -> None:
    keepalive = client_keepalive(line)
    assert (keepalive.seconds, keepalive.client) == (seconds, client)
    assert (UVICORN_NOTE in keepalive.note) is noted


def test_an_explicit_uvicorn_interval_does_not_claim_20s() -> None:
    assert "20s" not in client_keepalive("uvicorn app:app --ws-ping-interval 5").note


@pytest.mark.parametrize(
    "line",
    [
        "gunicorn -w 4 -k uvicorn.workers.UvicornWorker app:app",
        "gunicorn app:app --worker-class uvicorn.workers.UvicornWorker",
        "gunicorn app:app --worker-class=uvicorn_worker.UvicornWorker",
        "gunicorn -kuvicorn.workers.UvicornH11Worker app:app",
    ],
)
def test_gunicorn_with_uvicorn_workers_is_uvicorn(line: str) -> None:
    keepalive = client_keepalive(line)
    assert keepalive.seconds == 20.0
    assert keepalive.note == CLIENTS["uvicorn"].note
    assert keepalive.client.startswith("gunicorn -k ") and keepalive.client.endswith("(uvicorn's default)")


def test_daphne_command_lines() -> None:
    assert client_keepalive("daphne -b 0.0.0.0 --ping-interval 30 proj.asgi:application").seconds == 30.0
    assert client_keepalive("daphne --ping-interval 30 proj.asgi:application").client == "daphne --ping-interval 30"
    assert client_keepalive("daphne proj.asgi:application").seconds == 20.0


def test_other_kinds_with_extra_words_take_the_default() -> None:
    assert client_keepalive("socket.io --whatever 5s").seconds == 25.0
    assert client_keepalive("phoenix mix phx.server").client == "Phoenix's default"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("25s", 25.0),
        ("1m30s", 90.0),
        ("2500ms", 2.5),
        ("1.5s", 1.5),
        ("1h", 3600.0),
        ("1h2m3s", 3723.0),
        ("2m", 120.0),
        (".5s", 0.5),
        ("+5s", 5.0),
        ("1500000us", 1.5),
        ("0", 0.0),
        ("0s", 0.0),
    ],
)
def test_client_durations(text: str, seconds: float) -> None:
    assert parse_client_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "25", "10x", "-5s", "-0s", "5S", "s", "1m 30s", "1.5.5s", "abc", "5s!", "."])
def test_bad_client_durations(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_client_duration(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nosuchclient", "unknown client 'nosuchclient' (known: socket.io, websockets, "),
        ("node server.js", "unknown client 'node'"),
        ("", "empty client"),
        ("outsystemscc --keepalive 10x https://example.com", "outsystemscc --keepalive: invalid duration '10x'"),
        ("outsystemscc --keepalive -5s https://example.com", "cannot be negative"),
        ("outsystemscc https://example.com --keepalive", "outsystemscc --keepalive needs a value"),
        ("outsystemscc --header 'token: x --keepalive 20s", "no closing quotation"),
        ("uvicorn app:app --ws bogus", "uvicorn --ws 'bogus'"),
        ("uvicorn app:app --ws-ping-interval fast", "uvicorn --ws-ping-interval 'fast'"),
        ("uvicorn app:app --ws-ping-interval -1", "positive number of seconds"),
        ("daphne --ping-interval 2.5 proj.asgi:application", "daphne --ping-interval '2.5'"),
        ("gunicorn app:app", "gunicorn sends no WebSocket pings of its own"),
        ("gunicorn -k gevent app:app", "gunicorn sends no WebSocket pings of its own"),
    ],
)
def test_errors_are_one_line_value_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        client_keepalive(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_an_unbalanced_quote_is_a_value_error_naming_the_line() -> None:
    with pytest.raises(ValueError) as info:
        client_keepalive('chisel client "h')
    assert str(info.value) == "cannot read client command line 'chisel client \"h': no closing quotation"
