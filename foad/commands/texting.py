"""`foad sms`: text the line as a citizen would, and read what the engine texts back."""

from __future__ import annotations

import click

from models.settings import Settings


@click.command("sms")
@click.option("--from", "sender", required=True, help="The citizen's number: 09121234567, +447700900123.")
@click.option("--to", "to", help="The number texted (default: the service number, 128).")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True,
              help="The web app (`foad serve`, `foad web`) whose webhook takes the text.")
@click.option("--wait", default=30.0, show_default=True, help="Seconds to wait for a reply.")
@click.argument("text")
@click.pass_obj
def sms(settings: Settings, sender: str, to: str | None, url: str, wait: float, text: str) -> None:
    """Text the line as a citizen: TEXT goes through the web app's Twilio webhook, signed as
    Twilio signs it; prints the replies the engine sends back (from Twilio's Messages list,
    or the local server's that `foad serve --local-twilio` runs)."""
    from foad.devtools.inbound import TextError, converse

    try:
        for line_out in converse(settings, sender=sender, to=to, body=text, url=url, wait=wait):
            click.echo(line_out)
    except TextError as exc:
        raise click.ClickException(str(exc)) from None
