"""Inbound mail: parsing a raw message from SES and deciding what it is (inquiry, reply, log, robot)."""
