"""The single DynamoDB table: keys, item shapes, the intake transaction and the read queries."""
