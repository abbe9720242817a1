"""Who gets an inquiry: rules, returning customers, eligibility, preference, fallback (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from inquiry_router.models.assignment import InquiryFacts, RotationState
from inquiry_router.routing.decision import Snapshot, choose_team, decide_owner
from tests.support.routing import DOMAIN, rep, routing_config

# A Tuesday, 10:00 in Shanghai.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def facts(**fields: object) -> InquiryFacts:
    base: dict[str, object] = {
        "inquiry_id": "i-1",
        "reference": "INQ-AAAAAA",
        "contact_key": "buyer@importer.example",
        "received_at": "2026-11-24T02:00:00.000Z",
    }
    return InquiryFacts(**(base | fields))  # type: ignore[arg-type]


def test_first_matching_rule_wins_and_the_default_catches_the_rest() -> None:
    config = routing_config(rep("ana"))

    assert choose_team(config, facts(country="MX")).key == "latam"
    assert choose_team(config, facts(language="es", country="ES")).key == "latam"
    assert choose_team(config, facts(country="DE", language="de")).key == "sales"


def test_a_returning_customer_keeps_their_rep_even_when_the_rotation_points_elsewhere() -> None:
    config = routing_config(rep("ana"), rep("bob"))
    snapshot = Snapshot(config, contact_owner=f"bob@{DOMAIN}", rotation=RotationState())

    decision = decide_owner(facts(), snapshot, NOW)

    assert decision.owner_email == f"bob@{DOMAIN}"
    assert decision.reason == "returning customer"
    assert decision.rotation is None  # the rotation does not move for a returning customer


def test_a_colleague_of_a_customer_goes_to_the_company_account_owner() -> None:
    config = routing_config(rep("ana"), rep("bob"))
    snapshot = Snapshot(config, account_owner=f"bob@{DOMAIN}", account_exists=True)

    decision = decide_owner(facts(account_domain="importer.example"), snapshot, NOW)

    assert (decision.owner_email, decision.kind) == (f"bob@{DOMAIN}", "returning_customer")
    assert "same company" in decision.reason


def test_an_owner_who_is_away_does_not_keep_the_customer() -> None:
    away = {"from": date(2026, 11, 20), "until": date(2026, 11, 30)}
    config = routing_config(rep("ana"), rep("bob", out_of_office=[away]))
    snapshot = Snapshot(config, contact_owner=f"bob@{DOMAIN}")

    decision = decide_owner(facts(), snapshot, NOW)

    assert decision.owner_email == f"ana@{DOMAIN}"
    assert decision.kind == "round_robin"


def test_reps_speaking_the_buyers_language_are_preferred() -> None:
    config = routing_config(rep("ana", languages=["en"]), rep("li", languages=["zh"]), rep("bob"))

    decision = decide_owner(facts(language="zh"), Snapshot(config), NOW)

    assert decision.owner_email == f"li@{DOMAIN}"
    assert "speaks zh" in decision.reason


def test_with_nobody_eligible_the_fallback_address_gets_it_and_the_reason_says_why() -> None:
    away = {"from": date(2026, 11, 1), "until": date(2026, 12, 31)}
    config = routing_config(
        rep("ana", active=False), rep("bob", out_of_office=[away]), rep("cai", capacity=2)
    )
    snapshot = Snapshot(config, loads={f"cai@{DOMAIN}": 2})

    decision = decide_owner(facts(), snapshot, NOW)

    assert decision.owner_email == f"manager@{DOMAIN}"
    assert decision.kind == "fallback"
    assert "1 inactive" in decision.reason
    assert "1 away" in decision.reason
    assert "1 at capacity" in decision.reason


def test_a_team_working_hours_only_waits_for_the_fallback_outside_hours() -> None:
    config = routing_config(rep("ana"))
    teams = [t.model_copy(update={"working_hours_only": True}) for t in config.teams]
    config = config.model_copy(update={"teams": teams})
    saturday = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)

    assert decide_owner(facts(), Snapshot(config), NOW).owner_email == f"ana@{DOMAIN}"
    outside = decide_owner(facts(), Snapshot(config), saturday)
    assert outside.kind == "fallback"
    assert "outside working hours" in outside.reason


def test_a_hand_over_never_picks_the_leaving_rep() -> None:
    config = routing_config(rep("ana"), rep("bob"))
    snapshot = Snapshot(config, contact_owner=f"ana@{DOMAIN}")

    decision = decide_owner(facts(), snapshot, NOW, exclude=f"ana@{DOMAIN}")

    assert decision.owner_email == f"bob@{DOMAIN}"
