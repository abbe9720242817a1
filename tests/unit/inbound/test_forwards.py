"""A rep's forward of a buyer's mail is filed under the buyer: the forwarded header block is read."""

from __future__ import annotations

import pytest

from inquiry_router.inbound.forwards import forwarded_sender

GMAIL = """FYI, from the fair.

---------- Forwarded message ---------
From: Ana García <Ana@Importadora-Sol.es>
Date: Mon, 3 Jun 2024 at 10:02
Subject: LED panels
To: Tom <tom@example.com>

Please quote 2,000 LED panels.
"""
OUTLOOK = """Please handle.

________________________________
From: Ahmed Karim [mailto:ahmed@gulf-electrics.ae]
Sent: Thursday, June 13, 2024 5:00 PM
To: Tom Rep
Subject: Street lights

Dear Tom, we need 300 street lights.
"""
APPLE = """Begin forwarded message:

From: René Dubois <rene.dubois@lumiere-pro.fr>
Subject: Catalogue
Date: 3 June 2024 at 09:12:44 CEST
To: tom@example.com

Bonjour, pouvez-vous m'envoyer le catalogue ?
"""
CHINESE = """转给销售部。

发件人: 王伟 <wang.wei@jinghua-trading.cn>
发送时间: 2024年6月3日 10:00
收件人: tom@example.com
主题: 询价

请报价 500 套路灯。
"""


@pytest.mark.parametrize(
    ("text", "name", "address", "words"),
    [
        (GMAIL, "Ana García", "ana@importadora-sol.es", "Please quote 2,000 LED panels."),
        (OUTLOOK, "Ahmed Karim", "ahmed@gulf-electrics.ae", "Dear Tom, we need 300 street lights."),
        (APPLE, "René Dubois", "rene.dubois@lumiere-pro.fr", "Bonjour, pouvez-vous m'envoyer le catalogue ?"),
        (CHINESE, "王伟", "wang.wei@jinghua-trading.cn", "请报价 500 套路灯。"),
    ],
)
def test_the_forwarded_header_block_names_the_buyer(text: str, name: str, address: str, words: str) -> None:
    found = forwarded_sender(text)
    assert found is not None
    assert (found.name, found.address, found.text) == (name, address, words)


def test_a_mail_that_only_mentions_from_is_not_a_forward() -> None:
    assert forwarded_sender("From: our side, all is ready.\nBest, Tom") is None
    assert forwarded_sender("Hello,\nwe need 300 lights.\n") is None
