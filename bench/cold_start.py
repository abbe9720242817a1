"""Cold start of the intake function in fresh processes, as ratios to two reference handlers.

    .venv/bin/python bench/cold_start.py [--repeats N]

Each sample is a new interpreter (bench/_fresh_process.py) that loads one contender's handler
module by path and creates its DynamoDB client (`init`), then serves one accepted inquiry
(`first request`): what a buyer whose post meets a cold function waits for, less Lambda's own
start. The contenders are the bare handler and the idiomatic Powertools handler of issue 10
(bench/references/) and the intake (functions/intake/app.py). All three talk to one fake
DynamoDB endpoint in this process that answers at once (bench/fake_dynamodb.py), so the figures
are the handlers' own. Samples go round-robin, the order rotating each round, so drift on a
shared machine hits all three alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._fresh_process import CONTENDERS, FIRST_REQUEST_MARKER, RESULT_PREFIX
from bench._harness import FRESH_PROCESS, REPO_ROOT, InquiryEvents, intake_environ, milliseconds
from bench.fake_dynamodb import fake_dynamodb

REPEATS = 15
TOP_IMPORTS = 15
# Init + first request of the intake, as a multiple of each reference's (issue 10).
TARGETS = {"bare": 1.3, "idiomatic": 0.8}
PARTS = ("init", "first_request", "init_first_request")


@dataclass(frozen=True)
class ImportCost:
    module: str
    self_ms: float
    cumulative_ms: float
    depth: int
    phase: str  # "init" or "first request"


def run_fresh(
    contender: str, event: dict[str, Any], environ: dict[str, str], *, importtime: bool = False
) -> tuple[dict[str, Any], str]:
    """One cold start in a new interpreter: its timings and its stderr."""
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), str(FRESH_PROCESS), contender]
    finished = subprocess.run(
        command,
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env=environ,
        cwd=REPO_ROOT,
        check=False,
    )
    results = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if finished.returncode != 0 or not results:
        raise RuntimeError(
            f"{contender} cold start failed ({finished.returncode}):\n{finished.stderr[-3000:]}"
        )
    timings: dict[str, Any] = json.loads(results[-1].removeprefix(RESULT_PREFIX))
    timings["init_first_request_s"] = timings["init_s"] + timings["first_request_s"]
    return timings, finished.stderr


def parse_importtime(stderr: str) -> list[ImportCost]:
    costs: list[ImportCost] = []
    phase = "init"
    for line in stderr.splitlines():
        if line == FIRST_REQUEST_MARKER:
            phase = "first request"
            continue
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        costs.append(ImportCost(name.strip(), int(self_us) / 1000, int(cumulative_us) / 1000, depth, phase))
    return costs


def by_package(costs: list[ImportCost]) -> list[dict[str, Any]]:
    """Self time summed per top-level package and phase, with the module that imported the package.

    -X importtime prints a module after its own imports, one level deeper, so a module's importer
    is the next line one level up (importing `a.b` first prints `a` one level under it). A chain
    that starts at level 0 was imported by app.py itself (or at interpreter start-up), or, during
    the first request, from inside a function.
    """
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"init": 0.0, "first request": 0.0})
    importers: dict[str, str] = {}
    parents: dict[int, str] = {}
    for cost in reversed(costs):
        package = cost.module.split(".")[0]
        totals[package][cost.phase] += cost.self_ms
        parents[cost.depth] = cost.module
        if cost.module == package:  # the package's own __init__: who asked for it?
            ancestors = (parents[depth] for depth in range(cost.depth - 1, -1, -1))
            outside = next((name for name in ancestors if name.split(".")[0] != package), None)
            importers[package] = outside or ("app.py" if cost.phase == "init" else "a function, lazily")
    ranked = sorted(totals.items(), key=lambda item: sum(item[1].values()), reverse=True)
    return [
        {
            "package": package,
            "self_ms": sum(phases.values()),
            "init_ms": phases["init"],
            "first_request_ms": phases["first request"],
            "first_imported_by": importers.get(package, ""),
        }
        for package, phases in ranked
    ]


def rounds(repeats: int) -> list[tuple[str, ...]]:
    """Round-robin, the order rotating each round, so each contender runs first as often as last."""
    return [CONTENDERS[r % len(CONTENDERS) :] + CONTENDERS[: r % len(CONTENDERS)] for r in range(repeats)]


def measure(repeats: int = REPEATS) -> dict[str, Any]:
    events = InquiryEvents()
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in CONTENDERS}
    with fake_dynamodb() as fake, tempfile.TemporaryDirectory() as scratch:
        environ = os.environ.copy() | intake_environ(fake.endpoint_url)
        environ.pop("AWS_PROFILE", None)
        # Bytecode cached for every module alike, whatever PYTHONDONTWRITEBYTECODE says, and kept out of
        # the work tree: the warm-up fills the cache, so no sample pays for compiling source.
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        environ["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")

        for contender in CONTENDERS:  # warm-up: bytecode caches, page cache
            run_fresh(contender, events.accepted(), environ)
        for order in rounds(repeats):
            for contender in order:
                timings, _ = run_fresh(contender, events.accepted(), environ)
                samples[contender].append(timings)

        imports = {
            contender: parse_importtime(run_fresh(contender, events.accepted(), environ, importtime=True)[1])
            for contender in CONTENDERS
        }
        endpoint_requests = dict(fake.requests)

    figures: dict[str, Any] = {"repeats": repeats, "endpoint_requests": endpoint_requests}
    for contender in CONTENDERS:
        taken = samples[contender]
        figures[contender] = {
            **{f"{part}_s": median(t[f"{part}_s"] for t in taken) for part in PARTS},
            "first_request_waiting_s": median(t["first_request_waiting_s"] for t in taken),
            "first_request_requests": max(t["first_request_requests"] for t in taken),
            "modules_imported_by_first_request": median(
                t["modules_imported_by_first_request"] for t in taken
            ),
            "import_ms": {
                phase: sum(cost.self_ms for cost in imports[contender] if cost.phase == phase)
                for phase in ("init", "first request")
            },
        }
    figures["ratios"] = {
        f"{over}/{under}": {part: figures[over][f"{part}_s"] / figures[under][f"{part}_s"] for part in PARTS}
        for over, under in (("intake", "bare"), ("intake", "idiomatic"), ("idiomatic", "bare"))
    }
    costs = imports["intake"]
    figures["intake_top_imports"] = [
        asdict(cost) for cost in sorted(costs, key=lambda c: -c.cumulative_ms)[:TOP_IMPORTS]
    ]
    figures["intake_top_packages"] = by_package(costs)[:TOP_IMPORTS]
    return figures


def target_of(ratio: str) -> float | None:
    over, _, under = ratio.partition("/")
    return TARGETS.get(under) if over == "intake" else None


def report(figures: dict[str, Any]) -> None:
    print(
        f"Cold start, medians of {figures['repeats']} fresh processes each, against a fake DynamoDB "
        "that answers at once"
    )
    print(
        f"  {'':<10} {'init':>10} {'first request':>14} {'init + first':>13}   first request waits, imports"
    )
    for contender in CONTENDERS:
        f = figures[contender]
        print(
            f"  {contender:<10} {milliseconds(f['init_s']):>10} {milliseconds(f['first_request_s']):>14} "
            f"{milliseconds(f['init_first_request_s']):>13}   "
            f"{milliseconds(f['first_request_waiting_s'])} on {f['first_request_requests']} request(s), "
            f"{f['modules_imported_by_first_request']:.0f} modules "
            f"({f['import_ms']['first request']:.1f} ms of {sum(f['import_ms'].values()):.1f} ms imports)"
        )
    for ratio, parts in figures["ratios"].items():
        target = target_of(ratio)
        verdict = "context"
        if target is not None:
            verdict = f"target <= {target}: {'pass' if parts['init_first_request'] <= target else 'FAIL'}"
        print(
            f"  {ratio:<16} init {parts['init']:.2f}, init + first request {parts['init_first_request']:.2f}"
            f"  ({verdict})"
        )
    print(f"  requests the fake endpoint served: {figures['endpoint_requests']}")

    print(f"\nThe intake: top {TOP_IMPORTS} imports by cumulative time (python -X importtime, one run)")
    print(f"  {'cumulative':>10} {'self':>8}  {'phase':<13} module (indented by nesting)")
    for cost in figures["intake_top_imports"]:
        indent = "  " * cost["depth"]
        print(
            f"  {cost['cumulative_ms']:>7.1f} ms {cost['self_ms']:>5.1f} ms  {cost['phase']:<13} "
            f"{indent}{cost['module']}"
        )
    imports = figures["intake"]["import_ms"]
    print(
        f"\nThe intake: self time by top-level package ({imports['init']:.0f} ms of imports at init, "
        f"{imports['first request']:.0f} ms in the first request)"
    )
    print(f"  {'self':>9} {'at init':>9} {'1st req':>9}  package")
    for row in figures["intake_top_packages"]:
        print(
            f"  {row['self_ms']:>6.1f} ms {row['init_ms']:>6.1f} ms {row['first_request_ms']:>6.1f} ms  "
            f"{row['package']:<24} first imported by {row['first_imported_by']}"
        )


def main(repeats: int = REPEATS) -> dict[str, Any]:
    figures = measure(repeats)
    report(figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=REPEATS, help="fresh processes per contender")
    main(parser.parse_args().repeats)
