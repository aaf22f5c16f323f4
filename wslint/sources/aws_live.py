"""Read load balancers from a live AWS account (boto3) into ``LoadBalancerSpec`` objects.

Only ``wslint aws`` imports this module, and boto3/botocore are imported inside the
functions that talk to AWS, so a plain ``wslint nginx.conf`` never loads them.

Locations: ``aws://REGION/ARN`` for an ALB/NLB, its listeners and its target groups (each
at its own ARN), ``line`` None (RULES.md). A Classic ELB has no ARN in its API: it is
``aws://REGION/elb/NAME`` and its listeners ``aws://REGION/elb/NAME/listener/PORT``.

The live API always reports every attribute with its effective value, so "nobody set it"
cannot be told from "set to the default". A value equal to AWS's default is therefore read
as the default (``None`` in the spec); a missing key (moto leaves out ALB
``idle_timeout.timeout_seconds``, FACTS.md §A.11) is the default too. Both the real API and
moto then give the same findings. Values are passed on as the API spells them (strings);
``aws_spec.build`` checks their range (moto accepts anything).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wslint.model import Document, Location
from wslint.sources import aws_spec
from wslint.sources.aws_spec import ListenerSpec, LoadBalancerSpec, TargetGroupSpec, Value

# PageSize for the paginators; None: the API's own (elbv2 400). Tests lower it.
PAGE_SIZE: int | None = None

ELBV2_KINDS: dict[str, aws_spec.Kind] = {"application": "alb", "network": "nlb"}
ALB_IDLE_KEY = aws_spec.ALB_IDLE_KEY
ALB_KEEPALIVE_KEY = aws_spec.ALB_KEEPALIVE_KEY
DELAY_KEY = aws_spec.DELAY_KEY
TERMINATION_KEY = "deregistration_delay.connection_termination.enabled"
CLB_IDLE_KEY = aws_spec.CLB_IDLE_KEY

NOT_FOUND = frozenset({"LoadBalancerNotFound", "ListenerNotFound", "TargetGroupNotFound"})
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"})
BAD_CREDENTIALS = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidAccessKeyId",
        "InvalidToken",
    }
)
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)
# access key ids, and anything shaped like a secret access key (40 characters of base64, mixed case and digits)
_SECRETS = re.compile(
    r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{12,}\b"
    r"|(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[0-9])"
    r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"
)


class AwsError(Exception):
    """A failure to read the account, as one line that is safe to print (no secrets)."""


@dataclass
class Selection:
    """Which load balancers: one by name (ALB, NLB or Classic), one by ARN, or all of them."""

    name: str | None = None
    arn: str | None = None
    all: bool = False


@dataclass
class LiveRead:
    region: str
    specs: list[LoadBalancerSpec] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return f"aws://{self.region}"

    def document(self, ports: frozenset[int] = aws_spec.WEB_PORTS) -> Document:
        return aws_spec.build(self.specs, file=self.file, ports=ports)


def safe(text: str) -> str:
    """One line, secrets masked."""
    return _SECRETS.sub("****", " ".join(str(text).split()))


def region_of_arn(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" and parts[3] else None


def read(region: str | None, profile: str | None, selection: Selection) -> LiveRead:
    """Read the selected load balancers. Raises ``AwsError`` with a printable message."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return _read(region, profile, selection)
    except ClientError as exc:
        raise AwsError(_client_error(exc, region)) from None
    except BotoCoreError as exc:
        raise AwsError(_botocore_error(exc, region)) from None


