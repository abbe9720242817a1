"""Intake: turn a submission into one durable write (inquiry + contact + timeline + guards)."""
