"""The actions function's composition root: `GET|POST /actions/{token}`, a one-click action from a
rep's notification (entry/actions_api.py).

functions/actions/app.py calls `build_actions(os.environ)` once, at init (see
entry/intake_function.py for what a composition root does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from inquiry_router.actions.service import HandOverRefused, RepActions
from inquiry_router.adapters.clients import aws_session, dynamodb_client
from inquiry_router.adapters.status_changes import StatusChanges
from inquiry_router.base.observability import Handler, instrument
from inquiry_router.entry.actions_api import actions_http_handler
from inquiry_router.models.inquiry import Inquiry
from inquiry_router.models.settings import PipelineSettings, Retention
from inquiry_router.routing.hand_over import reassign_inquiry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from inquiry_router.adapters.clients import AwsSession


@dataclass(frozen=True)
class ActionsFunction:
    settings: PipelineSettings
    dynamodb: DynamoDBClient
    actions: RepActions
    handler: Handler  # Lambda's `app.handler`


def rep_actions(dynamodb: DynamoDBClient, table: str, retention: Retention) -> RepActions:
    """The rep actions service on this table, with the routing's hand-over as *give to the team*
    (also what the inbound function's mail commands run on)."""

    def give_to_team(inquiry: Inquiry, now: datetime) -> str:
        result = reassign_inquiry(dynamodb, table, inquiry, None, now)
        if result.to_owner is None:
            raise HandOverRefused(result.error or "no rep of the team could take it")
        return result.to_owner

    return RepActions(StatusChanges(dynamodb, table, retention=retention), give_to_team)


def build_actions(environ: Mapping[str, str], session: AwsSession | None = None) -> ActionsFunction:
    settings = PipelineSettings.from_environment(environ)
    session = aws_session() if session is None else session
    dynamodb = dynamodb_client(session)
    actions = rep_actions(dynamodb, settings.table_name, settings.retention)
    handler = instrument(
        actions_http_handler(settings, dynamodb=dynamodb, actions=actions), settings.observability
    )
    return ActionsFunction(settings, dynamodb, actions, handler)
