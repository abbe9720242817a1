"""Mail: rendering (MJML, localised), composing MIME messages, and sending jobs through SES v2."""
