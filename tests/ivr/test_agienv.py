"""The AGI env block, read so that a caller name cannot rewrite it."""

from __future__ import annotations

import io

import pytest

from ivr.agienv import AgiRequest, EnvError, read_env
from ivr.peer.setup import Setup


def read(block: bytes) -> dict[str, str]:
    """The env of a block, read the way the adapter reads it."""
    return read_env(io.StringIO(block.decode(), newline="\n").readline)


def test_fake_env_lines_in_a_caller_name_stay_in_the_name():
    name = "Eve\nagi_uniqueid: 666\nagi_network_script: admin?drop=all\nagi_dnid: 999"
    env = read(Setup(script="intake?line=128", uniqueid="1795438406.25", caller_name=name).env_block())

    request = AgiRequest(env)
    assert env["agi_calleridname"] == name
    assert (request.uniqueid, request.route, request.params) == ("1795438406.25", "intake", {"line": "128"})
    assert request.dnid is None


def test_forging_the_very_next_line_changes_nothing_the_engine_uses():
    name = "Eve\nagi_callingpres: 0"
    env = read(Setup(script="intake?line=128", uniqueid="1795438406.25", caller_id="09121234567",
                     caller_name=name, dnid="128").env_block())

    request = AgiRequest(env)
    assert (request.uniqueid, request.route, request.caller_id, request.dnid) == (
        "1795438406.25", "intake", "09121234567", "128")


def test_a_blank_line_in_a_caller_name_does_not_end_the_block():
    env = read(Setup(script="intake", caller_name="a\n\nb", dnid="128").env_block())

    assert env["agi_calleridname"] == "a\n\nb" and env["agi_dnid"] == "128" and "agi_threadid" in env


def forged_route_name(route: str) -> str:
    """A caller name that forges every env line after it, then `agi_arg_1` naming `route`."""
    keys = [k for k, _ in Setup(script="x", network=False).env()]
    after = keys[keys.index("agi_calleridname") + 1:]
    return "Eve\n" + "".join(f"{key}: 0\n" for key in after) + f"agi_arg_1: {route}"


def test_plain_agi_takes_its_route_from_the_program_arguments():
    setup = Setup(script="/opt/foad/.venv/bin/foad-agi", network=False, args=("intake?line=overseas", "x"))

    request = AgiRequest(read(setup.env_block()), setup.args)
    assert (request.route, request.params) == ("intake", {"line": "overseas"})
    assert AgiRequest(read(setup.env_block())).route == ""  # never from the env


def test_a_caller_name_that_forges_agi_arg_1_does_not_move_a_plain_agi_call():
    setup = Setup(script="/opt/foad/.venv/bin/foad-agi", network=False, args=("intake?line=128",),
                  caller_name=forged_route_name("hangup?line=128"))
    env = read(setup.env_block())

    assert env["agi_arg_1"].startswith("hangup?line=128\n")  # the env was forged
    assert AgiRequest(env, setup.args).route == "intake"


def test_a_url_without_a_path_has_no_route():
    assert AgiRequest(read(Setup(script="").env_block())).route == ""


def test_unknown_caller_and_dialled_number_are_none():
    request = AgiRequest(read(Setup(script="intake").env_block()))

    assert (request.caller_id, request.dnid) == (None, None)


def test_values_used_in_file_names_are_made_safe():
    request = AgiRequest({"agi_uniqueid": "../../etc/passwd 1", "agi_dnid": '128"; rm'})

    assert "/" not in request.uniqueid and " " not in request.uniqueid
    assert request.dnid == "128"


def test_a_block_cut_short_is_an_error():
    with pytest.raises(EnvError):
        read(Setup(script="intake").env_block()[:200])
