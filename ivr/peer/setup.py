"""The env block: what Asterisk tells an AGI program about the call before anything else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setup:
    """How the call reached the AGI, as Asterisk 22 would describe it."""

    script: str
    """FastAGI: the URL's path and query ("intake?line=128"); plain AGI: the program run."""
    uniqueid: str = "1795438194.5"
    caller_id: str | None = None
    """The number as the trunk sent it; None is "unknown"."""
    caller_name: str | None = None
    dnid: str | None = None
    language: str = "fa"
    channel: str = "PJSIP/trunk-00000001"
    context: str = "foad-128"
    extension: str = "s"
    priority: int = 5
    host: str = "127.0.0.1"
    port: int = 4573
    network: bool = True
    """True for FastAGI (agi://…), False for a program on stdin/stdout."""
    args: tuple[str, ...] = ()
    threadid: int = 139722600490688

    def env_block(self) -> bytes:
        """The lines Asterisk sends first, ending with the blank line, values raw (CR/LF too)."""
        return "".join(f"{k}: {v}\n" for k, v in self.env()).encode() + b"\n"

    def env(self) -> list[tuple[str, str]]:
        """The env as (key, value) pairs in Asterisk's order."""
        pairs = self._network() + [
            ("agi_channel", self.channel), ("agi_language", self.language),
            ("agi_type", self.channel.partition("/")[0]), ("agi_uniqueid", self.uniqueid),
            ("agi_version", "22.10.1"), ("agi_callerid", self.caller_id or "unknown"),
            ("agi_calleridname", self.caller_name or "unknown"),
            # Asterisk says 67 ("number not available") only when it has neither.
            ("agi_callingpres", "67" if not (self.caller_id or self.caller_name) else "0"),
            ("agi_callingani2", "0"), ("agi_callington", "0"), ("agi_callingtns", "0"),
            ("agi_dnid", self.dnid or "unknown"), ("agi_rdnis", "unknown"),
            ("agi_context", self.context), ("agi_extension", self.extension),
            ("agi_priority", str(self.priority)), ("agi_enhanced", "0.0"),
            ("agi_accountcode", ""), ("agi_threadid", str(self.threadid)),
        ]
        return pairs + [(f"agi_arg_{n}", arg) for n, arg in enumerate(self.args, start=1)]

    def _network(self) -> list[tuple[str, str]]:
        if not self.network:
            return [("agi_request", self.script)]
        url = f"agi://{self.host}:{self.port}"
        if not self.script:  # no path in the URL: no agi_network_script line at all
            return [("agi_network", "yes"), ("agi_request", url)]
        return [("agi_network", "yes"), ("agi_network_script", self.script),
                ("agi_request", f"{url}/{self.script}")]
