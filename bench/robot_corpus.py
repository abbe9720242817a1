"""How many robots (bounces, complaints, list notices, auto-replies) screening takes for a person.

    .venv/bin/python bench/robot_corpus.py ROBOT_DIR [ROBOT_DIR …] [--people DIR …]
        [--company-domain sunrise-lighting.com] [--misses 50]

Every file under each ROBOT_DIR is read and screened exactly as `inquiry-router mail inspect`
does (`inspect_raw`: no AWS, no store). A robot is *treated as human* when it would become a new
inquiry or a thread reply: without the store a thread cannot be confirmed, so both show as
`new_inquiry`. Files under `--people` directories are mail written by people: each must be a new
inquiry, and every one that is not is listed. Per directory the script prints the number of files,
the count of each decision, the robots-treated-as-human rate, crashes (an exception out of
parsing or screening: the target is none) and the slowest file; then it lists the misses. Finally
it measures what importing flufl.bounce adds to the inbound function's cold start.

The corpora are public data kept outside the repository (see the report of issue 9, finding 20,
for where they come from); nothing here downloads anything. Target: at most 0.5 % of robots
treated as human, 0 crashes, every person's mail a new inquiry.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inquiry_router_admin.cli.mail_commands import inspect_raw

TARGET_RATE = 0.005
HUMAN = "new_inquiry"
_SKIPPED_NAMES = frozenset({"__init__.py", "README", "README.md", ".gitignore"})


@dataclass
class CorpusResult:
    name: str
    people: bool
    decisions: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[Path, str, str, str]] = field(default_factory=list)  # path, decision, reason, subject
    crashes: list[tuple[Path, str]] = field(default_factory=list)
    seconds: list[tuple[float, Path]] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(self.decisions.values()) + len(self.crashes)

    @property
    def wrong(self) -> int:
        """People: mail that is not an inquiry. Robots: mail treated as a person's."""
        if self.people:
            return self.files - self.decisions[HUMAN]
        return self.decisions[HUMAN]


def mail_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name not in _SKIPPED_NAMES)


def run_corpus(directory: Path, *, people: bool, company_domains: list[str]) -> CorpusResult:
    result = CorpusResult(str(directory), people)
    for path in mail_files(directory):
        raw = path.read_bytes()
        started = time.perf_counter()
        try:
            inspection = inspect_raw(raw, company_domains=company_domains)
        except Exception as error:  # the figure to report: anything escaping is a crash
            result.crashes.append((path, f"{type(error).__name__}: {error}"))
            continue
        result.seconds.append((time.perf_counter() - started, path))
        decision = inspection.decision
        result.decisions[decision] += 1
        if (decision == HUMAN) != people:
            result.misses.append((path, decision, inspection.reason, inspection.parsed.subject))
    return result


def import_cost(samples: int = 9) -> float:
    """Median milliseconds `import flufl.bounce` adds in a fresh process that has the inbound
    screening loaded already: what the first bounce-like mail of a cold function pays."""
    code = (
        "import time, inquiry_router.inbound.triage\n"
        "started = time.perf_counter()\n"
        "import flufl.bounce\n"
        "print(time.perf_counter() - started)"
    )
    runs = []
    for _ in range(samples):
        answer = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        runs.append(float(answer.stdout) * 1000)
    return statistics.median(runs)


def print_result(result: CorpusResult) -> None:
    kind = "people" if result.people else "robots"
    counts = ", ".join(f"{d} {n}" for d, n in result.decisions.most_common())
    print(f"\n{result.name} ({kind}): {result.files} files — {counts or 'none'}")
    if result.people:
        print(f"  not an inquiry: {result.wrong} of {result.files}")
    else:
        rate = result.wrong / result.files if result.files else 0.0
        print(f"  treated as human: {result.wrong} of {result.files} ({rate:.2%})")
    print(f"  crashes: {len(result.crashes)}")
    if result.seconds:
        slowest, path = max(result.seconds)
        median = statistics.median(s for s, _ in result.seconds)
        print(
            f"  time per file: median {median * 1000:.1f} ms, slowest {slowest * 1000:.0f} ms ({path.name})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("robots", nargs="*", type=Path, help="directories of robot mail")
    parser.add_argument(
        "--people", action="append", default=[], type=Path, help="a directory of people's mail"
    )
    parser.add_argument(
        "--company-domain",
        action="append",
        dest="domains",
        help="default: sunrise-lighting.com, on no corpus (a corpus mail from the company domain "
        "would read as an unauthenticated colleague: spoofed)",
    )
    parser.add_argument("--misses", type=int, default=50, help="list at most this many misses per corpus")
    parser.add_argument("--no-import-cost", action="store_true", help="skip the cold-import measurement")
    args = parser.parse_args(argv)
    domains = args.domains or ["sunrise-lighting.com"]
    results = [run_corpus(d, people=False, company_domains=domains) for d in args.robots]
    results += [run_corpus(d, people=True, company_domains=domains) for d in args.people]
    for result in results:
        print_result(result)
    robots = [r for r in results if not r.people]
    if robots:
        files = sum(r.files for r in robots)
        wrong = sum(r.wrong for r in robots)
        rate = wrong / files if files else 0.0
        verdict = "met" if rate <= TARGET_RATE else "MISSED"
        target = f"target ≤ {TARGET_RATE:.1%}: {verdict}"
        print(f"\nall robots: {wrong} of {files} treated as human ({rate:.2%}; {target})")
    people = [r for r in results if r.people]
    if people:
        files = sum(r.files for r in people)
        print(f"all people: {sum(r.wrong for r in people)} of {files} not an inquiry")
    crashes = sum(len(r.crashes) for r in results)
    print(f"crashes: {crashes}")
    for result in results:
        if not (result.misses or result.crashes):
            continue
        print(f"\n{'not inquiries' if result.people else 'treated as human'} in {result.name}:")
        for path, decision, reason, subject in result.misses[: args.misses]:
            print(f"  {path}: {decision} — {reason[:100]} — subject {subject[:60]!r}")
        for path, error in result.crashes:
            print(f"  {path}: CRASH {error[:200]}")
    if not args.no_import_cost:
        print(f"\nimporting flufl.bounce on the inbound path: {import_cost():.1f} ms (median, fresh process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
