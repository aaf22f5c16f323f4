"""The rule catalogue: the one place a rule's id, name, default severity, sources and summary are written.

Everything else derives from it: the front matter of the rule documents (rules/WS101.md) and
docs/rules.md are generated from it by scripts/gen_rules_doc.py (a test fails when they are stale);
checks (``wslint.checks.check``) and fixers (``wslint.fix.fixer``) register by id against it, and
registering one for an id not listed here fails at import; ``always_on`` marks the rules that
selection, per-file ignores, suppressions and baselines never leave out (WS001).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from wslint.model import Severity
from wslint.sources import registry


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    sources: tuple[str, ...]
    summary: str
    # never left out: not by --select/--ignore, per-file-ignores, inline suppressions or a baseline
    always_on: bool = False


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
ALL_SOURCES = registry.names()  # every source (wslint.sources.registry)
AWS = registry.family("aws")  # the sources whose documents are AWS load balancers

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("WS001", "parse-error", E, ALL_SOURCES, "A file of a known kind cannot be parsed.", always_on=True),
        Rule(
            "WS002",
            "include-not-found",
            W,
            ("nginx", "apache"),
            "An nginx include or an Apache Include matches no file in the linted tree.",
        ),
        Rule(
            "WS003",
            "unused-suppression",
            INFO,
            ALL_SOURCES,
            "A # wslint: ignore[...] comment suppresses nothing.",
        ),
        Rule(
            "WS101",
            "nginx-http-version",
            E,
            ("nginx",),
            "A WebSocket location proxies with HTTP/1.0.",
        ),
        Rule(
            "WS102",
            "nginx-upgrade-header",
            E,
            ("nginx", "kubernetes"),
            "A WebSocket location does not forward Upgrade.",
        ),
        Rule(
            "WS103",
            "nginx-connection-header",
            E,
            ("nginx", "kubernetes"),
            "A WebSocket location does not send Connection: upgrade.",
        ),
        Rule(
            "WS104",
            "nginx-header-inheritance",
            E,
            ("nginx",),
            "A block's own proxy_set_header hides the outer Upgrade/Connection headers.",
        ),
        Rule(
            "WS105",
            "nginx-connection-map",
            E,
            ("nginx",),
            "Connection is set from a variable no map defines, or whose map never yields upgrade.",
        ),
        Rule(
            "WS106",
            "nginx-connection-keepalive",
            W,
            ("nginx",),
            "Plain requests to a keepalive upstream get Connection: upgrade or close.",
        ),
        Rule(
            "WS107",
            "upgrade-not-enabled",
            E,
            ("terraform", "arm", "apache", "envoy", "kubernetes", "path"),
            "A hop that needs an explicit opt-in to pass WebSockets lacks it on a WebSocket route.",
        ),
        Rule(
            "WS108",
            "route-shadowed",
            E,
            ("haproxy", "apache"),
            "A WebSocket route is never reached: an earlier, broader rule catches its requests first.",
        ),
        Rule(
            "WS110",
            "elb-http-listener",
            W,
            AWS,
            "A Classic ELB listener on HTTP/HTTPS carries WebSocket.",
        ),
        Rule(
            "WS201",
            "default-idle-timeout",
            W,
            ("nginx", *AWS, "kubernetes", "arm", "apache", "envoy", "kong", "traefik"),
            "A WebSocket hop's idle timeout is the box's default (60 s; Envoy's stream idle timeout 5 min).",
        ),
        Rule(
            "WS202",
            "haproxy-no-tunnel-timeout",
            W,
            ("haproxy",),
            "A HAProxy backend carrying WebSocket has no effective timeout tunnel.",
        ),
        Rule(
            "WS203",
            "haproxy-unitless-timeout",
            W,
            ("haproxy",),
            "A HAProxy time without a unit (milliseconds) that reads like seconds.",
        ),
        Rule(
            "WS204",
            "haproxy-missing-timeouts",
            W,
            ("haproxy",),
            "timeout client, server or connect is never set for a HAProxy proxy.",
        ),
        Rule(
            "WS205",
            "haproxy-no-client-fin",
            INFO,
            ("haproxy",),
            "A timeout tunnel of 5 minutes or more without timeout client-fin.",
        ),
        Rule(
            "WS206",
            "invalid-timeout",
            E,
            ("nginx", "haproxy", *AWS, "kubernetes", "arm", "apache", "envoy", "kong", "traefik", "caddy"),
            "A time the box rejects or silently replaces.",
        ),
        Rule(
            "WS207",
            "lifetime-cap",
            INFO,
            ("terraform", "kubernetes", "arm", "envoy", "caddy", "path"),
            "A hop caps every connection's lifetime at an hour or more whatever the traffic: clients must reconnect.",
        ),
        Rule(
            "WS208",
            "ineffective-timeout",
            W,
            ("nginx", "terraform", "cloudformation", "kubernetes", "apache"),
            "A timeout is written where the hop never applies it to the WebSocket; another value applies.",
        ),
        Rule(
            "WS209",
            "short-lifetime-cap",
            W,
            ("terraform", "kubernetes", "arm", "envoy", "caddy", "path"),
            "A hop closes every WebSocket after a fixed time under an hour, whatever the traffic: pings do not help.",
        ),
        Rule(
            "WS210",
            "handshake-only-timeout",
            INFO,
            ("envoy", "kubernetes", "traefik", "caddy"),
            "A timeout bounds only the upgrade handshake: it never closes an established WebSocket.",
        ),
        Rule(
            "WS301",
            "ping-interval-too-long",
            E,
            ("nginx", "haproxy", *AWS, "kubernetes", "arm", "apache", "envoy", "kong", "traefik", "caddy", "path"),
            "The keepalive interval is more than half a hop's idle timeout.",
        ),
        Rule(
            "WS302",
            "no-keepalive",
            W,
            ("nginx", "haproxy", *AWS, "kubernetes", "arm", "apache", "envoy", "kong", "traefik", "caddy", "path"),
            "A hop has a finite idle timeout and the client never pings.",
        ),
        Rule(
            "WS303",
            "keepalive-unknown",
            INFO,
            ("nginx", "haproxy", *AWS, "kubernetes", "arm", "apache", "envoy", "kong", "traefik", "caddy", "path"),
            "No ping interval was given: the hop's idle timeout and the largest safe interval.",
        ),
        Rule(
            "WS401",
            "nginx-no-worker-shutdown-timeout",
            INFO,
            ("nginx",),
            "nginx proxies WebSocket and worker_shutdown_timeout is unset.",
        ),
        Rule(
            "WS402",
            "haproxy-no-hard-stop-after",
            W,
            ("haproxy",),
            "HAProxy carries WebSocket and hard-stop-after is unset.",
        ),
        Rule(
            "WS404",
            "deregistration-delay",
            INFO,
            (*AWS, "kubernetes"),
            "A target group carrying WebSocket deregisters in under 30 s.",
        ),
        Rule(
            "WS405",
            "caddy-no-stream-close-delay",
            INFO,
            ("caddy",),
            "Caddy proxies WebSocket without stream_close_delay: every config reload closes them all.",
        ),
        Rule(
            "WS501",
            "nginx-worker-connections",
            INFO,
            ("nginx",),
            "worker_connections is unset or below 1024 in a config that proxies WebSocket.",
        ),
        Rule(
            "WS502",
            "nginx-rlimit-nofile",
            INFO,
            ("nginx",),
            "worker_connections is raised while worker_rlimit_nofile is unset or too low.",
        ),
        Rule(
            "WS601",
            "health-check-on-websocket-path",
            W,
            ("haproxy", *AWS),
            "A health check targets a WebSocket path instead of a plain HTTP endpoint.",
        ),
        Rule(
            "WS701",
            "observed-timeout-close",
            W,
            ("logs",),
            "Logs show WebSockets closed by a hop's timeout (count, close time, the hop and its config line).",
        ),
        Rule(
            "WS702",
            "observed-reconnect-loop",
            W,
            ("logs",),
            "A client's log shows it reconnecting at a regular interval: a hop's timeout cuts its tunnel.",
        ),
    )
}

ALWAYS_ON = frozenset(rule.id for rule in RULES.values() if rule.always_on)


REPOSITORY_URL = "https://github.com/wslint/wslint"


def rule_document_url(rule_id: str) -> str:
    """The rule's document on the web, at this version's release tag: its text matches the rules this version checks
    (the SARIF report's ``helpUri`` and ``wslint rule --output-format json``'s ``url``)."""
    from wslint import __version__

    return f"{REPOSITORY_URL}/blob/v{__version__}/rules/{rule_id}.md"


def rule_document(rule_id: str) -> str | None:
    """The rule's document, from the installed package or the source checkout."""
    packaged = resources.files("wslint") / "_rules" / f"{rule_id}.md"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parent.parent / "rules" / f"{rule_id}.md"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return None
