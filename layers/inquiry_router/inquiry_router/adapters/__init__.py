"""Adapters: the only code that talks to AWS (boto3/botocore).

The table (typed reads and writes), raw mail on S3, SES, the queues; clients come from `clients`."""
