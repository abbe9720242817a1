"""routing.yaml validation: mistakes an admin makes get messages they can act on."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from inquiry_router.models.routing_config import RoutingConfig

DOMAINS = {"company_domains": ["sunrise-lighting.com"]}


def config(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "teams": [
            {
                "key": "export",
                "name": "Export Sales",
                "sending_address": "sales@sunrise-lighting.com",
                "fallback_address": "manager@sunrise-lighting.com",
                "timezone": "Asia/Shanghai",
                "languages": ["en", "zh-CN"],
            }
        ],
        "reps": [{"email": "Li.Wei@Sunrise-Lighting.com", "name": "Li Wei", "teams": ["export"]}],
        "rules": [{"match": {"recipient": "quotation@sunrise-lighting.com"}, "team": "export"}],
        "default_team": "export",
    }
    base.update(overrides)
    return base


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        RoutingConfig.model_validate(data, context=DOMAINS)
    return str(caught.value)


def test_a_valid_config_is_normalised() -> None:
    parsed = RoutingConfig.model_validate(config(), context=DOMAINS)
    assert parsed.reps[0].email == "li.wei@sunrise-lighting.com"
    assert parsed.teams[0].languages == ["en", "zh"]
    assert parsed.rules[0].match.recipient == ["quotation@sunrise-lighting.com"]


@pytest.mark.parametrize("address", ["li.wei@gmail.com", "li.wei@qq.com", "li.wei@163.com"])
def test_a_free_mail_rep_address_is_rejected_with_the_reason(address: str) -> None:
    reps = [{"email": address, "name": "Li Wei", "teams": ["export"]}]
    assert "free-mail domain" in problems(config(reps=reps))


def test_a_rep_outside_the_company_domains_is_rejected() -> None:
    reps = [{"email": "li@reseller.example", "name": "Li", "teams": ["export"]}]
    assert "not on a company domain (sunrise-lighting.com)" in problems(config(reps=reps))


def test_unknown_teams_are_named() -> None:
    reps = [{"email": "li@sunrise-lighting.com", "name": "Li", "teams": ["oem"]}]
    assert "team 'oem', which is not declared" in problems(config(reps=reps))
    assert "default_team 'nope' is not a team" in problems(config(default_team="nope"))
    assert "rule 1 sends to team 'x'" in problems(config(rules=[{"match": {"channel": "mail"}, "team": "x"}]))


def test_timezones_hours_and_absences_are_checked() -> None:
    team = config()["teams"][0]
    assert "unknown timezone 'China'" in problems(config(teams=[{**team, "timezone": "China"}]))
    hours = {"days": ["mon"], "start": "18:00", "end": "09:00"}
    assert "must be after start" in problems(config(teams=[{**team, "business_hours": hours}]))
    away = [{"from": "2026-12-24", "until": "2026-12-20"}]
    reps = [{"email": "li@sunrise-lighting.com", "name": "Li", "teams": ["export"], "out_of_office": away}]
    assert "ends (2026-12-20) before it starts" in problems(config(reps=reps))


def test_typos_in_keys_are_not_silently_ignored() -> None:
    reps = [{"email": "li@sunrise-lighting.com", "name": "Li", "teams": ["export"], "wieght": 3}]
    assert "wieght" in problems(config(reps=reps))


def test_out_of_office_covers_both_ends() -> None:
    reps = [{"email": "li@sunrise-lighting.com", "name": "Li", "teams": ["export"]}]
    reps[0]["out_of_office"] = [{"from": "2026-12-24", "until": "2026-12-27"}]
    rep = RoutingConfig.model_validate(config(reps=reps), context=DOMAINS).reps[0]
    assert rep.is_away_on(date(2026, 12, 24))
    assert rep.is_away_on(date(2026, 12, 27))
    assert not rep.is_away_on(date(2026, 12, 28))
