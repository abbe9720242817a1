"""Lambda event filtering as the local stack applies it to stream records and SQS messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inquiry_router_admin.local.filters import EventFilter, FilterError, pattern_matches
from inquiry_router_admin.local.queue_poller import filter_document

STREAM_RECORD = {
    "eventName": "INSERT",
    "dynamodb": {
        "Keys": {"PK": {"S": "INQUIRY#42"}, "SK": {"S": "INQUIRY"}},
        "NewImage": {"status": {"S": "new"}, "score": {"N": "7"}, "tags": {"SS": ["b2b", "eu"]}},
    },
}


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ({"eventName": ["INSERT"]}, True),
        ({"eventName": ["MODIFY", "REMOVE"]}, False),
        ({"dynamodb": {"Keys": {"PK": {"S": [{"prefix": "INQUIRY#"}]}}}}, True),
        ({"dynamodb": {"Keys": {"PK": {"S": [{"prefix": "CONTACT#"}]}}}}, False),
        ({"dynamodb": {"Keys": {"SK": {"S": [{"suffix": "QUIRY"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "NEW"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["spam", "closed"]}]}}}}, True),
        ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": "new"}]}}}}, False),
        ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": {"prefix": "ne"}}]}}}}, False),
        ({"dynamodb": {"NewImage": {"owner": [{"exists": False}]}}}, True),
        ({"dynamodb": {"NewImage": {"owner": [{"exists": True}]}}}, False),
        ({"dynamodb": {"NewImage": {"status": [{"exists": True}]}}}, True),
        ({"dynamodb": {"OldImage": {"status": [{"exists": False}]}}}, True),  # no parent at all
        ({"dynamodb": {"NewImage": {"tags": {"SS": ["eu"]}}}}, True),  # any element of an array
        ({"dynamodb": {"NewImage": {"score": {"N": ["7"]}}}}, True),  # DynamoDB numbers are strings
        ({"eventName": ["INSERT"], "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "X"}]}}}}, False),  # AND
    ],
)
def test_patterns_match_stream_records(pattern: dict[str, Any], matches: bool) -> None:
    assert pattern_matches(pattern, STREAM_RECORD) is matches


@pytest.mark.parametrize(
    ("pattern", "event", "matches"),
    [
        ({"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": 5}, True),
        ({"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": 6}, False),
        ({"n": [{"numeric": ["=", 3]}]}, {"n": 3.0}, True),
        ({"n": [{"numeric": [">", 0]}]}, {"n": "1"}, False),  # a string is not a number
        ({"n": [1]}, {"n": True}, False),  # nor is a boolean
        ({"flag": [True]}, {"flag": True}, True),
        ({"value": [None]}, {"value": None}, True),
        ({"value": [None]}, {}, False),
        ({"value": [""]}, {"value": ""}, True),
        ({"value": [{"prefix": {"equals-ignore-case": "AB"}}]}, {"value": "abc"}, True),
    ],
)
def test_values_compare_like_eventbridge(
    pattern: dict[str, Any], event: dict[str, Any], matches: bool
) -> None:
    assert pattern_matches(pattern, event) is matches


def test_filters_are_alternatives_and_no_filters_match_everything() -> None:
    either = EventFilter.from_criteria(
        {"Filters": [{"Pattern": '{"eventName": ["REMOVE"]}'}, {"Pattern": '{"eventName": ["INSERT"]}'}]}
    )

    assert either.matches(STREAM_RECORD)
    assert EventFilter.from_criteria(None).matches(STREAM_RECORD)
    assert not EventFilter.from_criteria({"Filters": [{"Pattern": {"eventName": ["MODIFY"]}}]}).matches(
        STREAM_RECORD
    )


def test_sqs_bodies_are_matched_as_json_when_they_are_json() -> None:
    only_jobs = EventFilter.from_criteria({"Filters": [{"Pattern": json.dumps({"body": {"kind": ["job"]}})}]})
    plain_text = EventFilter.from_criteria({"Filters": [{"Pattern": json.dumps({"body": ["hello"]})}]})

    assert only_jobs.matches(filter_document({"body": '{"kind": "job"}'}))
    assert not only_jobs.matches(filter_document({"body": '{"kind": "other"}'}))
    assert not only_jobs.matches(filter_document({"body": "kind=job"}))
    assert plain_text.matches(filter_document({"body": "hello"}))


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"Filters": [{"Pattern": "{not json"}]}, "not valid JSON"),
        ({"Filters": [{"Pattern": "[1]"}]}, "must be a JSON object"),
        ({"Filters": "x"}, "needs a list of Filters"),
        ({"Filters": [{"Pattern": '{"a": "x"}'}]}, r"Pattern\.a must be a non-empty list"),
        ({"Filters": [{"Pattern": '{"a": []}'}]}, r"Pattern\.a must be a non-empty list"),
        ({"Filters": [{"Pattern": '{"a": [{"wildcard": "x*"}]}'}]}, "no operator 'wildcard'"),
        ({"Filters": [{"Pattern": '{"a": [{"prefix": 1}]}'}]}, "prefix takes a string"),
        ({"Filters": [{"Pattern": '{"a": [{"exists": "yes"}]}'}]}, "exists takes true or false"),
        ({"Filters": [{"Pattern": '{"a": [{"numeric": [">>", 1]}]}'}]}, "numeric takes"),
        ({"Filters": [{"Pattern": '{"a": [{"anything-but": {"wildcard": "x"}}]}'}]}, "anything-but takes"),
        ({"Filters": [{"Pattern": "{}"}]}, "Pattern is empty"),
    ],
)
def test_patterns_lambda_would_reject_fail_at_start(criteria: dict[str, Any], message: str) -> None:
    with pytest.raises(FilterError, match=message):
        EventFilter.from_criteria(criteria)