def _read(region: str | None, profile: str | None, selection: Selection) -> LiveRead:
    import boto3
    from botocore.config import Config

    from wslint import __version__

    session = boto3.session.Session(profile_name=profile)
    if region is None and selection.arn:
        region = region_of_arn(selection.arn)
    region = region or session.region_name
    if not region:
        raise AwsError(
            "no AWS region: give --region R (or set AWS_REGION / AWS_DEFAULT_REGION, or region in the profile)"
        )
    if selection.arn and region_of_arn(selection.arn) not in (None, region):
        raise AwsError(f"--arn is in region {region_of_arn(selection.arn)}, not in --region {region}")
    config = Config(retries={"mode": "standard"}, user_agent_extra=f"wslint/{__version__}")
    elbv2 = session.client("elbv2", region_name=region, config=config)
    out = LiveRead(region=region)
    reader = _Reader(elbv2, region, out)
    found = 0
    if selection.arn:
        found += reader.elbv2(LoadBalancerArns=[selection.arn])
        if not found:
            raise AwsError(f"no load balancer with ARN {selection.arn} in {region}")
    else:
        names = {"Names": [selection.name]} if selection.name else {}
        found += reader.elbv2(**names)
        elb = session.client("elb", region_name=region, config=config)
        classic = {"LoadBalancerNames": [selection.name]} if selection.name else {}
        found += reader.classic(elb, **classic)
        if selection.name and not found:
            raise AwsError(f"no load balancer named {selection.name!r} in {region} (ALB, NLB or Classic ELB)")
        if not found:
            out.notes.append(f"aws://{region}: no load balancers in this region")
    return out


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    paginator = client.get_paginator(operation)
    config = {"PaginationConfig": {"PageSize": PAGE_SIZE}} if PAGE_SIZE else {}
    for page in paginator.paginate(**kwargs, **config):
        yield from page.get(key, [])


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _answers(actions: Any) -> bool:
    """Actions that are all ``redirect`` or ``fixed-response`` (none: False)."""
    if not isinstance(actions, list):
        return False
    return aws_spec.only_answers(str(a.get("Type", "")) if isinstance(a, dict) else None for a in actions)


def _forwards_to(actions: Any) -> list[str]:
    """The names of the target groups actions forward to (from their ARNs, ``...:targetgroup/NAME/id``)."""
    arns: list[str] = []
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            continue
        arns += [str(action["TargetGroupArn"])] if action.get("TargetGroupArn") else []
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
        arns += [str(g["TargetGroupArn"]) for g in groups if isinstance(g, dict) and g.get("TargetGroupArn")]
    return [arn.split(":targetgroup/", 1)[1].split("/")[0] for arn in arns if ":targetgroup/" in arn]


def _attributes(response: dict[str, Any]) -> dict[str, str]:
    return {str(a.get("Key")): str(a.get("Value")) for a in response.get("Attributes", []) if "Key" in a}


