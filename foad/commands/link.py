"""`foad smpp`: the long-lived link to the mobile operator's SMSC."""

from __future__ import annotations

import click

from foad.runtime import running
from models.settings import Settings


@click.command()
@click.pass_obj
def smpp(settings: Settings) -> None:
    """Keep the SMPP link to the operator's SMSC (FOAD_SMPP_*): send, receive, receipts."""
    from sms.smpp.service import serve as serve_smpp

    if not settings.smpp.configured:
        raise click.ClickException("set FOAD_SMPP_HOST and FOAD_SMPP_SYSTEM_ID first (see docs/smpp.md)")
    with running(settings) as rt:
        serve_smpp(settings.smpp, rt.session, rt.redis)
