"""botocore's own data files for the few services the functions call, so a client is made in a
third of the time.

Making a client, botocore lists every one of its ~420 service directories (two scans) and parses
`endpoints.json`, 1.25 MB of every service in every region: 35–40 ms of each function's cold start
on the benchmark machine, more than the DynamoDB model itself (bench/RESULTS.md, issue 10). The
build (`make build`, and `make venv` for the source tree) copies, from the botocore it installed,
the model directories of `SERVICES` verbatim and the endpoint data restricted to those services,
into `botocore-data/` beside this module, with the botocore version it came from. A session made
by `aws_session()` reads from there; it reads botocore's full data as before when the directory is
missing or was made from another botocore version.

The copy is botocore's bundled data, so the loader reports it as bundled (`is_builtin_path`):
botocore feeds the legacy endpoint of a non-bundled `endpoints.json` into the endpoint rules as a
custom endpoint, which would turn off endpoint rules such as DynamoDB's account-based endpoints.
tests/unit/test_botocore_data.py holds a client made from the copy to one made from the full data:
the same models, and the same endpoint for each service in each partition.

    python -m inquiry_router.adapters.botocore_data [TARGET_DIR]

writes the copy from the botocore that Python imports (the build runs it on the built layer).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.loaders import Loader

# The services the functions make clients for (adapters/clients.py), and the ones botocore's
# credential chain makes from the same session when credentials come from a profile (assume-role,
# SSO, `aws login`), as when a developer runs a function against a real account.
SERVICES = ("dynamodb", "s3", "sesv2", "sqs", "ssm", "sts", "sso", "sso-oidc", "signin")
DATA_DIR = Path(__file__).with_name("botocore-data")
VERSION_FILE = "BOTOCORE_VERSION"
ENDPOINTS_FILE = "endpoints.json"


def subset_loader(data_dir: Path | None = None) -> Loader | None:
    """A loader reading only the copy in `data_dir` (default `DATA_DIR`); None (botocore's own
    loader then) when there is no copy, or it was made from another botocore version than the one
    imported."""
    import botocore
    from botocore.loaders import Loader

    data_dir = DATA_DIR if data_dir is None else data_dir
    try:
        made_from = (data_dir / VERSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if made_from != botocore.__version__:
        return None
    root = data_dir.resolve()

    class BundledSubsetLoader(Loader):
        def is_builtin_path(self, path: str) -> bool:
            return Path(path).resolve().is_relative_to(root) or bool(super().is_builtin_path(path))

    return BundledSubsetLoader(extra_search_paths=[str(root)], include_default_search_paths=False)


def write_subset(target: Path | None = None, source: Path | None = None) -> None:
    """Copy botocore's data for `SERVICES` from `source` (the imported botocore's data directory)
    into `target` (default `DATA_DIR`), replacing what was there."""
    import botocore

    target = DATA_DIR if target is None else target
    source = Path(botocore.__file__).with_name("data") if source is None else source
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and path.name != ENDPOINTS_FILE:
            shutil.copy2(path, staging / path.name)
    keys: set[str] = set()
    for service in SERVICES:
        shutil.copytree(source / service, staging / service)
        keys |= {service, *_endpoint_keys(source / service)}
    endpoints = json.loads((source / ENDPOINTS_FILE).read_text(encoding="utf-8"))
    for partition in endpoints["partitions"]:
        partition["services"] = {name: data for name, data in partition["services"].items() if name in keys}
    (staging / ENDPOINTS_FILE).write_text(json.dumps(endpoints, separators=(",", ":")), encoding="utf-8")
    (staging / VERSION_FILE).write_text(botocore.__version__ + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def _endpoint_keys(service_dir: Path) -> set[str]:
    """The names `endpoints.json` may list a service under: its endpoint prefix (SES v2 is `email`,
    SSO OIDC is `oidc`) and its signing name, from each API version's model."""
    import gzip

    keys: set[str] = set()
    for model in service_dir.glob("*/service-2.json*"):
        raw = gzip.decompress(model.read_bytes()) if model.suffix == ".gz" else model.read_bytes()
        metadata: dict[str, Any] = json.loads(raw)["metadata"]
        keys |= {metadata[k] for k in ("endpointPrefix", "signingName") if k in metadata}
    return keys


if __name__ == "__main__":
    write_subset(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
