"""Routing configs for tests: a company on sunrise-lighting.com with a few teams and reps."""

from __future__ import annotations

from typing import Any

from inquiry_router.adapters import keys
from inquiry_router.models.routing_config import RoutingConfig

DOMAIN = "sunrise-lighting.com"


def rep(name: str, **fields: Any) -> dict[str, Any]:
    return {"email": f"{name}@{DOMAIN}", "name": name.title(), "teams": ["sales"], **fields}


def routing_config(*reps: dict[str, Any], **overrides: Any) -> RoutingConfig:
    document: dict[str, Any] = {
        "teams": [
            {
                "key": "sales",
                "name": "Sales",
                "sending_address": f"sales@{DOMAIN}",
                "fallback_address": f"manager@{DOMAIN}",
                "timezone": "Asia/Shanghai",
                "languages": ["en", "zh"],
            },
            {
                "key": "latam",
                "name": "Ventas LATAM",
                "sending_address": f"ventas@{DOMAIN}",
                "fallback_address": f"manager@{DOMAIN}",
                "timezone": "America/Sao_Paulo",
                "languages": ["es"],
            },
        ],
        "reps": list(reps),
        "rules": [
            {"match": {"country": ["MX", "AR", "CL", "CO"]}, "team": "latam"},
            {"match": {"language": "es"}, "team": "latam"},
        ],
        "default_team": "sales",
        **overrides,
    }
    return RoutingConfig.model_validate(document, context={"company_domains": [DOMAIN]})


def new_inquiry_item(inquiry_id: str, email: str, received: str, **fields: Any) -> dict[str, Any]:
    """A new inquiry item as the intake stores it, reduced to what routing reads."""
    return {
        **keys.inquiry_key(inquiry_id),
        **keys.status_index_key("new", received, inquiry_id),
        "entity": "inquiry",
        "id": inquiry_id,
        "reference": "INQ-" + inquiry_id[:6].upper(),
        "status": "new",
        "channel": "form",
        "received_at": received,
        "contact_key": email,
        "email": email,
        "free_mail": email.endswith("@gmail.com"),
        "disposable": False,
        **fields,
    }
