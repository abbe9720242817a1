"""RoutingConfig validation against the stack's company domains."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from inquiry_router.models.routing_config import RoutingConfig

DOMAINS = ["sunrise-lighting.com", "sunrise-export.com"]  # the first is the SES sending identity


def document(sending_address: str) -> dict[str, Any]:
    return {
        "teams": [
            {
                "key": "sales",
                "name": "Sales",
                "sending_address": sending_address,
                "fallback_address": "manager@sunrise-export.com",
            }
        ],
        "reps": [{"email": "ana@sunrise-export.com", "name": "Ana", "teams": ["sales"]}],
        "default_team": "sales",
    }


def test_a_team_sends_from_the_stacks_sending_domain() -> None:
    config = RoutingConfig.model_validate(
        document("Sales@Sunrise-Lighting.com"), context={"company_domains": DOMAINS}
    )

    assert config.teams[0].sending_address == "sales@sunrise-lighting.com"


def test_a_sending_address_on_another_company_domain_is_refused_before_ses_would() -> None:
    with pytest.raises(
        ValidationError, match=r"must be on sunrise-lighting\.com, the stack.s sending domain"
    ):
        RoutingConfig.model_validate(
            document("sales@sunrise-export.com"), context={"company_domains": DOMAINS}
        )
