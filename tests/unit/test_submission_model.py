"""The submission model: what a website may send, in JSON or as a form post."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from inquiry_router.models.submission import MAX_EXTRA_FIELDS, InquirySubmission, form_fields


def submission(**fields: object) -> InquirySubmission:
    return InquirySubmission.model_validate({"email": "ana@example.com", "message": "Quote please", **fields})


def errors_of(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        InquirySubmission.model_validate(data)
    return {str(e["loc"][0]): e["msg"] for e in caught.value.errors()}


def test_form_backend_conventions_map_to_our_fields() -> None:
    # Given a form written for a form-backend service
    data = {
        "_replyto": ["ana@example.com"],
        "_subject": ["LED panels"],
        "_gotcha": [""],
        "_next": ["https://www.example.com/thanks"],
        "message": ["Quote please"],
    }
    # When it is validated
    parsed = InquirySubmission.model_validate(form_fields(data))
    # Then every convention lands on our own field
    assert parsed.email == "ana@example.com"
    assert parsed.subject == "LED panels"
    assert parsed.honeypot is None
    assert parsed.redirect == "https://www.example.com/thanks"


def test_form_lists_are_unwrapped_and_blank_inputs_mean_not_given() -> None:
    parsed = InquirySubmission.model_validate(
        form_fields({"email": ["ana@example.com"], "message": ["hi"], "company": [""], "phone": [""]})
    )
    assert parsed.company is None
    assert parsed.phone is None


@pytest.mark.parametrize(
    "name",
    ["李明", "محمد العلي", "Алексей Смирнов", "Ana García-Núñez", "Nguyễn Văn An", "สมชาย ใจดี"],
)
def test_names_in_any_script_are_kept_intact(name: str) -> None:
    assert submission(name=name, message=f"{name}: 请报价").name == name


def test_message_over_ten_thousand_characters_gets_a_readable_error() -> None:
    errors = errors_of({"email": "ana@example.com", "message": "x" * 10_001})
    assert errors["message"] == "The message has 10,001 characters; the limit is 10,000."


def test_message_of_exactly_ten_thousand_characters_is_accepted() -> None:
    assert len(submission(message="x" * 10_000).message) == 10_000


def test_missing_email_and_message_are_both_reported() -> None:
    errors = errors_of({"name": "Ana"})
    assert set(errors) == {"email", "message"}


def test_an_invalid_email_says_what_is_wrong() -> None:
    errors = errors_of({"email": "ana.example.com", "message": "hi"})
    assert "@" in errors["email"]


def test_email_domain_is_normalised_but_not_rejected_for_free_mail() -> None:
    assert submission(email="Li.Ming@QQ.COM").email == "Li.Ming@qq.com"


def test_unknown_fields_are_kept_within_bounds() -> None:
    fields = {f"field_{i}": "v" for i in range(MAX_EXTRA_FIELDS + 5)}
    fields["long"] = "y" * 5_000
    extra, truncated = submission(**fields).extra_fields()
    assert len(extra) == MAX_EXTRA_FIELDS
    assert truncated
    assert all(len(v) <= 1_000 for v in extra.values())


def test_unknown_fields_are_kept_as_sent() -> None:
    extra, truncated = submission(incoterm="FOB Shenzhen", port="Valencia").extra_fields()
    assert extra == {"incoterm": "FOB Shenzhen", "port": "Valencia"}
    assert not truncated


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("zh_cn", "zh-CN"), ("es", "es"), ("pt-br", "pt-BR"), ("not a locale!", None), ("", None)],
)
def test_locale_is_normalised_or_ignored(raw: str, expected: str | None) -> None:
    assert submission(locale=raw).locale == expected


@pytest.mark.parametrize("value", ["on", "true", "1", "yes", True])
def test_checkbox_values_mean_checked(value: object) -> None:
    assert submission(consent=value).consent is True


def test_unchecked_checkbox_is_absent_and_false() -> None:
    assert submission().consent is False
    assert submission().marketing_opt_in is False


@pytest.mark.parametrize(
    "raw",
    ["1795327200000", "1795327200", "2026-11-22T06:00:00+00:00", 1795327200000],
)
def test_render_timestamp_accepts_ms_seconds_and_iso(raw: object) -> None:
    assert submission(rendered_at=raw).rendered_at == datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def test_a_junk_render_timestamp_is_ignored_not_rejected() -> None:
    assert submission(rendered_at="yesterday").rendered_at is None


def test_country_codes_are_upper_cased_and_names_kept() -> None:
    assert submission(country="es").country == "ES"
    assert submission(country="España").country == "España"


def test_utm_parameters_are_grouped() -> None:
    assert submission(utm_source="google", utm_campaign="led").utm() == {
        "source": "google",
        "campaign": "led",
    }


def test_uploaded_files_and_nested_objects_are_not_kept_as_extra_fields() -> None:
    extra, truncated = submission(drawing={"name": "a.dwg"}, incoterm="FOB").extra_fields()
    assert extra == {"incoterm": "FOB"}
    assert truncated


def test_an_unnamed_field_is_not_kept_as_an_empty_attribute_name() -> None:
    # DynamoDB (and moto's reading of the item) cannot take an empty map key
    extra, truncated = submission(**{"": "stray", "incoterm": "FOB"}).extra_fields()
    assert extra == {"incoterm": "FOB"}
    assert truncated


def test_the_special_use_domains_in_the_schema_are_the_ones_email_validator_refuses() -> None:
    import email_validator

    from inquiry_router.models.submission import SPECIAL_USE_DOMAINS

    assert set(SPECIAL_USE_DOMAINS) == set(email_validator.SPECIAL_USE_DOMAIN_NAMES)


@pytest.mark.parametrize(
    "raw", ["2026-11-22T06:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
)
def test_a_render_time_without_offset_or_out_of_range_is_ignored(raw: str) -> None:
    assert submission(rendered_at=raw).rendered_at is None


def test_lengths_count_what_was_sent_before_spaces_are_trimmed() -> None:
    assert "name" in errors_of({"email": "ana@example.com", "message": "hi", "name": " " * 201})
    assert submission(name="  Ana  ").name == "Ana"


@pytest.mark.parametrize("value", [1, 0, None, ["on"], {}])
def test_a_checkbox_sent_as_neither_true_false_nor_text_is_refused(value: object) -> None:
    assert "consent" in errors_of({"email": "ana@example.com", "message": "hi", "consent": value})


def test_the_documented_not_only_spaces_pattern_is_what_strip_removes() -> None:
    import re
    import sys

    from inquiry_router.models.submission import NOT_ONLY_SPACES

    pattern = re.compile(NOT_ONLY_SPACES)
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert not [s for s in spaces if pattern.search(s)]
    assert pattern.search("\ufeff")  # not a space to Python: a message of it is kept
    assert "message" in errors_of({"email": "ana@example.com", "message": "\x85\u3000"})
