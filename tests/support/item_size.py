"""DynamoDB's 400 KB item limit on moto, computed as DynamoDB computes it.

While installed, every DynamoDB client made from boto3's default session (the test's own) or from
the limit's `session` (build the functions with it) checks, before the request is sent, the size
of each item it would write: PutItem's item, UpdateItem's resulting item (the stored item with the
update expression applied), and each Put and Update of TransactWriteItems. Size is DynamoDB's:
UTF-8 bytes of every attribute name plus its value (numbers about a byte per two digits, 3 bytes
of overhead per list or map and 1 per element).

An oversized PutItem or UpdateItem fails with `ValidationException: Item size has exceeded the
maximum allowed size`; an oversized transaction is cancelled with that reason on the item, as
DynamoDB does. The limit is counted independently of the package's own estimate
(adapters/item_size.py), so the two check each other.
"""

from __future__ import annotations

import base64
import json
import re
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.dynamodb.models.dynamo_type import LimitedSizeDict

MAX_ITEM_BYTES = 400 * 1024
MESSAGE = "Item size has exceeded the maximum allowed size"
UPDATE_MESSAGE = "Item size to update has exceeded the maximum allowed size"


def attribute_size(value: dict[str, Any]) -> int:
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        digits = data.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(data if isinstance(data, bytes) else base64.b64decode(data))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8")) for v in data)
    if kind == "NS":
        return sum(attribute_size({"N": v}) for v in data)
    if kind == "BS":
        return sum(len(v) for v in data)
    if kind == "L":
        return 3 + sum(attribute_size(v) + 1 for v in data)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + attribute_size(v) + 1 for k, v in data.items())
    raise AssertionError(f"unknown attribute type {kind}")


def item_size(item: dict[str, dict[str, Any]]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_size(value) for name, value in item.items())


# -- UpdateItem's resulting item -------------------------------------------------------------------

_CLAUSE = re.compile(r"\b(SET|ADD|REMOVE|DELETE)\b")


