"""Cold start of the intake function in fresh processes, as a ratio to a bare boto3 client.

    .venv/bin/python bench/cold_start.py

Each sample is a new interpreter (bench/_fresh_process.py) that imports functions/intake/app.py
by path and creates the DynamoDB client (`init`), then serves one request against a moto
server. The baseline is `import boto3; boto3.client("dynamodb")`, then one PutItem. Runs
alternate between the two so drift on a shared machine hits both alike.
"""

from __future__ import annotations

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

from bench._fresh_process import FIRST_REQUEST_MARKER, RESULT_PREFIX
from bench._harness import (
    FRESH_PROCESS,
    REPO_ROOT,
    InquiryEvents,
    create_table,
    empty_table,
    intake_environ,
    intake_environment,
    milliseconds,
    moto_server,
)

REPEATS = 15
TOP_IMPORTS = 15
TARGET_RATIO = 1.5


@dataclass(frozen=True)
class ImportCost:
    module: str
    self_ms: float
    cumulative_ms: float
    depth: int
    phase: str  # "init" or "first request"


def run_fresh(
    mode: str,
    event: dict[str, Any],
    environ: dict[str, str],
    *,
    lazy_modules: Path | None = None,
    importtime: bool = False,
) -> tuple[dict[str, Any], str]:
    """One cold start in a new interpreter: its timings and its stderr."""
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), str(FRESH_PROCESS), mode]
    if lazy_modules is not None:
        command.append(str(lazy_modules))
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
        raise RuntimeError(f"{mode} cold start failed ({finished.returncode}):\n{finished.stderr[-3000:]}")
    timings: dict[str, Any] = json.loads(results[-1].removeprefix(RESULT_PREFIX))
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


def by_package(costs: list[ImportCost]) -> list[tuple[str, float, str]]:
    """Self time summed per top-level package, with the module that imported the package.

    -X importtime prints a module after its own imports, one level deeper, so a module's importer
    is the next line one level up (importing `a.b` first prints `a` one level under it). A chain
    that starts at level 0 was imported by app.py itself (or at interpreter start-up), or, during
    the first request, from inside a function.
    """
    totals: dict[str, float] = defaultdict(float)
    importers: dict[str, str] = {}
    parents: dict[int, str] = {}
    for cost in reversed(costs):
        package = cost.module.split(".")[0]
        totals[package] += cost.self_ms
        parents[cost.depth] = cost.module
        if cost.module == package:  # the package's own __init__: who asked for it?
            ancestors = (parents[depth] for depth in range(cost.depth - 1, -1, -1))
            outside = next((name for name in ancestors if name.split(".")[0] != package), None)
            importers[package] = outside or ("app.py" if cost.phase == "init" else "a function, lazily")
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return [(package, self_ms, importers.get(package, "")) for package, self_ms in ranked]


