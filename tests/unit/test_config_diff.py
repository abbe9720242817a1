"""What `config apply` shows before it writes: one readable line per change."""

from __future__ import annotations

from typing import Any

from inquiry_router.models.config_diff import diff_config
from tests.support.routing import DOMAIN, rep, routing_config


def test_a_first_apply_lists_everything_as_added() -> None:
    # Given nothing applied yet and a config with two teams, a rep and two rules
    desired = routing_config(rep("li", weight=2))

    # When it is compared with the empty table
    lines = diff_config(None, desired).lines()

    # Then every team, rep, rule and the default team are announced as added
    assert lines == [
        f"+ team sales (Sales, sales@{DOMAIN}, Asia/Shanghai)",
        f"+ team latam (Ventas LATAM, ventas@{DOMAIN}, America/Sao_Paulo)",
        f"+ rep li@{DOMAIN} (sales, weight 2)",
        "~ default_team: none → sales",
        "+ rule 1: country MX, AR, CL, CO → latam",
        "+ rule 2: language es → latam",
    ]


def test_a_changed_rep_shows_each_changed_field_old_to_new() -> None:
    # Given Ana at weight 1 speaking English
    current = routing_config(rep("ana"))

    # When the file gives her weight 3, Spanish too, and a week off
    away = [{"from": "2026-12-21", "until": "2026-12-28"}]
    desired = routing_config(rep("ana", weight=3, languages=["en", "es"], out_of_office=away))

    # Then the admin reads what changes for her, field by field
    assert diff_config(current, desired).lines() == [
        f"~ rep ana@{DOMAIN}: weight 1 → 3",
        f"~ rep ana@{DOMAIN}: languages none → en, es",
        f"~ rep ana@{DOMAIN}: out_of_office none → 2026-12-21..2026-12-28",
    ]


def test_a_rep_left_out_of_the_file_is_listed_as_removed() -> None:
    current = routing_config(rep("ana"), rep("bob"))
    desired = routing_config(rep("ana"))
    assert diff_config(current, desired).lines() == [f"- rep bob@{DOMAIN}"]


def test_a_nested_team_setting_is_named_by_its_path_and_times_read_as_written() -> None:
    # Given the sales team working from 09:00
    current = routing_config()
    teams: list[dict[str, Any]] = [t.model_dump(by_alias=True) for t in current.teams]
    teams[0]["business_hours"] = {**teams[0]["business_hours"], "start": "08:00"}

    # When the file moves the start to 08:00
    desired = routing_config(teams=teams)

    # Then the line names the setting as the YAML does
    assert diff_config(current, desired).lines() == ["~ team sales: business_hours.start 09:00 → 08:00"]


def test_rules_are_compared_in_order_because_the_first_match_wins() -> None:
    current = routing_config()
    swapped = list(reversed([r.model_dump() for r in current.rules]))
    lines = diff_config(current, routing_config(rules=swapped)).lines()
    assert lines == [
        "- rule 1: country MX, AR, CL, CO → latam",
        "+ rule 1: language es → latam",
        "- rule 2: language es → latam",
        "+ rule 2: country MX, AR, CL, CO → latam",
    ]


def test_the_same_config_gives_an_empty_diff() -> None:
    diff = diff_config(routing_config(rep("ana")), routing_config(rep("ana")))
    assert diff.empty
    assert diff.lines() == []
