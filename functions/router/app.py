"""Router function: table stream records in (new inquiries, changes of owner), partial failures out.

Its composition root, entry/router_function.py, is built once here, at init: the settings are
validated (a missing variable fails the start, naming itself) and the clients are made.
"""

import os

from inquiry_router.entry.router_function import build_router

function = build_router(os.environ)
handler = function.handler
