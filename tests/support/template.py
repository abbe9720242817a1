"""Read template.yaml with CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...) as plain dicts.

The same loader the local stack uses, cached: tests read the template many times.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from inquiry_router_admin.local.template import load_template as _load_template

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@cache
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return _load_template(path)
