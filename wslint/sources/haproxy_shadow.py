"""HAProxy ``use_backend`` order: whether an earlier switching rule always catches a route's requests (WS108).

HAProxy evaluates ``use_backend`` rules in declaration order and the first that matches assigns the backend;
``default_backend`` applies only when none matches (configuration manual, "use_backend"). A route is shadowed when
every ``use_backend`` that names its backend has an earlier rule, to another backend that surely takes the requests
(declared, not disabled, not ``be-unpublished``), whose condition matches at least every request the later one
matches.

The reasoning is deliberately small and sound: it proves coverage, and anything it cannot read (``unless``, a
negated term, an ACL from a file, a fetch other than the path, regexes, a dynamic backend name, a line inside a
``.if`` wslint cannot evaluate, a variable) counts as "does not cover". A false WS108 costs more than a miss.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

# a path pattern: (how it matches: "beg" or "exact", the value, case-insensitive)
_Pattern = tuple[str, str, bool]
# one term of a condition: its criteria (ORed: a named ACL's lines), each the words of one criterion
_Term = list[list[str]]

ORDER = "use_backend rules are evaluated in order and the first that matches wins"
ALWAYS = "always_true"
# HAProxy's predefined ACLs that match every request (configuration manual, "Pre-defined ACLs")
PREDEFINED_TRUE = frozenset({"TRUE"})


@dataclass(frozen=True, slots=True)
class SwitchRule:
    """One ``use_backend`` line of a frontend or listen section, as written."""

    backend: str
    condition: tuple[str, ...]  # the words after the backend: () or ("if"|"unless", ...)
    text: str  # the line as written, spaces normalised
    index: int  # its position among the section's lines
    unknown: bool = False  # inside a .if wslint cannot evaluate, or holding a variable: never reasoned about


def shadowing(
    rules: list[SwitchRule],
    backend: str,
    criteria: dict[str, list[list[str]]],
    usable: Collection[str] | None = None,
) -> tuple[SwitchRule, SwitchRule, str] | None:
    """(the first rule naming ``backend``, the earlier rule that catches its requests, why) when every
    ``use_backend`` naming ``backend`` is caught by an earlier rule to another backend; None otherwise.

    ``usable``: the backends a rule surely switches to (declared, enabled, published); a covering rule naming any other
    may be skipped by HAProxy, so it is passed over (it cannot send the requests to ``backend`` either). None: all.
    """
    first: tuple[SwitchRule, SwitchRule, str] | None = None
    targets = [i for i, rule in enumerate(rules) if rule.backend == backend]
    if not targets:
        return None
    for i in targets:
        caught: tuple[SwitchRule, str] | None = None
        for earlier in rules[:i]:
            why = _covers(earlier, rules[i], criteria)
            if why is None:
                continue
            if earlier.backend == backend or _dynamic(earlier.backend):
                return None  # the requests reach this backend after all, or may
            if usable is not None and earlier.backend not in usable:
                continue
            caught = (earlier, why)
            break
        if caught is None:
            return None
        if first is None:
            first = (rules[i], caught[0], caught[1])
    return first


def _dynamic(backend: str) -> bool:
    return "%[" in backend or "%{" in backend


def _covers(earlier: SwitchRule, later: SwitchRule, criteria: dict[str, list[list[str]]]) -> str | None:
    """Why ``earlier`` matches every request ``later`` matches; None when that is not proven."""
    if earlier.unknown or later.unknown:
        return None
    if not earlier.condition:
        return f"{ORDER}, and it has no condition"
    if earlier.condition[0] != "if" or later.condition[:1] != ("if",):
        return None  # `unless` is a negation; a later rule without `if` matches what the earlier one does not
    outer = _alternatives(list(earlier.condition[1:]), criteria)
    inner = _alternatives(list(later.condition[1:]), criteria)
    if outer is None or inner is None or not inner:
        return None
    # every alternative of the later rule must be caught by one alternative of the earlier one, all of whose terms
    # (ANDed) hold for it
    for alternative in inner:
        if not any(all(_term_covers(term, alternative) for term in candidate) for candidate in outer):
            return None
    if all(all(_always(term) for term in candidate) for candidate in outer if candidate):
        return f"{ORDER}, and its condition is always true"
    return f"{ORDER}, and its condition matches every path the WebSocket rule matches"


def _alternatives(words: list[str], criteria: dict[str, list[list[str]]]) -> list[list[_Term | None]] | None:
    """The condition as ORed alternatives of ANDed terms; a term is None when negated or unknown.

    None for a condition that cannot be read (an unclosed brace).
    """
    alternatives: list[list[_Term | None]] = [[]]
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in ("||", "or"):
            alternatives.append([])
            continue
        negated = word.startswith("!")
        word = word[1:] if negated else word
        if not word and index < len(words):  # `! name` or `! { ... }`
            word = words[index]
            index += 1
        term: _Term | None
        if word == "{":
            if "}" not in words[index:]:
                return None
            end = words.index("}", index)
            term = [words[index:end]]
            index = end + 1
        elif word in criteria:
            term = criteria[word]
        elif word in PREDEFINED_TRUE:
            term = [[ALWAYS]]
        else:
            term = None  # a predefined ACL wslint does not model, or one declared nowhere
        alternatives[-1].append(None if negated or not term else term)
    return [a for a in alternatives if a] or None


def _always(term: _Term | None) -> bool:
    return term is not None and any(criterion[:1] == [ALWAYS] for criterion in term)


def _term_covers(term: _Term | None, alternative: list[_Term | None]) -> bool:
    """Whether an earlier term (negated or unknown: never) holds for every request the ANDed alternative matches.

    It does when it is always true, or when one known term of the alternative matches only paths the earlier term
    matches too (an AND only narrows what that term matches).
    """
    if term is None:
        return False
    if _always(term):
        return True
    outer = [p for criterion in term for p in (_patterns(criterion) or [])]
    if not outer:
        return False
    for inner_term in alternative:
        if inner_term is None:
            continue
        inner = [_patterns(criterion) for criterion in inner_term]
        if all(ps is not None and ps for ps in inner) and all(
            any(_pattern_covers(o, p) for o in outer) for ps in inner if ps for p in ps
        ):
            return True
    return False


def _patterns(criterion: list[str]) -> list[_Pattern] | None:
    """The paths a criterion matches, as prefixes or exact paths; None when it is not such a test or unreadable."""
    if not criterion:
        return None
    fetch = criterion[0].lower()
    if fetch == "path_beg":
        how = "beg"
    elif fetch == "path":
        how = "exact"
    else:
        return None
    icase = False
    values: list[str] = []
    args = iter(criterion[1:])
    ended = False
    for word in args:
        if not ended and word.startswith("-"):
            if word == "-i":
                icase = True
            elif word == "-m":
                method = next(args, "")
                if method == "beg":
                    how = "beg"
                elif method == "str":
                    how = "exact"
                else:
                    return None  # reg, sub, dir, end, found, ...
            elif word == "--":
                ended = True
            else:
                return None  # -f, -M, -n, -u, unknown flags
        else:
            values.append(word)
    return [(how, value, icase) for value in values] or None


def _pattern_covers(outer: _Pattern, inner: _Pattern) -> bool:
    """Whether every path ``inner`` matches is matched by ``outer``."""
    how_o, value_o, icase_o = outer
    how_i, value_i, icase_i = inner
    if icase_o:
        value_o, value_i = value_o.lower(), value_i.lower()
    elif icase_i and value_o.lower() != value_o.upper():
        return False  # the inner test also matches case variants the outer one does not
    if how_o == "exact":
        return how_i == "exact" and value_o == value_i
    return value_i.startswith(value_o)
