"""Run every benchmark, print a summary and append it to bench/RESULTS.md (`make bench`).

.venv/bin/python bench/run_all.py
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (
    assignment_throughput,
    cold_start,
    mail_latency,
    parse_memory,
    requests_per_inquiry,
    warm_latency,
)
from bench._harness import REPO_ROOT, milliseconds

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
RESULTS_HEADER = """# Benchmark results

Appended by `make bench` (`.venv/bin/python bench/run_all.py`), newest last. Each section is one
run on one machine: the ratios compare the intake with reference handlers measured in the same
run, so compare ratios across sections, not absolute times. What each figure measures and how to
read it: bench/README.md.
"""


@dataclass(frozen=True)
class Row:
    figure: str
    measured: str
    target: str
    passed: bool | None  # None: reported, no target

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "FAIL", None: "-"}[self.passed]


def rows(
    requests: dict[str, Any],
    cold: dict[str, Any],
    warm: dict[str, Any],
    mail: dict[str, Any],
    assignments: dict[str, Any],
) -> list[Row]:
    accepted = requests["details"]["accepted"]
    captcha = requests["details"]["captcha"]
    captcha_ops = ", ".join(f"{op} x{n}" for op, n in sorted(captcha["operations"].items()))
    return [
        Row(
            "AWS requests per accepted inquiry",
            f"{requests['requests_per_accepted_inquiry']:.2f} ({accepted['inquiries']} inquiries, "
            f"min {accepted['min']}, max {accepted['max']})",
            "= 1 each",
            requests["accepted_all_exactly_one"],
        ),
        Row(
            "AWS requests per replayed submission",
            f"{requests['requests_per_replayed_submission']:.2f}",
            "-",
            None,
        ),
        Row("AWS requests per spam submission", f"{requests['requests_per_spam_submission']:.2f}", "-", None),
        Row(
            "AWS requests per inquiry, CAPTCHA on",
            f"{requests['requests_per_captcha_inquiry']:.2f} ({captcha_ops} for {captcha['inquiries']}; "
            f"+{captcha['siteverify_calls']} siteverify)",
            "-",
            None,
        ),
        *cold_rows(cold),
        *warm_rows(warm),
        *mail_rows(mail),
        *assignment_rows(assignments),
    ]


NAMES = {"bare": "bare handler", "idiomatic": "idiomatic Powertools handler"}


def cold_rows(cold: dict[str, Any]) -> list[Row]:
    """Init + first request in fresh processes (the headline), then init alone, against the fake endpoint."""

    def row(figure: str, over: str, under: str, part: str) -> Row:
        ratio = cold["ratios"][f"{over}/{under}"][part]
        target = cold_start.TARGETS.get(under) if over == "intake" and part == "init_first_request" else None
        times = f"{milliseconds(cold[over][f'{part}_s'])} / {milliseconds(cold[under][f'{part}_s'])}"
        measured = f"{ratio:.2f} ({times})"
        return Row(figure, measured, f"<= {target}" if target else "-", ratio <= target if target else None)

    return [
        row("Cold init + first request, intake / bare handler", "intake", "bare", "init_first_request"),
        row(
            "Cold init + first request, intake / idiomatic Powertools handler",
            "intake",
            "idiomatic",
            "init_first_request",
        ),
        row("  same, idiomatic / bare (context)", "idiomatic", "bare", "init_first_request"),
        row("  init alone, intake / bare", "intake", "bare", "init"),
        row("  init alone, intake / idiomatic", "intake", "idiomatic", "init"),
    ]


def warm_rows(warm: dict[str, Any]) -> list[Row]:
    """Own time per warm call (total less waiting on the fake endpoint), then the totals."""

    def row(figure: str, over: str, under: str, part: str) -> Row:
        ratio = warm["ratios"][f"{over}/{under}"][part]
        target = warm_latency.TARGETS.get(under) if over == "intake" and part == "own" else None
        measured = (
            f"{ratio:.2f} ({milliseconds(warm[over][part]['median'])} / "
            f"{milliseconds(warm[under][part]['median'])})"
        )
        return Row(figure, measured, f"<= {target}" if target else "-", ratio <= target if target else None)

    return [
        row("Warm own time per inquiry, intake / bare handler", "intake", "bare", "own"),
        row("Warm own time per inquiry, intake / idiomatic Powertools handler", "intake", "idiomatic", "own"),
        row("  same, idiomatic / bare (context)", "idiomatic", "bare", "own"),
        row("  total per call, intake / bare", "intake", "bare", "total"),
        row("  total per call, intake / idiomatic", "intake", "idiomatic", "total"),
    ]


def mail_rows(mail: dict[str, Any]) -> list[Row]:
    target = f"< {mail['target_s']:g} s"
    latency = mail["latency_s"]
    if latency is None:  # not one inquiry had both mails before the timeout
        return [
            Row("Form POST to both mails in the outbox, median (local stack)", "none arrived", target, False)
        ]
    return [
        Row(
            "Form POST to both mails in the outbox, median (local stack)",
            f"{milliseconds(latency['median'])} ({mail['completed']} of {mail['inquiries']} inquiries; "
            f"POST answered in {milliseconds(mail['post_median_s'])})",
            target,
            mail["median_within_target"],
        ),
        Row(
            "  same, p90",
            f"{milliseconds(latency['p90'])} (min {milliseconds(latency['min'])}, "
            f"max {milliseconds(latency['max'])})",
            target,
            mail["p90_within_target"],
        ),
        Row(
            "  mails in the outbox",
            f"{mail['mails_in_outbox']} for {mail['inquiries']} inquiries",
            "= 2 each",
            mail["all_mails_arrived"],
        ),
    ]


def assignment_rows(assignments: dict[str, Any]) -> list[Row]:
    concurrent, single = assignments["concurrent"], assignments["single"]
    share = concurrent["inquiries"] / len(concurrent["per_rep"])
    return [
        Row(
            f"Assignments per second, {concurrent['workers']} workers, one team of "
            f"{len(concurrent['per_rep'])} (moto)",
            f"{concurrent['assignments_per_second']:.1f}/s ({concurrent['inquiries']} in "
            f"{concurrent['wall_s']:.1f} s; {concurrent['commits_per_assignment']:.2f} commit attempts each)",
            "-",
            None,
        ),
        Row(
            "  same, inquiries per rep",
            ", ".join(f"{email.split('@')[0]} {count}" for email, count in concurrent["per_rep"].items()),
            f"{share:g} ± {assignment_throughput.FAIRNESS_TOLERANCE} each",
            concurrent["fair"],
        ),
        Row(
            "  same, 1 worker",
            f"{single['assignments_per_second']:.1f}/s ({single['inquiries']} in {single['wall_s']:.1f} s; "
            f"{concurrent['workers']} workers / 1: {assignments['speedup']:.2f}x)",
            "-",
            None,
        ),
    ]


def machine() -> dict[str, str]:
    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
        ]
        cpu = models[0] if models else cpu
    return {
        "machine": platform.machine(),
        "cpu": cpu or "unknown",
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "boto3": version("boto3"),
        "botocore": version("botocore"),
        "moto": version("moto"),
        "commit": _commit(),
    }


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO_ROOT, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (uncommitted changes)" if dirty else head


def import_note(cold: dict[str, Any], top: int = 8) -> str:
    """The intake's heaviest packages by import self time, from cold_start's -X importtime run."""

    def described(row: dict[str, Any]) -> str:
        lazily = " in the first request" if row["first_request_ms"] > row["init_ms"] else ""
        return f"{row['package']} {row['self_ms']:.1f} ms{lazily}"

    packages = ", ".join(described(row) for row in cold["intake_top_packages"][:top])
    return f"The intake's imports by package, self time (`python -X importtime`, one process): {packages}."


def markdown(table: list[Row], about: dict[str, str], when: datetime, notes: tuple[str, ...] = ()) -> str:
    lines = [
        f"## {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"{about['machine']}, {about['cpu']}, {about['cores']} cores; Python {about['python']}, "
        f"boto3 {about['boto3']}, botocore {about['botocore']}, moto {about['moto']}; "
        f"commit {about['commit']}",
        "",
        "| figure | measured | target | result |",
        "|---|---|---|---|",
        *(f"| {row.figure.strip()} | {row.measured} | {row.target} | {row.verdict} |" for row in table),
        "",
        *(line for note in notes for line in (note, "")),
    ]
    return "\n".join(lines)


def append_results(section: str) -> None:
    if not RESULTS.exists():
        RESULTS.write_text(RESULTS_HEADER, encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n" + section)


def main() -> dict[str, Any]:
    when = datetime.now(UTC)
    # Requests first: its counter must be in place before the intake's modules are first imported.
    figures = {"requests_per_inquiry": requests_per_inquiry.main()}
    print()
    figures["cold_start"] = cold_start.main()
    print()
    figures["warm_latency"] = warm_latency.main()
    print()
    figures["mail_latency"] = mail_latency.main()
    print()
    figures["assignment_throughput"] = assignment_throughput.main()
    print()
    figures["parse_memory"] = parse_memory.main()
    table = rows(
        figures["requests_per_inquiry"],
        figures["cold_start"],
        figures["warm_latency"],
        figures["mail_latency"],
        figures["assignment_throughput"],
    )
    table += [Row(*row) for row in parse_memory.rows(figures["parse_memory"])]
    section = markdown(table, machine(), when, (import_note(figures["cold_start"]),))
    print("\nSummary\n")
    print(section)
    append_results(section)
    print(f"appended to {RESULTS.relative_to(REPO_ROOT)}")
    return figures


if __name__ == "__main__":
    main()
