"""What `config` and `reps` share: the company domains to validate against, validation problems as
one readable error (exit 2), and a lost race with another writer as a plain failure (exit 1)."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Sequence
from typing import Any

from inquiry_router.adapters.config_store import ConfigChangedMeanwhile, StoredConfigError
from inquiry_router_admin.cli.target import Target, TargetError

Command = Callable[[argparse.Namespace], int]


def validation_context(target: Target) -> dict[str, Any]:
    """The context RoutingConfig and Rep validate with; without the stack's domains, free-mail only."""
    if "CompanyDomains" not in target.outputs:
        print(
            "note: the stack has no CompanyDomains output, so addresses are not checked against the "
            "company domains (free-mail addresses are still refused); redeploy to check them",
            file=sys.stderr,
        )
        return {"company_domains": []}
    domains = [d.strip().lower() for d in target.outputs["CompanyDomains"].split(",") if d.strip()]
    return {"company_domains": domains}


def invalid(title: str, problems: Sequence[str]) -> TargetError:
    """One error, one problem a line: main prints it and exits 2."""
    return TargetError("\n  ".join([f"{title}:", *problems]))


def store_conflicts_exit_1(command: Command) -> Command:
    """Someone else changed the config meanwhile, or the table holds an invalid one: nothing is
    wrong with the command line, so exit 1 with the store's message, which says what to do."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (ConfigChangedMeanwhile, StoredConfigError) as error:
            print(f"inquiry-router: {error}", file=sys.stderr)
            return 1

    return run
