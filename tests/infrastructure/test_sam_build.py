"""`sam build` works without Docker and packs the layer the functions import."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_sam_build_produces_the_layer_and_the_functions(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    result = subprocess.run(
        ["make", "--no-print-directory", "build", f"SAM_BUILD_DIR={build_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    layer = build_dir / "InquiryRouterLayer" / "python"
    assert (layer / "inquiry_router" / "entry" / "intake_api.py").exists()
    # The layer holds what the functions import, and nothing of the admin's tools.
    for tool in ("inquiry_router_admin", "moto", "yaml", "werkzeug"):
        assert not (layer / tool).exists(), f"{tool} is in the Lambda layer"
    assert (layer / "aws_lambda_powertools").is_dir()
    assert (layer / "pydantic_core").is_dir()
    # arm64 wheels, since the functions run on Graviton
    assert any("aarch64" in p.name for p in (layer / "pydantic_core").glob("_pydantic_core*.so"))
    assert (build_dir / "IntakeFunction" / "app.py").exists()
    # Bytecode beside every source, as unchecked-hash .pyc (flags 0b01 of PEP 552): Lambda cannot
    # write it, so a layer without it is compiled at every cold start.
    for source in (
        layer / "inquiry_router" / "entry" / "intake_api.py",
        layer / "pydantic" / "main.py",
        layer / "botocore" / "client.py",
        build_dir / "IntakeFunction" / "app.py",
    ):
        compiled = source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"
        assert compiled.exists(), f"no bytecode for {source}"
        flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
        assert flags == 0b01, f"{compiled} is not unchecked-hash"
    # The copy of botocore's data for the functions' services, made from the layer's own botocore
    # (a copy from another version would be ignored, and every client made from the full data).
    data = layer / "inquiry_router" / "adapters" / "botocore-data"
    botocore_version = next(layer.glob("botocore-*.dist-info")).name.split("-")[1].removesuffix(".dist")
    assert (data / "BOTOCORE_VERSION").read_text(encoding="utf-8").strip() == botocore_version
    for service in ("dynamodb", "s3", "sesv2", "sqs"):
        assert (data / service).is_dir(), f"no botocore data for {service}"
    assert not (data / "ec2").exists()