def updated_item(current: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The item `request` (an UpdateItem or a transaction's Update) leaves, applied to `current`."""
    names = request.get("ExpressionAttributeNames") or {}
    values = request.get("ExpressionAttributeValues") or {}
    item = {**current, **request["Key"]}
    expression = request["UpdateExpression"]
    parts = _CLAUSE.split(expression)
    for keyword, body in zip(parts[1::2], parts[2::2], strict=True):
        for action in _split_top_level(body):
            _apply(item, keyword, action.strip(), names, values)
    return item


def _split_top_level(body: str) -> list[str]:
    actions, depth, start = [], 0, 0
    for index, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            actions.append(body[start:index])
            start = index + 1
    actions.append(body[start:])
    return [a for a in actions if a.strip()]


def _apply(
    item: dict[str, Any], keyword: str, action: str, names: dict[str, str], values: dict[str, Any]
) -> None:
    def name(token: str) -> str:
        token = token.strip()
        if "." in token or "[" in token:
            raise AssertionError(f"nested paths are not modelled: {token}")
        return names.get(token, token)

    if keyword == "REMOVE":
        item.pop(name(action), None)
    elif keyword == "SET":
        target, expression = action.split("=", 1)
        item[name(target)] = _evaluate(expression.strip(), item, names, values)
    elif keyword in ("ADD", "DELETE"):
        target, operand = action.split(None, 1)
        attribute, value = name(target), values[operand.strip()]
        existing = item.get(attribute)
        if "N" in value:
            before = Decimal(existing["N"]) if existing else Decimal(0)
            item[attribute] = {"N": str(before + Decimal(value["N"]))}
        else:
            (kind, members), *_ = value.items()
            old = set(existing[kind]) if existing else set()
            new = old | set(members) if keyword == "ADD" else old - set(members)
            item[attribute] = {kind: sorted(new)}
            if not new:
                item.pop(attribute)


def _evaluate(expression: str, item: dict[str, Any], names: dict[str, str], values: dict[str, Any]) -> Any:
    for operator in ("+", "-"):
        left, found, right = expression.partition(f" {operator} ")
        if found:
            a, b = _evaluate(left, item, names, values), _evaluate(right, item, names, values)
            total = Decimal(a["N"]) + (Decimal(b["N"]) if operator == "+" else -Decimal(b["N"]))
            return {"N": str(total)}
    if expression.startswith(":"):
        return values[expression]
    call = re.fullmatch(r"if_not_exists\(\s*([^,]+),\s*(:\w+)\s*\)", expression)
    if call:
        attribute = names.get(call.group(1).strip(), call.group(1).strip())
        return item.get(attribute, values[call.group(2)])
    attribute = names.get(expression, expression)
    if attribute in item:
        return item[attribute]
    raise AssertionError(f"update expression not modelled: {expression}")


# -- the hook ------------------------------------------------------------------------------------


class DynamoDbItemLimit:
    """Install with `with DynamoDbItemLimit() as limit:` around what should meet the limit; clients
    made before are not affected, so build the functions inside the block with `limit.session`."""

    EVENTS = ("PutItem", "UpdateItem", "TransactWriteItems")

    def __init__(self) -> None:
        self.refused: list[tuple[str, int]] = []  # (operation, size)
        self.largest = 0
        self._reader: Any = None
        self.session: Any = None

    def __enter__(self) -> DynamoDbItemLimit:
        # moto's own check guesses (405,000 bytes, counted while an update is half applied): this
        # stub is the one limit while installed.
        self._moto_check = LimitedSizeDict.__setitem__
        LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[assignment,method-assign]
        from tests.conftest import new_session

        self.session = new_session()
        for events in (boto3._get_default_session().events, self.session):
            for operation in self.EVENTS:
                events.register(f"before-call.dynamodb.{operation}", self._check)
        return self

    def __exit__(self, *_: object) -> None:
        LimitedSizeDict.__setitem__ = self._moto_check  # type: ignore[method-assign]
        for events in (boto3._get_default_session().events, self.session):
            for operation in self.EVENTS:
                events.unregister(f"before-call.dynamodb.{operation}", self._check)

    def _check(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        operation = model.name
        params = json.loads(params["body"])  # the request as DynamoDB receives it
        if operation == "PutItem":
            self._limit(operation, params["Item"], MESSAGE)
        elif operation == "UpdateItem":
            self._limit(operation, self._after_update(params), UPDATE_MESSAGE)
        else:
            reasons, over = [], False
            for entry in params["TransactItems"]:
                size = 0
                if "Put" in entry:
                    size = item_size(entry["Put"]["Item"])
                elif "Update" in entry:
                    size = item_size(self._after_update(entry["Update"]))
                self.largest = max(self.largest, size)
                if size > MAX_ITEM_BYTES:
                    over = True
                    self.refused.append((operation, size))
                    reasons.append({"Code": "ValidationError", "Message": MESSAGE})
                else:
                    reasons.append({"Code": "None"})
            if over:
                error = {
                    "Error": {
                        "Code": "TransactionCanceledException",
                        "Message": "Transaction cancelled, please refer cancellation reasons for specific "
                        f"reasons [{', '.join(r['Code'] for r in reasons)}]",
                    },
                    "CancellationReasons": reasons,
                }
                raise ClientError(error, operation)  # type: ignore[arg-type]

    def _limit(self, operation: str, item: dict[str, Any], message: str) -> None:
        size = item_size(item)
        self.largest = max(self.largest, size)
        if size > MAX_ITEM_BYTES:
            self.refused.append((operation, size))
            raise ClientError({"Error": {"Code": "ValidationException", "Message": message}}, operation)  # type: ignore[arg-type]

    def _after_update(self, request: dict[str, Any]) -> dict[str, Any]:
        if self._reader is None:
            self._reader = boto3.client("dynamodb")
        stored = self._reader.get_item(
            TableName=request["TableName"], Key=request["Key"], ConsistentRead=True
        )
        return updated_item(stored.get("Item", {}), request)
