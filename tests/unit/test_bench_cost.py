"""The cost model and the feedback benchmark still run and still count what they claim, so their
figures in bench/RESULTS.md cannot rot unseen (one inquiry each; INIT is measured by cost.py in
fresh interpreters, stubbed here for speed)."""

from __future__ import annotations

import pytest

from bench import cost, feedback_throughput


def test_the_cost_model_counts_every_function_of_an_inquiry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cost, "_init_seconds", lambda name: 0.5)

    result = cost.report(cost.measure(1))

    form = result["measured"]["form"]
    assert set(form["invocations_per_inquiry"]) == {"intake", "router", "mailer", "feedback"}
    assert form["requests_per_inquiry"]["sesv2.SendEmail"] == 2  # acknowledgement and notification
    assert "inbound" in result["measured"]["mail"]["invocations_per_inquiry"]
    # SES's two mails are $0.20 of every 1,000; the rest cannot be nothing
    assert result["variable_per_1000_usd"] > 0.2
    assert result["variable_per_1000_mail_usd"] > result["variable_per_1000_usd"]
    assert result["fixed_items_usd"]["alarms"] > 0
    assert result["fixed_per_month_usd"] == pytest.approx(sum(result["fixed_items_usd"].values()))


def test_the_feedback_benchmark_counts_its_requests() -> None:
    figures = feedback_throughput.measure(3)

    assert figures["delivery"]["requests_per_event"] == 2
    assert figures["bounce"]["requests_per_event"] == 3
