"""The build's copy of botocore's data (adapters/botocore_data.py) makes the clients botocore's full
data makes: the same models, and for every operation of every service copied, in one region of
every partition, with and without FIPS and dual-stack, the same endpoint (or the same refusal)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.loaders import Loader

from inquiry_router.adapters import botocore_data
from inquiry_router.adapters.botocore_data import SERVICES, subset_loader, write_subset
from inquiry_router.adapters.clients import aws_session

ACCOUNT_ID = "123456789012"


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("botocore") / "botocore-data"
    write_subset(target)
    return target


def _session(loader: Loader | None) -> botocore.session.Session:
    session = botocore.session.Session()
    if loader is not None:
        session.register_component("data_loader", loader)
    session.set_credentials("AKIDEXAMPLE", "secret", account_id=ACCOUNT_ID)
    return session


def _one_region_per_partition() -> list[str]:
    endpoints = Loader().load_data("endpoints")
    return [next(iter(partition["regions"])) for partition in endpoints["partitions"]]


def _where_each_call_goes(
    session: botocore.session.Session, service: str, region: str, **config: Any
) -> list[str]:
    """Each operation's request URL (nothing is sent), or the error that stopped it."""
    try:
        client = session.create_client(
            service, region_name=region, config=Config(parameter_validation=False, **config)
        )
    except BotoCoreError as error:  # e.g. no dual-stack endpoint in that partition
        return [f"no client: {type(error).__name__}: {error}"]
    urls: list[str] = []

    def short_circuit(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        urls.append(params["url"])
        return AWSResponse(params["url"], 200, {}, None), {}

    client.meta.events.register("before-call", short_circuit)
    outcomes = []
    for method, name in sorted(client.meta.method_to_api_mapping.items()):
        before = len(urls)
        try:
            getattr(client, method)()
        except (BotoCoreError, ClientError, ValueError, KeyError, TypeError) as error:
            outcomes.append(f"{name}: {type(error).__name__}: {error}")
            continue
        outcomes.append(f"{name}: {urls[before] if len(urls) > before else 'no request'}")
    return outcomes


def test_the_copy_holds_botocores_models_and_endpoints_for_its_services(subset: Path) -> None:
    full, copy = Loader(), subset_loader(subset)
    assert copy is not None
    for service in SERVICES:
        for kind in ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2"):
            try:
                expected = full.load_service_model(service, kind)
            except botocore.exceptions.DataNotFoundError:
                continue
            assert copy.load_service_model(service, kind) == expected, (service, kind)
    for name in ("_retry", "partitions", "sdk-default-configuration"):
        assert copy.load_data(name) == full.load_data(name)
    full_endpoints, copied = full.load_data("endpoints"), copy.load_data("endpoints")
    for whole, part in zip(full_endpoints["partitions"], copied["partitions"], strict=True):
        assert {k: v for k, v in part.items() if k != "services"} == {
            k: v for k, v in whole.items() if k != "services"
        }
        assert part["services"] == {name: whole["services"][name] for name in part["services"]}
        assert "dynamodb" in part["services"]
    # Listed only under their endpoint prefix: without it their endpoints would change.
    assert {"email", "oidc", "portal.sso"} <= set(copied["partitions"][0]["services"])
    # The loader is the one botocore's bundled data has, for the rules' built-in endpoint.
    _, path = copy.load_data_with_path("endpoints")
    assert copy.is_builtin_path(path)
    assert json.loads((subset / "endpoints.json").read_text())["partitions"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_operation_of_a_copied_service_goes_where_it_went(subset: Path, service: str) -> None:
    full, copy = _session(None), _session(subset_loader(subset))
    for region in _one_region_per_partition():
        for config in ({}, {"use_fips_endpoint": True}, {"use_dualstack_endpoint": True}):
            expected = _where_each_call_goes(full, service, region, **config)
            assert _where_each_call_goes(copy, service, region, **config) == expected, (region, config)
    # DynamoDB's account-based endpoints are the rule a non-bundled endpoints.json would turn off.
    if service == "dynamodb":
        urls = _where_each_call_goes(copy, service, "eu-west-1")
        assert any(f"{ACCOUNT_ID}.ddb.eu-west-1" in outcome for outcome in urls)


def test_a_copy_of_another_botocore_version_or_none_is_not_used(subset: Path, tmp_path: Path) -> None:
    assert subset_loader(tmp_path / "missing") is None
    stale = tmp_path / "stale"
    write_subset(stale)
    (stale / botocore_data.VERSION_FILE).write_text("1.0.0\n")
    assert subset_loader(stale) is None
    assert subset_loader(subset) is not None


def test_sessions_read_the_copy_unless_a_data_path_of_ones_own_is_set(
    subset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(botocore_data, "DATA_DIR", subset)
    loader = aws_session().get_component("data_loader")
    assert loader.search_paths == [str(subset.resolve())]
    monkeypatch.setenv("AWS_DATA_PATH", str(subset.parent))
    assert str(subset.resolve()) not in aws_session().get_component("data_loader").search_paths
    monkeypatch.setattr(botocore_data, "DATA_DIR", subset.parent / "missing")
    monkeypatch.delenv("AWS_DATA_PATH")
    assert aws_session().get_component("data_loader").search_paths == Loader().search_paths


def test_writing_the_copy_again_replaces_it(subset: Path, tmp_path: Path) -> None:
    target = tmp_path / "botocore-data"
    write_subset(target)
    (target / "leftover.json").write_text("{}")
    write_subset(target)
    assert not (target / "leftover.json").exists()
    assert (target / botocore_data.VERSION_FILE).read_text().strip() == botocore.__version__
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in subset.iterdir())