def measure(repeats: int = REPEATS) -> dict[str, Any]:
    events = InquiryEvents()
    samples: dict[str, list[dict[str, Any]]] = {"baseline": [], "candidate": []}
    with moto_server() as endpoint, intake_environment(endpoint), tempfile.TemporaryDirectory() as scratch:
        import boto3

        admin = boto3.client("dynamodb")
        create_table(admin)
        environ = os.environ.copy() | intake_environ(endpoint)
        # Bytecode cached for every module alike, whatever PYTHONDONTWRITEBYTECODE says, and kept out of
        # the work tree: the warm-up fills the cache, so no sample pays for compiling source.
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        environ["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "pycache")

        # Warm-up (bytecode caches, page cache), which also finds what the first request imports.
        run_fresh("baseline", events.accepted(), environ)
        discovered, _ = run_fresh("candidate", events.accepted(), environ)
        lazy = [name for name in discovered["imported_by_first_request"] if not name.startswith("__")]
        lazy_file = Path(scratch) / "lazy-modules.txt"
        lazy_file.write_text("\n".join(lazy), encoding="utf-8")

        for round_ in range(repeats):
            order = ("baseline", "candidate") if round_ % 2 == 0 else ("candidate", "baseline")
            for mode in order:
                empty_table(admin)  # moto's transactions slow down as its table grows; keep it constant
                listing = lazy_file if mode == "candidate" else None
                timings, _ = run_fresh(mode, events.accepted(), environ, lazy_modules=listing)
                samples[mode].append(timings)

        _, stderr = run_fresh("candidate", events.accepted(), environ, importtime=True)
    costs = parse_importtime(stderr)

    def median_of(mode: str, *parts: str, less: str | None = None) -> float:
        return median(
            float(sum(t[part] for part in parts) - (t[less] if less else 0.0)) for t in samples[mode]
        )

    everything = ("init_s", "lazy_imports_s", "first_request_s")
    figures: dict[str, Any] = {"repeats": repeats}
    for mode in ("baseline", "candidate"):
        figures[f"{mode}_init_s"] = median_of(mode, "init_s")
        figures[f"{mode}_init_first_request_s"] = median_of(mode, *everything)
        figures[f"{mode}_init_first_request_less_waiting_s"] = median_of(
            mode, *everything, less="first_request_waiting_s"
        )
        figures[f"{mode}_first_request_s"] = median_of(mode, "first_request_s")
        figures[f"{mode}_first_request_waiting_s"] = median_of(mode, "first_request_waiting_s")
    figures["candidate_lazy_imports_s"] = median_of("candidate", "lazy_imports_s")
    for figure in ("init", "init_first_request", "init_first_request_less_waiting"):
        figures[f"{figure}_ratio"] = figures[f"candidate_{figure}_s"] / figures[f"baseline_{figure}_s"]
    figures |= {
        "lazy_packages": sorted({name.split(".")[0] for name in lazy}),
        "lazy_module_count": len(lazy),
        "top_imports": [asdict(cost) for cost in sorted(costs, key=lambda c: -c.cumulative_ms)[:TOP_IMPORTS]],
        "top_packages": by_package(costs)[:TOP_IMPORTS],
        "import_total_ms": sum(cost.self_ms for cost in costs),
    }
    return figures


def report(figures: dict[str, Any]) -> None:
    def row(label: str, figure: str, note: str) -> None:
        print(
            f"  {label:<32} intake {milliseconds(figures[f'candidate_{figure}_s']):>10}   "
            f"boto3 {milliseconds(figures[f'baseline_{figure}_s']):>10}   "
            f"ratio {figures[f'{figure}_ratio']:.2f}  {note}"
        )

    print(f"Cold start, medians of {figures['repeats']} fresh processes each (baseline: bare boto3 client)")
    row("init", "init", f"(target <= {TARGET_RATIO})")
    row("init + first request", "init_first_request", "(baseline request: json.loads + one PutItem)")
    row("  less waiting on moto", "init_first_request_less_waiting", "(the intake's own part)")
    print(
        f"  the intake's first request: lazy imports {milliseconds(figures['candidate_lazy_imports_s'])} "
        f"({figures['lazy_module_count']} modules: {', '.join(figures['lazy_packages'])}), then "
        f"{milliseconds(figures['candidate_first_request_s'])} of which "
        f"{milliseconds(figures['candidate_first_request_waiting_s'])} waiting on moto's TransactWriteItems; "
        f"baseline's PutItem {milliseconds(figures['baseline_first_request_s'])} "
        f"({milliseconds(figures['baseline_first_request_waiting_s'])} waiting)"
    )
    print(f"\nTop {TOP_IMPORTS} imports by cumulative time (python -X importtime, one run of the intake)")
    print(f"  {'cumulative':>10} {'self':>8}  {'phase':<13} module (indented by nesting)")
    for cost in figures["top_imports"]:
        indent = "  " * cost["depth"]
        print(
            f"  {cost['cumulative_ms']:>7.1f} ms {cost['self_ms']:>5.1f} ms  {cost['phase']:<13} "
            f"{indent}{cost['module']}"
        )
    print(
        f"\nSelf time by top-level package (all {figures['import_total_ms']:.0f} ms of the process's imports)"
    )
    for package, self_ms, importer in figures["top_packages"]:
        print(f"  {self_ms:>7.1f} ms  {package:<24} first imported by {importer}")


def main() -> dict[str, Any]:
    figures = measure()
    report(figures)
    return figures


if __name__ == "__main__":
    main()
