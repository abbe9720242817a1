"""`inquiry-router doctor`: the sending and receiving setup checked against DNS and AWS.

The checks are pure functions (dns_checks.py, ses_checks.py) of a small DNS lookup port and of
the answers AWS gave; dns_lookup.py (dnspython) and aws_answers.py (boto3) are the thin glue.
"""