class _Reader:
    def __init__(self, elbv2: Any, region: str, out: LiveRead) -> None:
        self.client = elbv2
        self.region = region
        self.out = out
        self.listener_attributes = hasattr(elbv2, "describe_listener_attributes")
        self.listener_note = False

    def where(self, arn: str) -> Location:
        return Location(file=f"aws://{self.region}/{arn}", line=None, column=None)

    def value(self, attributes: dict[str, str], key: str, where: Location) -> Value | None:
        """The attribute, or None when it is missing or equals AWS's default (the default applies)."""
        raw = attributes.get(key)
        return aws_spec.reported(key, None if raw is None else Value(raw, where))

    # ---- ALB / NLB ----------------------------------------------------------------------------

    def elbv2(self, **kwargs: Any) -> int:
        from botocore.exceptions import ClientError

        found = 0
        try:
            balancers = list(_pages(self.client, "describe_load_balancers", "LoadBalancers", **kwargs))
        except ClientError as exc:
            # a name that is not an ALB/NLB may still be a Classic ELB; a malformed name is not found either
            if _code(exc) in NOT_FOUND or (kwargs.get("Names") and _code(exc) == "ValidationError"):
                return 0
            raise
        for balancer in balancers:
            found += 1
            kind = ELBV2_KINDS.get(str(balancer.get("Type", "")))
            name = str(balancer.get("LoadBalancerName", ""))
            if kind is None:
                self.out.notes.append(
                    f"{self.where(balancer['LoadBalancerArn']).file}: {balancer.get('Type')} load balancer "
                    f"{name} carries no WebSocket listeners wslint knows; skipped"
                )
                continue
            try:
                self.out.specs.append(self.balancer(balancer, kind))
            except ClientError as exc:
                if _code(exc) not in NOT_FOUND:
                    raise
                self.out.notes.append(f"{name}: deleted while it was being read; skipped")
        return found

    def balancer(self, balancer: dict[str, Any], kind: aws_spec.Kind) -> LoadBalancerSpec:
        arn = str(balancer["LoadBalancerArn"])
        where = self.where(arn)
        attributes = _attributes(self.client.describe_load_balancer_attributes(LoadBalancerArn=arn))
        spec = LoadBalancerSpec(
            kind=kind,
            name=str(balancer.get("LoadBalancerName", arn)),
            location=where,
            listeners_known=True,
            idle_key=ALB_IDLE_KEY,
        )
        if kind == "alb":
            spec.idle_timeout = self.value(attributes, ALB_IDLE_KEY, where)
            spec.client_keep_alive = self.value(attributes, ALB_KEEPALIVE_KEY, where)
        for listener in _pages(self.client, "describe_listeners", "Listeners", LoadBalancerArn=arn):
            if self.only_answers(listener):
                continue  # a redirect (http -> https) or a fixed answer, and no rule forwards: no WebSocket
            spec.listeners.append(self.listener(listener, kind))
        for group in _pages(self.client, "describe_target_groups", "TargetGroups", LoadBalancerArn=arn):
            spec.target_groups.append(self.target_group(group, kind))
        return spec

    def only_answers(self, listener: dict[str, Any]) -> bool:
        """Default actions that only redirect or answer, and no rule of the listener that forwards."""
        from botocore.exceptions import ClientError

        if not _answers(listener.get("DefaultActions")):
            return False
        try:
            rules = list(_pages(self.client, "describe_rules", "Rules", ListenerArn=str(listener["ListenerArn"])))
        except ClientError as exc:
            if _code(exc) not in DENIED:
                raise
            return False  # its rules are unknown: it may forward
        return all(rule.get("IsDefault") or _answers(rule.get("Actions")) for rule in rules)

    def listener(self, listener: dict[str, Any], kind: aws_spec.Kind) -> ListenerSpec:
        arn = str(listener["ListenerArn"])
        where = self.where(arn)
        spec = ListenerSpec(location=where, target_groups=_forwards_to(listener.get("DefaultActions")))
        if listener.get("Protocol") is not None:
            spec.protocol = Value(str(listener["Protocol"]), where)
        if listener.get("Port") is not None:
            spec.port = Value(int(listener["Port"]), where)
        if kind == "nlb":  # only NLB listeners carry an idle timeout (moto gives every listener one)
            idle = self.nlb_idle(arn, where)
            if idle is not None:
                spec.attributes[aws_spec.NLB_IDLE_KEY] = idle
        return spec

    def nlb_idle(self, arn: str, where: Location) -> Value | None:
        from botocore.exceptions import ClientError

        unknown = Value(None, where)
        if not self.listener_attributes:
            self._listener_note("this botocore has no describe_listener_attributes (upgrade boto3)")
            return unknown
        try:
            attributes = _attributes(self.client.describe_listener_attributes(ListenerArn=arn))
        except ClientError as exc:
            # a policy written before listener attributes existed may lack DescribeListenerAttributes
            if _code(exc) not in DENIED and _code(exc) not in ("UnknownOperationException", "InvalidAction"):
                raise
            self._listener_note(f"DescribeListenerAttributes: {_code(exc)}")
            return unknown
        return self.value(attributes, aws_spec.NLB_IDLE_KEY, where)

    def _listener_note(self, why: str) -> None:
        if not self.listener_note:
            self.listener_note = True
            self.out.notes.append(f"aws://{self.region}: NLB listener idle timeouts are unknown ({why})")

    def target_group(self, group: dict[str, Any], kind: aws_spec.Kind) -> TargetGroupSpec:
        arn = str(group["TargetGroupArn"])
        where = self.where(arn)
        attributes = _attributes(self.client.describe_target_group_attributes(TargetGroupArn=arn))
        spec = TargetGroupSpec(name=str(group.get("TargetGroupName", arn)), location=where)
        spec.deregistration_delay = self.value(attributes, DELAY_KEY, where)
        if kind == "nlb" and TERMINATION_KEY in attributes:
            spec.connection_termination = Value(attributes[TERMINATION_KEY], where)
        http_check = str(group.get("HealthCheckProtocol", "HTTP")).upper() in ("HTTP", "HTTPS")
        spec.http_health_check = http_check and "HealthCheckProtocol" in group
        path = group.get("HealthCheckPath")
        if path is not None and http_check:
            spec.health_check_path = Value(str(path), where)
        return spec

    # ---- Classic ELB --------------------------------------------------------------------------

    def classic(self, elb: Any, **kwargs: Any) -> int:
        from botocore.exceptions import ClientError

        try:
            balancers = list(_pages(elb, "describe_load_balancers", "LoadBalancerDescriptions", **kwargs))
        except ClientError as exc:
            if _code(exc) in NOT_FOUND or (kwargs.get("LoadBalancerNames") and _code(exc) == "ValidationError"):
                return 0
            raise
        for balancer in balancers:
            name = str(balancer["LoadBalancerName"])
            try:
                response = elb.describe_load_balancer_attributes(LoadBalancerName=name)
            except ClientError as exc:
                if _code(exc) not in NOT_FOUND:
                    raise
                self.out.notes.append(f"{name}: deleted while it was being read; skipped")
                continue
            self.out.specs.append(self.classic_spec(balancer, response.get("LoadBalancerAttributes", {})))
        return len(balancers)

    def classic_spec(self, balancer: dict[str, Any], attributes: dict[str, Any]) -> LoadBalancerSpec:
        name = str(balancer["LoadBalancerName"])
        base = f"aws://{self.region}/elb/{name}"
        where = Location(file=base, line=None, column=None)
        idle = (attributes.get("ConnectionSettings") or {}).get("IdleTimeout")
        spec = LoadBalancerSpec(
            kind="elb",
            name=name,
            location=where,
            listeners_known=True,
            idle_key=CLB_IDLE_KEY,
            idle_timeout=self.value({} if idle is None else {CLB_IDLE_KEY: str(idle)}, CLB_IDLE_KEY, where),
        )
        for description in balancer.get("ListenerDescriptions", []):
            listener = description.get("Listener", {})
            port = listener.get("LoadBalancerPort")
            at = Location(file=f"{base}/listener/{port}", line=None, column=None)
            spec.listeners.append(
                ListenerSpec(
                    location=at,
                    protocol=None if listener.get("Protocol") is None else Value(str(listener["Protocol"]), at),
                    port=None if port is None else Value(int(port), at),
                )
            )
        return spec


