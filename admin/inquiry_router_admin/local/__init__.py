"""The local stack behind `make local`: template.yaml run on this machine, with no AWS account.

An embedded moto server plays AWS; the template's tables, queues and buckets are created in it;
the functions run in this process and receive the same events Lambda would send them: HTTP API
requests from a small gateway, DynamoDB stream records and SQS messages from background pollers.
Start it with `inquiry-router local up`, or from Python (tests) with `LocalStack`.
"""

from inquiry_router_admin.local.stack import LocalStack, LocalStackError

__all__ = ["LocalStack", "LocalStackError"]
