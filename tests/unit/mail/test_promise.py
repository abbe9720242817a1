"""The reply time promised to a buyer: the team's usual time when it works during that window,
otherwise its next opening plus an hour, in the team's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from inquiry_router.mail.promise import gmt_offset, response_promise
from inquiry_router.models.routing_config import BusinessHours, Team

SHANGHAI = ZoneInfo("Asia/Shanghai")


def team(timezone: str = "Asia/Shanghai", **fields: object) -> Team:
    return Team.model_validate(
        {
            "key": "export",
            "name": "Export Sales",
            "sending_address": "sales@sunrise-lighting.com",
            "fallback_address": "manager@sunrise-lighting.com",
            "timezone": timezone,
            **fields,
        }
    )


def test_an_inquiry_on_friday_evening_is_promised_for_monday_morning() -> None:
    received = datetime(2026, 11, 20, 20, 0, tzinfo=SHANGHAI)  # Friday, after closing

    promise = response_promise(received, team(), "en")

    assert promise.text == "by Monday 10:00 GMT+8"
    assert promise.deadline == datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def test_an_inquiry_during_the_week_is_promised_the_teams_usual_time() -> None:
    received = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)  # Tuesday morning

    promise = response_promise(received, team(), "en")

    assert promise.text == "within 24 hours"
    assert promise.deadline == received + timedelta(hours=24)


def test_the_promise_is_written_in_the_buyers_language() -> None:
    friday_evening = datetime(2026, 11, 20, 20, 0, tzinfo=SHANGHAI)
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)

    assert response_promise(friday_evening, team(), "zh").text == "周一 10:00（GMT+8）前"
    assert response_promise(friday_evening, team(), "es").text == "a más tardar el lunes a las 10:00 (GMT+8)"
    assert response_promise(tuesday, team(), "zh").text == "24小时内"


@pytest.mark.parametrize(
    ("language", "by_monday", "within_a_day", "sentence"),
    [
        ("pt", "até segunda-feira às 10:00 (GMT+8)", "em até 24 horas", "Retornaremos até segunda-feira"),
        ("fr", "d'ici lundi à 10:00 (GMT+8)", "sous 24 heures", "Nous vous répondrons d'ici lundi"),
        ("de", "bis Montag, 10:00 Uhr (GMT+8)", "innerhalb von 24 Stunden", "Antwort bis Montag, 10:00 Uhr"),
        ("it", "entro lunedì alle 10:00 (GMT+8)", "entro 24 ore", "Le risponderemo entro lunedì"),
        ("tr", "en geç pazartesi günü (saat 10:00, GMT+8)", "24 saat içinde", "Size en geç pazartesi günü"),
    ],
)
def test_the_promise_reads_naturally_in_every_new_language(
    language: str, by_monday: str, within_a_day: str, sentence: str
) -> None:
    from inquiry_router.mail.render import render_acknowledgement
    from tests.unit.mail import samples

    friday_evening = datetime(2026, 11, 20, 20, 0, tzinfo=SHANGHAI)
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)

    assert response_promise(friday_evening, team(), language).text == by_monday
    assert response_promise(tuesday, team(), language).text == within_a_day
    assert sentence in render_acknowledgement(samples.acknowledgement(language)).text


def test_a_team_in_a_half_hour_zone_shows_its_offset_with_minutes() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    saturday = datetime(2026, 11, 21, 11, 0, tzinfo=kolkata)

    promise = response_promise(saturday, team("Asia/Kolkata"), "en")

    assert promise.text == "by Monday 10:00 GMT+5:30"


def test_on_sunday_a_24_hour_promise_holds_because_monday_morning_is_inside_the_window() -> None:
    sunday_noon = datetime(2026, 11, 22, 12, 0, tzinfo=SHANGHAI)

    assert response_promise(sunday_noon, team(), "en").text == "within 24 hours"
    assert response_promise(sunday_noon, team(response_time_hours=4), "en").text == "by Monday 10:00 GMT+8"


def test_a_long_weekend_without_any_working_hour_is_promised_for_the_day_after() -> None:
    four_day_week = BusinessHours(days=["mon", "tue", "wed", "thu"])
    thursday_evening = datetime(2026, 11, 19, 19, 0, tzinfo=SHANGHAI)

    promise = response_promise(
        thursday_evening, team(business_hours=four_day_week, response_time_hours=72), "en"
    )

    assert promise.text == "by Monday 10:00 GMT+8"


def test_half_an_hour_before_closing_is_not_enough_time_to_promise_a_one_hour_reply() -> None:
    tuesday_late = datetime(2026, 11, 24, 17, 30, tzinfo=SHANGHAI)

    promise = response_promise(tuesday_late, team(response_time_hours=1), "en")

    assert promise.text == "by Wednesday 10:00 GMT+8"


def test_a_team_west_of_greenwich_promises_in_its_own_clock_across_daylight_saving_time() -> None:
    new_york = ZoneInfo("America/New_York")
    saturday_in_winter = datetime(2026, 11, 21, 12, 0, tzinfo=new_york)
    saturday_in_summer = datetime(2026, 7, 11, 12, 0, tzinfo=new_york)

    assert (
        response_promise(saturday_in_winter, team("America/New_York"), "en").text == "by Monday 10:00 GMT-5"
    )
    assert (
        response_promise(saturday_in_summer, team("America/New_York"), "en").text == "by Monday 10:00 GMT-4"
    )


@pytest.mark.parametrize(
    ("timezone", "written"),
    [
        ("UTC", "GMT"),
        ("Europe/London", "GMT"),
        ("Asia/Kathmandu", "GMT+5:45"),
        ("America/St_Johns", "GMT-3:30"),
    ],
)
def test_offsets_are_written_as_people_read_them(timezone: str, written: str) -> None:
    assert gmt_offset(datetime(2026, 1, 15, 12, 0, tzinfo=ZoneInfo(timezone))) == written
