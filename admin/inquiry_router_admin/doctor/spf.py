"""SPF records read the way receivers read them (RFC 7208): one `v=spf1` record a name, and at
most 10 terms that cost a DNS query, counted through every include and redirect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

LOOKUP_LIMIT = 10
SES_SPF_DOMAIN = "amazonses.com"
SES_INCLUDE = f"include:{SES_SPF_DOMAIN}"
# Queries spent at most on one evaluation: a record far past the limit is reported, not crawled.
QUERY_BUDGET = 40
_LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")


class TxtLookup(Protocol):
    def txt(self, name: str) -> list[str]: ...


def is_spf(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def spf_records(lookup: TxtLookup, name: str) -> list[str]:
    return [text.strip() for text in lookup.txt(name) if is_spf(text)]


@dataclass
class SpfEvaluation:
    lookups: int = 0
    authorises_ses: bool = False
    errors: list[str] = field(default_factory=list)
    # The top-level terms that cost lookups, with what each costs through its includes.
    costs: list[tuple[str, int]] = field(default_factory=list)
    budget_spent: bool = False


def evaluate(lookup: TxtLookup, record: str) -> SpfEvaluation:
    """Count the record's lookups through its includes and redirect; note permanent errors."""
    evaluation = SpfEvaluation()
    queries = [0]
    for term, domain in _lookup_terms(record):
        cost = 1 + (_included_cost(lookup, domain, evaluation, queries, depth=1) if domain else 0)
        evaluation.lookups += cost
        evaluation.costs.append((term, cost))
        if domain == SES_SPF_DOMAIN and _is_delegation(term):
            evaluation.authorises_ses = True
    return evaluation


def _included_cost(
    lookup: TxtLookup, domain: str, evaluation: SpfEvaluation, queries: list[int], depth: int
) -> int:
    if depth > LOOKUP_LIMIT or queries[0] >= QUERY_BUDGET:
        evaluation.budget_spent = True
        return 0
    queries[0] += 1
    records = spf_records(lookup, domain)
    if not records:
        evaluation.errors.append(
            f"{domain} (included) publishes no SPF record: receivers fail the whole check"
        )
        return 0
    if len(records) > 1:
        evaluation.errors.append(f"{domain} (included) publishes {len(records)} SPF records")
    cost = 0
    for term, nested in _lookup_terms(records[0]):
        cost += 1
        if nested:
            if nested == SES_SPF_DOMAIN and _is_delegation(term):
                evaluation.authorises_ses = True
            cost += _included_cost(lookup, nested, evaluation, queries, depth + 1)
    return cost


def _lookup_terms(record: str) -> list[tuple[str, str | None]]:
    """The terms that cost a query, each with the domain whose record it pulls in (include,
    redirect), if any. A domain built from macros (%{…}) cannot be followed: it costs one."""
    found: list[tuple[str, str | None]] = []
    terms = record.split()[1:]
    has_all = any(_mechanism(term) == "all" for term in terms)
    for term in terms:
        name = _mechanism(term)
        if name == "redirect":
            if has_all:  # RFC 7208 6.1: ignored when the record has an "all"
                continue
            target = term.split("=", 1)[1]
            found.append((term, None if "%" in target else _domain(target)))
        elif name in _LOOKUP_MECHANISMS:
            target = term.split(":", 1)[1] if ":" in term else ""
            follow = name == "include" and target and "%" not in target
            found.append((term, _domain(target) if follow else None))
    return found


def _mechanism(term: str) -> str:
    bare = term.lstrip("+-~?").lower()
    for separator in ("=", ":", "/"):
        bare = bare.split(separator, 1)[0]
    return bare


def _is_delegation(term: str) -> bool:
    return term.lower().startswith(("include:", "+include:", "redirect="))


def _domain(name: str) -> str:
    return name.strip().rstrip(".").lower()


def with_term(record: str, term: str) -> str:
    """The record with `term` added before its "all" (or redirect), where receivers still read it."""
    words = record.split()
    for index, word in enumerate(words[1:], start=1):
        if _mechanism(word) in ("all", "redirect"):
            return " ".join([*words[:index], term, *words[index:]])
    return " ".join([*words, term])


def merged(records: list[str]) -> str:
    """Two or more SPF records as the one record receivers can use: every term once (records in
    text order: DNS returns them in any), one "all" ("-all" only if every record had it, else
    "~all"), a redirect only when no record ends in "all"."""
    terms: list[str] = []
    closings: list[str] = []
    redirect: str | None = None
    for record in sorted(records):
        for term in record.split()[1:]:
            name = _mechanism(term)
            if name == "all":
                closings.append(term.lower())
            elif name == "redirect":
                redirect = redirect or term
            elif term.lower() not in (t.lower() for t in terms):
                terms.append(term)
    strict = bool(closings) and set(closings) == {"-all"}
    ending = "-all" if strict else "~all" if closings or not redirect else redirect
    return " ".join(["v=spf1", *terms, ending])