# ---- errors, as one printable line ----------------------------------------------------------------


def _client_error(exc: Any, region: str | None) -> str:
    code = _code(exc)
    operation = getattr(exc, "operation_name", "") or "the request"
    message = safe(str((getattr(exc, "response", None) or {}).get("Error", {}).get("Message", "")))
    where = f" in {region}" if region else ""
    said = f": {message}" if message else ""
    if code in DENIED:
        return f"access denied to {operation}{where}{said} (wslint needs elasticloadbalancing:Describe*)"
    if code in BAD_CREDENTIALS:
        return f"AWS rejected the credentials ({code}){said}"
    if code in THROTTLED:
        return (
            f"AWS throttled {operation}{where} and the retries ran out ({code}); try again later "
            "or raise AWS_MAX_ATTEMPTS"
        )
    return f"{operation}{where} failed: {code or 'error'}{said}"


def _botocore_error(exc: Exception, region: str | None) -> str:
    from botocore import exceptions as e

    if isinstance(exc, e.NoCredentialsError):
        return (
            "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, give --profile, "
            "or configure ~/.aws (credentials, SSO) or an instance role"
        )
    if isinstance(exc, e.PartialCredentialsError):
        return f"incomplete AWS credentials: {safe(str(exc))}"
    if isinstance(exc, e.ProfileNotFound):
        return f"{safe(str(exc))} (see ~/.aws/config)"
    if isinstance(exc, e.NoRegionError):
        return "no AWS region: give --region R (or set AWS_REGION / AWS_DEFAULT_REGION, or region in the profile)"
    if isinstance(exc, e.InvalidRegionError):
        return f"invalid region {region!r}"
    if isinstance(exc, (e.EndpointConnectionError, e.ConnectTimeoutError, e.ConnectionClosedError)):
        return f"cannot reach the AWS endpoint ({safe(str(exc))}); check --region and the network"
    if isinstance(exc, e.ReadTimeoutError):
        return f"AWS did not answer in time ({safe(str(exc))})"
    if isinstance(exc, e.SSLError):
        return f"TLS error talking to AWS: {safe(str(exc))}"
    if isinstance(exc, (e.TokenRetrievalError, e.SSOError, e.UnauthorizedSSOTokenError)):
        return f"AWS SSO login needed or expired: {safe(str(exc))} (run `aws sso login`)"
    if isinstance(exc, e.CredentialRetrievalError):
        return f"cannot get AWS credentials: {safe(str(exc))}"
    return f"AWS: {type(exc).__name__}: {safe(str(exc))}"
