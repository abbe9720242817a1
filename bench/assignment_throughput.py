"""Assignments per second with 16 routers sharing one team of 5 equal reps, against moto.

    .venv/bin/python bench/assignment_throughput.py [--inquiries M] [--single-worker-inquiries K]

M new inquiries (with their contacts and accounts, as the intake leaves them) are stored in a
table created from InquiryTable in template.yaml, on moto's server in this process (built as
moto's ThreadedMotoServer, which the local stack embeds, but see `moto_endpoint`). Then 16
threads, each with its own boto3 client and its own Router, take them off one shared queue and
call `route_new_inquiry`, as 16 concurrent router invocations would. The same is then done with
1 worker on a fresh table, for the ratio. Every commit attempt (one TransactWriteItems each) is
counted: more than one per assignment means routers collided on the team's rotation item and
decided again.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import queue
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._harness import REGION, TABLE_NAME, create_table, milliseconds, one_team_config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

    from inquiry_router.adapters.assignment_write import Outcome, OwnershipState
    from inquiry_router.models.assignment import InquiryFacts, OwnerDecision
    from inquiry_router.models.routing_config import RoutingConfig
    from inquiry_router.routing.service import Router

HOST = "127.0.0.1"
INQUIRIES = 1000
WORKERS = 16
SINGLE_WORKER_INQUIRIES = 1000  # the same work as the 16 workers
DOMAIN = "example.com"  # the local stack's CompanyDomains
REPS = ("ana", "bob", "cai", "dan", "eva")
FAIRNESS_TOLERANCE = 1  # each rep within M/5 +- 1


@contextmanager
def moto_endpoint(*, isolated: bool = True) -> Iterator[str]:
    """moto's server as ThreadedMotoServer (what the local stack embeds) builds it: werkzeug, one
    thread per request, in this process; on a free 127.0.0.1 port, from empty state. Yields its URL.

    `isolated` (the default) makes moto's DynamoDB atomic per request, as the local stack does
    (inquiry_router_admin/local/moto_isolation.py says why); `--moto-as-is` shows moto without it.
    """
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app: Any = DomainDispatcherApplication(create_backend_app)
    access_log = logging.getLogger("werkzeug")  # one line per request on stderr otherwise
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    with contextlib.ExitStack() as patches:
        if isolated:
            from inquiry_router_admin.local.moto_isolation import isolated_dynamodb

            patches.enter_context(isolated_dynamodb())
        server = make_server(HOST, 0, app, threaded=True, request_handler=MotoRequestHandler)
        thread = threading.Thread(target=server.serve_forever, name="moto", daemon=True)
        thread.start()
        endpoint = f"http://{HOST}:{server.port}"
        _reset_moto(endpoint)  # moto's state is per process: start from nothing
        try:
            yield endpoint
        finally:
            _reset_moto(endpoint)  # and leave nothing for whatever runs next in this process
            server.shutdown()
            thread.join()
            server.server_close()
            access_log.setLevel(level)


def _reset_moto(endpoint: str) -> None:
    reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()


def dynamodb(endpoint_url: str) -> DynamoDBClient:
    """A client of its own: boto3 clients are thread-safe, but 16 routers would each have one."""
    import boto3

    client: DynamoDBClient = boto3.session.Session().client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return client


def routing_config() -> RoutingConfig:
    """One team, five equal reps on the local stack's company domain, no rules; capacity out of the
    way: every rep ends with M/5 open inquiries."""
    return one_team_config(DOMAIN, REPS, capacity=10_000, timezone="Asia/Shanghai", languages=["en", "zh"])


def store_inquiries(client: DynamoDBClient, count: int) -> list[dict[str, Any]]:
    """New inquiries with their contacts and accounts, as the intake leaves them (what routing reads);
    written with BatchWriteItem: moto's TransactWriteItems would copy the growing table per item."""
    from inquiry_router.adapters import keys
    from inquiry_router.adapters.serialization import from_attributes, to_attributes
    from inquiry_router.base.timestamps import iso_timestamp
    from tests.support.routing import new_inquiry_item

    received = iso_timestamp(datetime.now(UTC))
    inquiries: list[dict[str, Any]] = []
    writes: list[dict[str, Any]] = []
    for n in range(count):
        inquiry_id = str(uuid.uuid4())
        domain = f"importer-{inquiry_id[:8]}.example"
        email = f"buyer-{n}@{domain}"
        item = new_inquiry_item(
            inquiry_id, email, received, message="Please quote 2,000 LED panels 600x600, CIF."
        )
        writes += [
            item,
            {**keys.contact_key(email), "entity": "contact"},
            {**keys.account_key(domain), "entity": "account"},
        ]
        inquiries.append(from_attributes(to_attributes(item)))
    for start in range(0, len(writes), 25):
        batch: list[WriteRequestTypeDef] = [
            {"PutRequest": {"Item": to_attributes(item)}} for item in writes[start : start + 25]
        ]
        request: Any = {TABLE_NAME: batch}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    return inquiries


