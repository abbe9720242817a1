"""Header names our own mail carries, known to the side that sends and the side that receives."""

# On every mail we send: were one to come back in through inbound mail (a forwarding rule that
# points a rep's mailbox at sales@), it is recognised as our own and never answered again.
LOOP_HEADER = "X-Inquiry-Router-Loop"
