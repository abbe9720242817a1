"""The admin CLI (`inquiry-router`) and the embedded local stack.

They run on the admin's machine and in tests, never in Lambda: nothing under layers/ imports them."""
