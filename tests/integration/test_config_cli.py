"""`inquiry-router config apply|export` and `reps …` against a stack (moto), as an admin uses them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from inquiry_router.adapters import keys
from inquiry_router.adapters.config_store import load_routing_config
from inquiry_router.adapters.serialization import to_attributes
from inquiry_router.models.routing_config import RoutingConfig
from tests.conftest import ROOT, TABLE_NAME
from tests.support.cli import at_terminal, fake_stack, run, without_terminal
from tests.support.items import get_inquiry

EXAMPLE = ROOT / "routing.example.yaml"


@pytest.fixture
def stack(dynamodb: Any) -> str:
    return fake_stack({"TableName": TABLE_NAME, "CompanyDomains": "example.com, example.org"})


@pytest.fixture
def applied(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The example configuration, applied."""
    assert run(capsys, "config", "apply", str(EXAMPLE), "--yes")[0] == 0


def example() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return document


def write_yaml(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "routing.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


def routing_reps(dynamodb: Any) -> dict[str, Any]:
    """The reps as the router will read them."""
    config = load_routing_config(dynamodb, TABLE_NAME)
    return {rep.email: rep for rep in config.reps} if config else {}


def listed_reps(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    code, out, _ = run(capsys, "reps", "list", "--json")
    assert code == 0
    return {rep["email"]: rep for rep in json.loads(out)}


def store_open_inquiry(dynamodb: Any, owner: str) -> str:
    """An inquiry assigned to `owner` and not answered yet, as the router leaves it."""
    received = "2026-11-20T08:00:00.000Z"
    item = {
        **keys.inquiry_key("inq-1"),
        **keys.status_index_key("assigned", received, "inq-1"),
        **keys.owner_index_key(owner, received, "inq-1"),
        "entity": "inquiry",
        "id": "inq-1",
        "reference": "INQ-7K3M9Q",
        "status": "assigned",
        "owner_email": owner,
        "received_at": received,
        "channel": "form",
        "contact_key": "buyer@importer.example",
        "email": "buyer@importer.example",
        "free_mail": False,
        "disposable": False,
    }
    contact = {
        **keys.contact_key("buyer@importer.example"),
        "entity": "contact",
        "email": "buyer@importer.example",
        "owner_email": owner,
    }
    for stored in (item, contact):
        dynamodb.put_item(TableName=TABLE_NAME, Item=to_attributes(stored))
    return "inq-1"


# -- config apply / export -------------------------------------------------------------------


def test_the_example_applies_and_exports_back_to_a_file_that_applies_unchanged(
    stack: str, dynamodb: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the documented example, applied
    code, out, _ = run(capsys, "config", "apply", str(EXAMPLE), "--yes")
    assert code == 0
    assert "+ rep li.wei@example.com (sales, weight 3)" in out
    assert "+ rule 1: channel mail; recipient quotation@example.com → sales" in out

    # When it is exported and the export applied again
    code, exported, _ = run(capsys, "config", "export")
    assert code == 0
    path = tmp_path / "exported.yaml"
    path.write_text(exported, encoding="utf-8")
    code, out, _ = run(capsys, "config", "apply", str(path), "--yes")

    # Then nothing changes, and the router reads exactly what the example declares
    assert code == 0
    assert out.startswith("Nothing to change")
    declared = RoutingConfig.model_validate(example())
    assert routing_reps(dynamodb) == {rep.email: rep for rep in declared.reps}
    assert routing_reps(dynamodb)["li.wei@example.com"].phone == "+86 755 8888 1234"


def test_applying_the_same_file_twice_changes_nothing_the_second_time(
    applied: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "config", "apply", str(EXAMPLE), "--yes")
    assert code == 0
    assert out == f"Nothing to change: table {TABLE_NAME} already holds this configuration.\n"


def test_a_dry_run_shows_the_changes_and_writes_nothing(
    stack: str, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "config", "apply", str(EXAMPLE), "--dry-run")
    assert code == 0
    assert "+ team export-latam" in out
    assert out.rstrip().endswith("Dry run: nothing written.")
    assert load_routing_config(dynamodb, TABLE_NAME) is None


def test_only_the_changes_are_shown_and_a_removed_rep_keeps_their_inquiries(
    applied: None, dynamodb: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Emma owns an open inquiry
    inquiry_id = store_open_inquiry(dynamodb, "emma.brown@example.com")
    # When the file drops her and gives Li Wei more weight
    document = example()
    document["reps"] = [r for r in document["reps"] if r["email"] != "emma.brown@example.com"]
    document["reps"][0]["weight"] = 5
    code, out, _ = run(capsys, "config", "apply", write_yaml(tmp_path, document), "--yes")

    # Then exactly those two changes are listed and applied
    assert code == 0
    assert "~ rep li.wei@example.com: weight 3 → 5" in out
    assert "- rep emma.brown@example.com" in out
    assert "Applied 2 change(s)" in out
    assert "emma.brown@example.com" not in routing_reps(dynamodb)
    # And her inquiry is untouched: history stays with the company
    assert (get_inquiry(dynamodb, TABLE_NAME, inquiry_id) or {})["owner_email"] == "emma.brown@example.com"


def test_a_free_mail_rep_is_refused_with_the_place_and_the_reason(
    stack: str, dynamodb: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = example()
    document["reps"][2]["email"] = "carlos.ruiz@gmail.com"
    code, _, err = run(capsys, "config", "apply", write_yaml(tmp_path, document), "--yes")
    assert code == 2
    assert "reps[2].email: rep address 'carlos.ruiz@gmail.com' is on a free-mail domain (gmail.com)" in err
    assert load_routing_config(dynamodb, TABLE_NAME) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["reps"][0].update(wieght=3), "reps[0].wieght: unknown field: check its spelling"),
        (lambda d: d["reps"][1].update(teams=["oem"]), "team 'oem', which is not declared (teams: sales"),
        (lambda d: d["reps"][0].update(countries=[False]), "reps[0].countries[0]: Input should be a valid"),
        (lambda d: d["teams"][0]["business_hours"].update(end=1080), "write times in quotes, e.g. '09:00'"),
        (lambda d: d["reps"][3].update(email="lucia@reseller.example"), "not on a company domain"),
    ],
    ids=["typo", "unknown team", "yaml NO", "unquoted time", "other domain"],
)
def test_every_mistake_gets_a_message_naming_where_it_is(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, message: str
) -> None:
    document = example()
    change(document)
    code, _, err = run(capsys, "config", "apply", write_yaml(tmp_path, document), "--yes")
    assert code == 2
    assert message in err


def test_broken_yaml_is_reported_with_its_line(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text("teams:\n  - key: sales\n    name: [Export\n", encoding="utf-8")
    code, _, err = run(capsys, "config", "apply", str(path))
    assert code == 2
    assert f"{path} is not valid YAML at line 4" in err


def _example_with(old: str, new: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _example_with("- from: 2026-08-03", "- from: 2026-02-30"),
            "not valid YAML at line 64, column 15: cannot read the value '2026-02-30' (day is out of range",
        ),
        (
            _example_with("capacity: 60 ", "capacity: " + "9" * 5000 + " "),
            "not valid YAML at line 52, column 15: cannot read the value '9999",
        ),
        ("teams: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [{', '.join([f'*{chr(ord(c) - 1)}'] * 9)}]\n" for c in "bcdefghij")
            + "teams: *j\n",
            "more than 200,000 values once its aliases (*name) are expanded",
        ),
    ],
    ids=["impossible date", "5000-digit number", "deep nesting", "alias bomb"],
)
def test_values_yaml_cannot_build_are_reported_with_their_line(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "config", "apply", str(path), "--yes")
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_without_a_terminal_apply_needs_yes_and_a_person_is_asked(
    stack: str, dynamodb: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_terminal(monkeypatch)
    code, _, err = run(capsys, "config", "apply", str(EXAMPLE))
    assert code == 2
    assert "pass --yes" in err
    assert load_routing_config(dynamodb, TABLE_NAME) is None

    at_terminal(monkeypatch, "n")
    assert run(capsys, "config", "apply", str(EXAMPLE))[0] == 1
    assert load_routing_config(dynamodb, TABLE_NAME) is None

    at_terminal(monkeypatch, "y")
    code, out, _ = run(capsys, "config", "apply", str(EXAMPLE))
    assert code == 0
    assert "Apply? [y/N]" in out
    assert load_routing_config(dynamodb, TABLE_NAME) is not None


def test_without_the_company_domains_output_only_free_mail_is_checked(
    dynamodb: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_stack({"TableName": TABLE_NAME})
    document = example()
    document["reps"][3]["email"] = "lucia@reseller.example"
    code, _, err = run(capsys, "config", "apply", write_yaml(tmp_path, document), "--yes")
    assert code == 0
    assert "not checked against the company domains" in err


def test_export_before_any_apply_says_where_to_start(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "config", "export")
    assert code == 2
    assert "routing.example.yaml" in err


# -- reps ------------------------------------------------------------------------------------


def test_reps_list_shows_teams_availability_and_open_load(
    applied: None, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    dynamodb.put_item(
        TableName=TABLE_NAME, Item=to_attributes({**keys.rep_load_key("li.wei@example.com"), "open": 7})
    )
    reps = listed_reps(capsys)
    assert reps["li.wei@example.com"]["open"] == 7
    assert reps["emma.brown@example.com"]["open"] == 0
    assert reps["emma.brown@example.com"]["away"] is None  # her leave in August is over
    _, out, _ = run(capsys, "reps", "list")
    assert "export-latam, sales" in out
    assert "Lucía Fernández" in out


def test_a_rep_is_added_validated_like_the_file_and_routed_to(
    applied: None, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "reps", "add", "Nina.Petrova@Example.com", "--name", "Nina Petrova", "--team", "sales",
        "--weight", "2", "--language", "ru", "--country", "RU", "--phone", "+7 495 123 45 67",
        "--title", "Export Manager",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == "+ rep nina.petrova@example.com (sales, weight 2)"
    nina = routing_reps(dynamodb)["nina.petrova@example.com"]
    assert (nina.weight, nina.languages, nina.countries, nina.title) == (2, ["ru"], ["RU"], "Export Manager")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nina@gmail.com", "--team", "sales"], "EMAIL: rep address 'nina@gmail.com' is on a free-mail"),
        (["nina@example.com", "--team", "oem"], "--team oem: no such team (teams: export-latam, sales)"),
        (["nina@example.com", "--team", "sales", "--weight", "25"], "--weight: Input should be less than"),
        (["nina@example.com", "--team", "sales", "--country", "Russia"], "'RUSSIA' is not an ISO 3166"),
        (["li.wei@example.com", "--team", "sales"], "rep li.wei@example.com already exists"),
    ],
    ids=["free mail", "unknown team", "weight", "country", "twice"],
)
def test_a_bad_rep_is_refused_naming_the_option_to_fix(
    applied: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "reps", "add", *argv, "--name", "Nina")
    assert code == 2
    assert message in err


def test_a_rep_update_changes_only_what_is_given(applied: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reps", "update", "li.wei@example.com", "--weight", "5", "--language", "zh")
    assert code == 0
    assert out.splitlines() == [
        "~ rep li.wei@example.com: weight 3 → 5",
        "~ rep li.wei@example.com: languages zh, en → zh",
    ]
    li = listed_reps(capsys)["li.wei@example.com"]
    assert (li["weight"], li["countries"], li["phone"]) == (5, ["CN", "HK", "TW", "SG"], "+86 755 8888 1234")


def test_an_unknown_rep_names_the_reps_there_are(applied: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "reps", "update", "nobody@example.com", "--weight", "2")
    assert code == 2
    assert "no rep nobody@example.com (reps: carlos.ruiz@example.com, emma.brown@example.com" in err


def test_away_then_back(applied: None, capsys: pytest.CaptureFixture[str]) -> None:
    # Given Carlos goes on leave from today
    code, out, _ = run(capsys, "reps", "away", "carlos.ruiz@example.com", "--until", "2099-01-10")
    assert code == 0
    assert "the rest of the team takes new inquiries" in out
    assert listed_reps(capsys)["carlos.ruiz@example.com"]["away"] == "until 2099-01-10"

    # When he comes back early
    code, out, _ = run(capsys, "reps", "back", "carlos.ruiz@example.com")

    # Then he is available again and no leave is left on file
    assert code == 0
    carlos = listed_reps(capsys)["carlos.ruiz@example.com"]
    assert (carlos["away"], carlos["out_of_office"]) == (None, [])


def test_a_planned_leave_is_shown_and_past_leave_stays_on_file(
    applied: None, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "reps", "away", "emma.brown@example.com", "--from", "2099-07-01", "--until", "2099-07-14")
    emma = listed_reps(capsys)["emma.brown@example.com"]
    assert emma["away"] == "from 2099-07-01 to 2099-07-14"
    run(capsys, "reps", "back", "emma.brown@example.com")
    emma = listed_reps(capsys)["emma.brown@example.com"]
    assert emma["out_of_office"] == [{"from": "2026-08-03", "until": "2026-08-14"}]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--until", "31/12/2099"], "'31/12/2099' is not a date like 2026-12-24"),
        (["--until", "2020-01-01"], "--until 2020-01-01 is in the past"),
        (["--from", "2099-02-01", "--until", "2099-01-01"], "ends (2099-01-01) before it starts"),
    ],
)
def test_a_bad_absence_is_refused(
    applied: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "reps", "away", "emma.brown@example.com", *argv)
    assert code == 2
    assert message in err
    assert date.today().year < 2099  # the dates above are in the future


def test_removing_a_rep_without_open_inquiries_keeps_nothing_waiting(
    applied: None, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "reps", "remove", "lucia.fernandez@example.com", "--yes")
    assert code == 0
    assert "- rep lucia.fernandez@example.com" in out
    assert "lucia.fernandez@example.com" not in routing_reps(dynamodb)


def test_removing_a_rep_with_open_inquiries_needs_a_decision_about_them(
    applied: None, dynamodb: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store_open_inquiry(dynamodb, "emma.brown@example.com")
    without_terminal(monkeypatch)
    code, _, err = run(capsys, "reps", "remove", "emma.brown@example.com", "--yes")
    assert code == 2
    assert "has 1 open inquiries: pass --hand-over team" in err
    assert "emma.brown@example.com" in routing_reps(dynamodb)


def test_keeping_the_inquiries_removes_the_rep_and_leaves_them_owned(
    applied: None, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = store_open_inquiry(dynamodb, "emma.brown@example.com")
    code, _, _ = run(capsys, "reps", "remove", "emma.brown@example.com", "--hand-over", "keep", "--yes")
    assert code == 0
    assert "emma.brown@example.com" not in routing_reps(dynamodb)
    assert (get_inquiry(dynamodb, TABLE_NAME, inquiry_id) or {})["owner_email"] == "emma.brown@example.com"


def test_a_hand_over_target_must_be_an_active_rep(
    applied: None, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store_open_inquiry(dynamodb, "emma.brown@example.com")
    code, _, err = run(capsys, "reps", "remove", "emma.brown@example.com", "--hand-over", "bob@example.com")
    assert code == 2
    assert "cannot hand over to bob@example.com: not a rep" in err
    assert "emma.brown@example.com" in routing_reps(dynamodb)


# -- hand-over: the CLI drives the real reassignment (routing/hand_over.py and the router) ---------


def owner_of(dynamodb: Any, inquiry_id: str) -> str:
    return str((get_inquiry(dynamodb, TABLE_NAME, inquiry_id) or {}).get("owner_email"))


def test_a_removed_reps_inquiries_go_to_the_team_after_they_stop_receiving_new_ones(
    applied: None, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = store_open_inquiry(dynamodb, "emma.brown@example.com")
    code, out, _ = run(capsys, "reps", "remove", "emma.brown@example.com", "--hand-over", "team", "--yes")
    assert code == 0
    new_owner = owner_of(dynamodb, inquiry_id)
    # Round robin among the sales team's remaining reps: emma is out of routing before it runs.
    assert new_owner in {"li.wei@example.com", "carlos.ruiz@example.com"}
    assert "emma.brown@example.com" not in routing_reps(dynamodb)
    assert f"INQ-7K3M9Q  {new_owner}  handed over" in out
    stored = get_inquiry(dynamodb, TABLE_NAME, inquiry_id) or {}
    assert stored["assignment_kind"] == "round_robin"


def test_a_deactivated_rep_hands_over_to_a_named_colleague_chosen_at_the_terminal(
    applied: None, dynamodb: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = store_open_inquiry(dynamodb, "emma.brown@example.com")
    at_terminal(monkeypatch, "Carlos.Ruiz@example.com")
    code, out, _ = run(capsys, "reps", "update", "emma.brown@example.com", "--inactive")
    assert code == 0
    assert "has 1 open inquiries. Hand them over" in out
    assert "~ rep emma.brown@example.com: active true → false" in out
    assert owner_of(dynamodb, inquiry_id) == "carlos.ruiz@example.com"
    assert not routing_reps(dynamodb)["emma.brown@example.com"].active


def test_inquiries_not_handed_over_are_reported_with_how_to_retry(
    applied: None, dynamodb: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from inquiry_router.adapters.assignment_write import AssignmentStore
    from inquiry_router.routing.service import RoutingContention

    inquiry_id = store_open_inquiry(dynamodb, "li.wei@example.com")

    def contended(*_: Any, **__: Any) -> str:  # the table keeps refusing the write (another writer)
        raise RoutingContention("INQ-7K3M9Q: 200 conflicting attempts")

    monkeypatch.setattr(AssignmentStore, "commit", contended)
    argv = ("reps", "update", "li.wei@example.com", "--inactive", "--hand-over", "carlos.ruiz@example.com")
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert "200 conflicting attempts" in out
    assert "retry with `inquiry-router reps hand-over li.wei@example.com --to team`" in err
    assert owner_of(dynamodb, inquiry_id) == "li.wei@example.com"  # nothing half done


def test_inquiries_kept_by_a_removed_rep_can_be_handed_over_later(
    applied: None, dynamodb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = store_open_inquiry(dynamodb, "emma.brown@example.com")
    run(capsys, "reps", "remove", "emma.brown@example.com", "--hand-over", "keep", "--yes")
    assert owner_of(dynamodb, inquiry_id) == "emma.brown@example.com"
    assert run(capsys, "reps", "hand-over", "emma.brown@example.com", "--to", "keep")[0] == 2
    code, _, _ = run(capsys, "reps", "hand-over", "emma.brown@example.com", "--to", "team")
    assert code == 0
    assert owner_of(dynamodb, inquiry_id) in {"li.wei@example.com", "carlos.ruiz@example.com"}