@dataclass
class Worker:
    """One router's tally: its commit attempts (one TransactWriteItems each) and what it assigned."""

    commits: int = 0
    conflicts: int = 0
    commit_seconds: list[float] = field(default_factory=list)
    owners: Counter[str] = field(default_factory=Counter)
    errors: list[BaseException] = field(default_factory=list)


def counting_router(client: DynamoDBClient, config: RoutingConfig, worker: Worker) -> Router:
    """The real Router and AssignmentStore, with every commit counted and timed into `worker`."""
    from inquiry_router.adapters.assignment_write import AssignmentStore
    from inquiry_router.routing.service import Router

    class CountingStore(AssignmentStore):
        def commit(
            self,
            facts: InquiryFacts,
            decision: OwnerDecision,
            state: OwnershipState,
            now: datetime,
            *,
            previous_owner: str | None = None,
            first_response_due_at: datetime | None = None,
            sla_look_at: datetime | None = None,
        ) -> Outcome:
            started = time.perf_counter()
            outcome = super().commit(
                facts,
                decision,
                state,
                now,
                previous_owner=previous_owner,
                first_response_due_at=first_response_due_at,
                sla_look_at=sla_look_at,
            )
            worker.commit_seconds.append(time.perf_counter() - started)
            worker.commits += 1
            worker.conflicts += outcome == "conflict"
            return outcome

    return Router(CountingStore(client, TABLE_NAME), lambda: config)


def route_concurrently(endpoint_url: str, inquiries: list[dict[str, Any]], workers: int) -> dict[str, Any]:
    """`workers` threads take inquiries off one shared queue; returns the wall time and the tallies."""
    from inquiry_router.adapters.config_store import apply_config

    config = routing_config()
    admin = dynamodb(endpoint_url)
    apply_config(admin, TABLE_NAME, config, datetime.now(UTC))  # as `inquiry-router config apply` does
    from inquiry_router.models.inquiry import Inquiry

    pending: queue.SimpleQueue[Inquiry] = queue.SimpleQueue()
    for inquiry in inquiries:
        pending.put(Inquiry.from_item(inquiry))  # as the stream record hands it to the router
    tallies = [Worker() for _ in range(workers)]
    # Clients and routers are made before the clock starts; a barrier releases every thread at once.
    routers = [counting_router(dynamodb(endpoint_url), config, tally) for tally in tallies]
    start = threading.Barrier(workers + 1)

    def work(router: Router, tally: Worker) -> None:
        start.wait()
        while True:
            try:
                inquiry = pending.get_nowait()
            except queue.Empty:
                return
            try:
                tally.owners[router.route_new_inquiry(inquiry).owner_email] += 1
            except BaseException as error:  # surfaced below, in the main thread
                tally.errors.append(error)
                return

    threads = [
        threading.Thread(target=work, args=(router, tally), name=f"router-{n}")
        for n, (router, tally) in enumerate(zip(routers, tallies, strict=True))
    ]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    errors = [error for tally in tallies for error in tally.errors]
    if errors:
        raise RuntimeError(f"{len(errors)} router(s) failed; the first: {errors[0]!r}") from errors[0]
    return {"wall_s": wall, "tallies": tallies, "rotation_version": _rotation_version(admin)}


