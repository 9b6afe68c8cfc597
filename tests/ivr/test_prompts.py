"""The prompt catalog: every prompt a call plays exists in Persian and English, and renders."""

from __future__ import annotations

import ast
import shutil
import wave
from pathlib import Path

import pytest
from sqlalchemy import select

from ivr import prompts
from ivr.peer.sounds import Sounds
from ivr.render import build
from models.agencies import Agency
from models.tickets import Ticket, TicketStatus
from tests.ivr.test_commands import invoke
from tests.ivr.test_followup_calls import swap_two_digits
from tests.builders import make_ticket

FLOWS = Path(prompts.__file__).parent / "flows"


def named_in_flows() -> set[str]:
    """Prompt ids written as literals in the flows: sound("x"), choose(call, "x", …), say_goodbye(call, "x")."""
    found = set()
    for path in FLOWS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = {"sound": 0, "choose": 1, "say_goodbye": 1}.get(node.func.id)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant):
                    found.add(argument.value)
    return found


def complete(catalog: dict[str, prompts.Prompt], prompt_id: str) -> bool:
    """True if the catalog has the prompt with words in both languages."""
    prompt = catalog.get(prompt_id)
    return prompt is not None and all(prompt.text(lang).strip() for lang in prompts.LANGUAGES)


def test_every_prompt_named_in_the_flows_is_in_the_catalog(session):
    catalog = prompts.catalog(session)
    named = named_in_flows()

    assert len(named) > 20
    assert sorted(p for p in named if not complete(catalog, p)) == []


def test_the_generated_prompts_cover_every_case_the_flows_can_ask_for(session):
    catalog = prompts.catalog(session)
    wanted = [f"status_{s.value}" for s in TicketStatus]
    wanted += [f"number_{n}" for n in range(1, prompts.BIGGEST_NUMBER + 1)]
    wanted += [f"{unit}_{kind}{one}" for unit in ("minutes", "hours", "days") for kind in ("ago", "left")
               for one in ("", "_1")]
    wanted += [prompts.agency_prompt_id(code) for code in session.scalars(select(Agency.code))]
    wanted += [f"digits/{d}" for d in range(10)]

    assert [p for p in wanted if not complete(catalog, p)] == []


def test_the_menus_offer_exactly_the_keys_the_directory_has(session):
    catalog = prompts.catalog(session)

    for key in prompts.sector_keys(session):
        assert f"press {key}." in catalog["sector_menu"].en
    assert "Banks, press 2." in catalog["sector_menu"].en and "any other service, press 9." in catalog["sector_menu"].en
    assert "برای شهرداری، ۱." in catalog["sector_menu"].fa
    assert "Staff misconduct, press 1." in catalog["category_menu"].en


def test_every_prompt_played_on_calls_is_in_the_catalog(dial, session):
    ticket = make_ticket(session)
    scripts = [
        ("09121234567", "* 7 1 3 2 - 99 21 - #@5 2 3 # 1", "128"),
        ("09121234567", f"2 {swap_two_digits(ticket.code)}# {ticket.code}#", "128"),
        ("09121234568", "2 - 1", "128"),
        ("+447700900123", "2 1 9 9 # 1", "+989372840000"),
        ("+447700900124", f"2 2 {ticket.code}#", "+989372840000"),
        ("+447700900125", "- - -", "+989372840000"),
    ]
    heard = set()
    for caller, keys, to in scripts:
        heard |= {n.removeprefix("foad/") for n in dial(caller, keys, to=to).intake.heard if n.startswith("foad/")}

    catalog = prompts.catalog(session)
    assert {"language_menu", "province_invalid", "nothing_heard", "review_menu", "code_invalid",
            "status_registered", "no_choice", "invalid_choice", "goodbye_no_choice"} <= heard
    assert sorted(p for p in heard if not complete(catalog, p)) == []


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, database_url):
    """The whole catalog rendered once with the real espeak-ng and sox."""
    from sqlalchemy.orm import Session

    from models.db import make_engine

    engine = make_engine(database_url)
    with Session(engine) as session:
        catalog = prompts.catalog(session)
    engine.dispose()
    folder = tmp_path_factory.mktemp("sounds")
    return catalog, folder, build(catalog, folder)


def test_prompts_render_to_telephone_wav_where_asterisk_looks(rendered):
    catalog, folder, report = rendered

    assert report.rendered == 2 * len(catalog) and report.unchanged == 0
    for name in ("fa/foad/main_menu.wav", "en/foad/main_menu.wav", "fa/digits/7.wav", "en/digits/0.wav"):
        with wave.open(str(folder / name)) as sound:
            assert (sound.getframerate(), sound.getnchannels(), sound.getsampwidth()) == (8000, 1, 2)
            assert sound.getnframes() > 2000


def test_foad_prompts_build_renders_into_the_data_directory(settings, rendered):
    catalog, folder, _ = rendered
    shutil.copytree(folder, settings.sounds_dir)  # rendered before, but for one prompt
    (settings.sounds_dir / "en" / "foad" / "welcome.wav").unlink()

    result = invoke(settings, "prompts", "build")

    assert result.exit_code == 0, result.output
    assert (settings.sounds_dir / "fa" / "digits" / "9.wav").is_file()
    assert (settings.sounds_dir / "en" / "foad" / "welcome.wav").is_file()
    assert f"prompts: 1 rendered, {2 * len(catalog) - 1} unchanged" in result.output
    assert "/var/lib/asterisk/sounds" in result.output


def test_a_rebuild_renders_only_what_changed(rendered):
    catalog, folder, _ = rendered
    changed = dict(catalog, goodbye=prompts.Prompt("goodbye", "بدرود.", "Goodbye."))

    report = build(changed, folder)
    assert (report.rendered, report.unchanged) == (2, 2 * len(catalog) - 2)
    build(catalog, folder)


def test_a_call_finds_every_sound_it_plays_in_the_built_folder(rendered, dial, session):
    _, folder, _ = rendered
    placed = dial("09121234567", "1 3 2 21 # 1", sounds=Sounds(folder))

    assert all(not command.startswith("CHANNEL STATUS") for command, _ in placed.intake.exchanges)
    code = session.scalars(select(Ticket.code)).one()
    assert placed.digits_said == [code, code]
    # SAY DIGITS found the Persian digits, not Asterisk's fallback to en/digits.
    digits = [f for f in placed.intake.files if f.parent.name == "digits"]
    assert digits == [folder / "fa" / "digits" / f"{d}.wav" for d in code + code]
    assert folder / "fa" / "foad" / "main_menu.wav" in placed.intake.files
