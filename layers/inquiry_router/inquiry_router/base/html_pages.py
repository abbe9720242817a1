"""Small HTML pages for form posts from sites that have no thank-you or error page of their own.

Everything shown that came from a request is escaped.
"""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>
body{{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1f2933;
background:#f5f7fa;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}}
main{{background:#fff;max-width:32rem;margin:1rem;padding:2rem 2.25rem;border-radius:12px;
box-shadow:0 4px 24px rgba(15,23,42,.08)}}
h1{{font-size:1.4rem;margin:0 0 .75rem}} ul{{padding-left:1.2rem}} li{{margin:.25rem 0}}
.ref{{font-family:ui-monospace,monospace;background:#eef2f7;padding:.1rem .4rem;border-radius:4px}}
a{{color:#1d4ed8}}
</style></head>
<body><main>{body}</main></body></html>
"""

FIELD_LABELS = {
    "email": "Email",
    "message": "Message",
    "name": "Name",
    "company": "Company",
    "country": "Country",
    "phone": "Phone",
    "website": "Website",
    "subject": "Subject",
    "product": "Product",
    "quantity": "Quantity",
    "captcha": "CAPTCHA",
}


def thank_you_page(company_name: str, reference: str) -> str:
    body = (
        f"<h1>Thank you — we have your inquiry.</h1>"
        f"<p>Your reference is <span class=ref>{escape(reference)}</span>. "
        f"{escape(company_name)} will answer you by email soon.</p>"
    )
    return _PAGE.format(title="Thank you", body=body)


def errors_page(errors: dict[str, str], back_url: str | None) -> str:
    items = "".join(
        f"<li><strong>{escape(FIELD_LABELS.get(field, field))}:</strong> {escape(message)}</li>"
        for field, message in errors.items()
    )
    back = f'<p><a href="{escape(back_url)}">Back to the form</a></p>' if back_url else ""
    body = (
        "<h1>Please check the form</h1>"
        "<p>Your inquiry was <strong>not sent yet</strong>. Please go back, correct these fields "
        "and send it again:</p>"
        f"<ul>{items}</ul>{back}"
    )
    return _PAGE.format(title="Please check the form", body=body)


def message_page(title: str, message: str, back_url: str | None = None) -> str:
    back = f'<p><a href="{escape(back_url)}">Back to the form</a></p>' if back_url else ""
    return _PAGE.format(title=escape(title), body=f"<h1>{escape(title)}</h1><p>{escape(message)}</p>{back}")
