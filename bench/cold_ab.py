"""Cold start of the intake in two checkouts, A and B, interleaved: what one change (a lever) gives.

    .venv/bin/python bench/cold_ab.py PATH_A PATH_B [REPEATS]

e.g. `git worktree add /tmp/before HEAD~1`, then `bench/cold_ab.py /tmp/before .`. Each sample is a
fresh interpreter running this checkout's bench/_fresh_process.py on the other tree's
functions/intake/app.py and package (its `layers/inquiry_router` first on PYTHONPATH, ahead of
the editable install), against one fake DynamoDB endpoint. A and B alternate, so the drift of a
shared machine hits both alike; the figure to quote is the ratio B / A.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from statistics import median

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import InquiryEvents, intake_environ
from bench.cold_start import run_fresh
from bench.fake_dynamodb import fake_dynamodb

REPEATS = 15


def tree_environ(base: dict[str, str], tree: Path, scratch: Path) -> dict[str, str]:
    return base | {
        "BENCH_INTAKE_APP": str(tree / "functions" / "intake" / "app.py"),
        "PYTHONPATH": str(tree / "layers" / "inquiry_router"),
        "PYTHONPYCACHEPREFIX": str(scratch / tree.resolve().name),
    }


def measure(tree_a: Path, tree_b: Path, repeats: int = REPEATS) -> dict[str, float]:
    events = InquiryEvents()
    trees = {"A": tree_a, "B": tree_b}
    totals: dict[str, list[float]] = {"A": [], "B": []}
    with fake_dynamodb() as fake, tempfile.TemporaryDirectory() as scratch:
        base = os.environ.copy() | intake_environ(fake.endpoint_url)
        base.pop("AWS_PROFILE", None)
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        environs = {name: tree_environ(base, tree, Path(scratch)) for name, tree in trees.items()}
        for name in trees:  # warm-up: bytecode caches, page cache
            run_fresh("intake", events.accepted(), environs[name])
        for round_ in range(repeats):
            for name in ("A", "B") if round_ % 2 == 0 else ("B", "A"):
                timings, _ = run_fresh("intake", events.accepted(), environs[name])
                totals[name].append(timings["init_first_request_s"])
    a, b = median(totals["A"]), median(totals["B"])
    return {"a_s": a, "b_s": b, "ratio": b / a, "repeats": repeats}


def main() -> dict[str, float]:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    tree_a, tree_b = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else REPEATS
    figures = measure(tree_a, tree_b, repeats)
    print(f"Cold init + first request, medians of {repeats} fresh processes each, interleaved")
    print(f"  A {tree_a}: {figures['a_s'] * 1000:.1f} ms")
    print(f"  B {tree_b}: {figures['b_s'] * 1000:.1f} ms")
    print(f"  B / A = {figures['ratio']:.3f}")
    return figures


if __name__ == "__main__":
    main()