def _rotation_version(client: DynamoDBClient) -> int:
    from inquiry_router.adapters import keys
    from inquiry_router.adapters.serialization import from_attributes, to_attributes

    answer = client.get_item(TableName=TABLE_NAME, Key=to_attributes(keys.rotation_key("sales")))
    return int(from_attributes(answer.get("Item", {})).get("version", 0))


def measure_run(inquiries: int, workers: int, *, isolated: bool = True) -> dict[str, Any]:
    """One run on a fresh moto server and table: store, then route with `workers` threads."""
    with moto_endpoint(isolated=isolated) as endpoint_url:
        admin = dynamodb(endpoint_url)
        create_table(admin)
        stored = store_inquiries(admin, inquiries)
        routed = route_concurrently(endpoint_url, stored, workers)
    tallies: list[Worker] = routed["tallies"]
    owners: Counter[str] = sum((tally.owners for tally in tallies), Counter())
    commits = sum(tally.commits for tally in tallies)
    commit_seconds = [s for tally in tallies for s in tally.commit_seconds]
    share = inquiries / len(REPS)
    per_rep = {f"{name}@{DOMAIN}": owners.get(f"{name}@{DOMAIN}", 0) for name in REPS}
    return {
        "inquiries": inquiries,
        "workers": workers,
        "wall_s": routed["wall_s"],
        "assignments_per_second": sum(owners.values()) / routed["wall_s"],
        "assigned": sum(owners.values()),
        "per_rep": per_rep,
        "fair": sum(owners.values()) == inquiries
        and set(owners) == set(per_rep)
        and all(abs(count - share) <= FAIRNESS_TOLERANCE for count in per_rep.values()),
        "rotation_version": routed["rotation_version"],
        "commit_attempts": commits,
        "conflicts": sum(tally.conflicts for tally in tallies),
        "commits_per_assignment": commits / max(1, sum(owners.values())),
        "commit_median_s": statistics.median(commit_seconds) if commit_seconds else 0.0,
    }


def main(
    inquiries: int = INQUIRIES,
    single_worker_inquiries: int = SINGLE_WORKER_INQUIRIES,
    *,
    isolated: bool = True,
) -> dict[str, Any]:
    concurrent = measure_run(inquiries, WORKERS, isolated=isolated)
    single = measure_run(single_worker_inquiries, 1, isolated=isolated)
    figures = {
        "concurrent": concurrent,
        "single": single,
        "speedup": concurrent["assignments_per_second"] / single["assignments_per_second"],
        "moto": "isolated" if isolated else "as is",
    }
    print(
        "Assignments per second, one team of 5 equal reps, against moto's threaded server on 127.0.0.1 "
        + ("(one request at a time, rollback of touched items)" if isolated else "(moto as is)")
    )
    for run in (concurrent, single):
        reps = ", ".join(f"{email.split('@')[0]} {count}" for email, count in run["per_rep"].items())
        print(
            f"  {run['workers']:>2} worker(s), {run['inquiries']} inquiries: "
            f"{run['assignments_per_second']:.1f}/s ({run['wall_s']:.2f} s); "
            f"{run['commits_per_assignment']:.2f} commit attempts per assignment "
            f"({run['conflicts']} conflicts); commit round trip median {milliseconds(run['commit_median_s'])}"
        )
        share = run["inquiries"] / len(REPS)
        print(
            f"     per rep: {reps} (want {share:g} +- {FAIRNESS_TOLERANCE}: "
            f"{'fair' if run['fair'] else 'NOT FAIR'}); rotation version {run['rotation_version']}"
        )
    print(f"  {WORKERS} workers / 1 worker: {figures['speedup']:.2f}x")
    return figures


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--inquiries", type=int, default=INQUIRIES, help=f"default {INQUIRIES}")
    parser.add_argument(
        "--single-worker-inquiries",
        type=int,
        default=SINGLE_WORKER_INQUIRIES,
        help=f"inquiries for the 1-worker comparison (default {SINGLE_WORKER_INQUIRIES})",
    )
    parser.add_argument(
        "--moto-as-is",
        action="store_true",
        help="concurrent requests and whole-table rollback copies, as moto has them: shows assignments "
        "lost to moto's rollback; slow beyond a few hundred inquiries",
    )
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    main(arguments.inquiries, arguments.single_worker_inquiries, isolated=not arguments.moto_as_is)
