"""`inquiry-router`: the admin's command line (console script of the package)."""
