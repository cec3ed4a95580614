"""The command line speaks Bahasa Indonesia unless told otherwise: by the global `--lang en`, or
by the DEFAULT_LOCALE setting the web app and the notices read too; so do its help pages. English
is the msgids themselves; the catalog's completeness is checked with the others'
(tests/test_catalogs.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest
import typer
from typer import rich_utils
from typer.testing import CliRunner

from appraisal_engine.appraisal.cli import app
from appraisal_engine.appraisal.cli_errors import _said_usage, describe
from appraisal_engine.appraisal.cli_help import FRAME, HELP_OPTION, flowed, own
from appraisal_engine.appraisal.cli_simulate import render
from appraisal_engine.appraisal.i18n import LOCALE_DIR, Locale, asked, choose, chosen
from appraisal_engine.appraisal.settings import get_settings
from appraisal_engine.domain.catalogs import catalog
from appraisal_engine.simulator.report import SimulationReport
from appraisal_engine.simulator.roster import generate_roster, roster_csv

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


@pytest.fixture(autouse=True)
def default_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No DEFAULT_LOCALE in the environment, no language chosen: the defaults."""
    monkeypatch.delenv("DEFAULT_LOCALE", raising=False)
    get_settings.cache_clear()
    choose(None)
    yield
    choose(None)
    get_settings.cache_clear()


def bad_roster(tmp_path: Path) -> Path:
    """A roster with a NIP of five digits on row 4."""
    lines = roster_csv(generate_roster(6, units=1, seed=1)).decode().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[0], "12345", 1)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_by_default_the_command_line_speaks_bahasa_indonesia() -> None:
    checked = runner.invoke(app, ["policy-check", str(EXAMPLES / "policy.toml")])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("sah: kota-contoh ")
    assert "catatan: appeals_officer_nip tidak diisi" in checked.output
    validated = runner.invoke(app, ["roster", "validate", str(EXAMPLES / "roster.csv")])
    assert validated.exit_code == 0, validated.output
    assert " pegawai dalam " in validated.output and validated.output.startswith("sah: ")
    assert chosen() == "id"


def test_a_rejected_roster_is_said_in_bahasa_indonesia(tmp_path: Path) -> None:
    result = runner.invoke(app, ["roster", "validate", str(bad_roster(tmp_path))])
    assert result.exit_code == 1
    row = next(line for line in result.output.splitlines() if line.startswith("baris 4\t"))
    assert row.split("\t")[1] == "nip" and "18 digit" in row, row
    assert "Daftar pegawai ditolak: " in result.output
    assert "roster rejected" not in result.output and "row 4" not in result.output


def test_a_refused_command_says_what_is_wrong_in_one_indonesian_line(tmp_path: Path) -> None:
    policy = str(EXAMPLES / "policy.toml")
    both = ["--policy", "national", "--policy-file", policy]
    args = ["cycle", "launch", "--org", "kota-uji", "--year", "2026", "--roster", "r-1", *both]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.output == "isi --policy atau --policy-file, jangan keduanya\n"
    english = runner.invoke(app, ["--lang", "en", *args])
    assert english.exit_code == 1
    assert english.output == "give --policy or --policy-file, not both\n"


def test_a_bad_option_value_is_named_in_bahasa_indonesia(tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text("[1, 2]\n")
    result = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)])
    assert result.exit_code == 2
    said = " ".join(result.output.replace("│", " ").split())
    assert "baris 1 bukan jangkar (chain, seq, dan hash): bukan objek JSON" in said, said


def test_a_file_that_is_not_there_is_named_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "daftar.csv"
    result = runner.invoke(app, ["roster", "validate", str(missing)])
    assert (result.exit_code, result.output) == (
        1,
        f"berkas atau folder tidak ditemukan: {missing}\n",
    )
    folder = runner.invoke(app, ["--lang", "en", "roster", "validate", str(tmp_path)])
    assert (folder.exit_code, folder.output) == (1, f"{tmp_path} is a folder, not a file\n")


def test_a_database_never_migrated_says_how_to_prepare_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A newcomer's first `audit head` on an empty database: the way forward, not the SQL.
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/empty.db")
    get_settings.cache_clear()
    result = runner.invoke(app, ["audit", "head"])
    assert result.exit_code == 1
    assert result.output == (
        "basis data belum memiliki tabel audit_events: jalankan `appraisal migrate`"
        " terlebih dahulu\n"
    )
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert runner.invoke(app, ["audit", "head"]).exit_code == 0


def test_the_demo_narrates_its_year_in_bahasa_indonesia(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/demo.db")
    get_settings.cache_clear()
    result = runner.invoke(app, ["demo", "--policy", "wanggar"])
    assert result.exit_code == 0, result.output
    # Each step: the day, who did it, the task as the pages name it, and the stage after it.
    step = re.compile(r"hari +(\d+)  (\S+) +(.+) -> (.+)")
    steps = [m.groups() for line in result.output.splitlines() if (m := step.fullmatch(line))]
    assert steps[0] == ("0", "pegawai", "Penyusunan SKP saya", "Penyusunan SKP"), steps
    assert steps[-1] == ("364", "penilai", "Penilaian akhir tahun", "Keberatan"), steps
    assert {who for _, who, _, _ in steps} == {"pegawai", "penilai"}  # Wanggar asks no peers
    assert len(steps) == 11  # the plan, its approval, four reports and their feedback, the review
    assert "day " not in result.output and "done by" not in result.output
    # The year's result, named as the pages name it.
    assert "\npredikat kinerja: Baik\n" in result.output
    assert "\ntindak lanjut: Pengembangan kompetensi (penghargaan: -," in result.output


def test_a_command_that_needs_no_setting_runs_beside_one_that_does_not_validate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWT_LEEWAY_SECONDS", "500")  # over its limit: the API would refuse it
    get_settings.cache_clear()
    checked = runner.invoke(app, ["policy-check", str(EXAMPLES / "policy.toml")])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("sah: kota-contoh ")  # the default language


def test_a_setting_that_keeps_a_server_from_starting_is_said_in_the_chosen_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "http://chat.example.go.id/hook")
    get_settings.cache_clear()
    refused = runner.invoke(app, ["worker"])
    said = "WEBHOOK_URL harus berupa URL https:// (http:// hanya untuk localhost)\n"
    assert (refused.exit_code, refused.output) == (2, said)
    english = runner.invoke(app, ["--lang", "en", "worker"])
    said = "WEBHOOK_URL must be an https:// URL (http:// only on localhost)\n"
    assert (english.exit_code, english.output) == (2, said)


def test_invalid_input_is_said_field_by_field_in_the_chosen_language() -> None:
    class Port(pydantic.BaseModel):
        port: int = pydantic.Field(ge=1)

    with pytest.raises(pydantic.ValidationError) as info:
        Port.model_validate({"port": "x"})
    assert describe(info.value) == "masukan tidak sah: port: Harus berupa bilangan bulat."
    choose("en")
    assert describe(info.value) == "invalid input: port: Must be a whole number."


def test_a_setting_of_the_wrong_kind_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_PORT", "0")
    get_settings.cache_clear()
    refused = runner.invoke(app, ["worker"])
    assert (refused.exit_code, refused.output) == (2, "SMTP_PORT: Tidak boleh kurang dari 1.\n")
    # DEFAULT_LOCALE chooses the language even beside a setting that does not validate.
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    get_settings.cache_clear()
    english = runner.invoke(app, ["worker"])
    assert (english.exit_code, english.output) == (2, "SMTP_PORT: Must be at least 1.\n")


def test_lang_en_speaks_english_and_the_setting_chooses_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = str(EXAMPLES / "policy.toml")
    assert runner.invoke(app, ["--lang", "en", "policy-check", policy]).output.startswith("ok: ")
    assert runner.invoke(app, ["--lang", "id", "policy-check", policy]).output.startswith("sah: ")
    bad = str(bad_roster(tmp_path))
    english = runner.invoke(app, ["--lang", "en", "roster", "validate", bad])
    assert "row 4\tnip\tmust be exactly 18 digits" in english.output
    assert "roster rejected: " in english.output

    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    get_settings.cache_clear()
    assert runner.invoke(app, ["policy-check", policy]).output.startswith("ok: ")
    # The option wins over the setting.
    assert runner.invoke(app, ["--lang", "id", "policy-check", policy]).output.startswith("sah: ")


def test_only_id_and_en_are_languages() -> None:
    result = runner.invoke(app, ["--lang", "fr", "policies"])
    assert result.exit_code == 2 and "--lang" in result.output


def test_an_unexpected_failure_is_said_in_the_chosen_language() -> None:
    choose("id")
    said = describe(KeyError("x"))
    assert said == "KeyError: 'x' (--debug menampilkan traceback)"
    choose("en")
    assert describe(KeyError("x")) == "KeyError: 'x' (--debug shows the traceback)"


def test_the_simulation_report_keeps_its_columns_in_either_language() -> None:
    grades = {"sangat_baik": 1, "baik": 3, "butuh_perbaikan": 1, "kurang": 0, "sangat_kurang": 0}
    report = SimulationReport.model_validate(
        {
            "policy": "national",
            "seed": 0,
            "employees": 5,
            "units": {
                "u-1": {
                    "grades": grades,
                    "done": 5,
                    "cancelled": 0,
                    "rating": "baik",
                    "calibration_rounds": 1,
                    "adjusted": 0,
                },
            },
            "grades": grades,
            "done": 5,
            "cancelled": 0,
            "awards": {},
            "outcomes": {},
            "mentorships": 0,
            "appeals": {"filed": 0, "upheld": 0, "changed": 0},
            "transfers": 0,
            "overdue": {},
            "escalated": {},
            "reminders": 0,
            "simulated_days": 440,
            "wall_seconds": 1.0,
        }
    )
    languages: tuple[tuple[Locale, str], ...] = (("id", "selesai"), ("en", "done"))
    for locale, heading in languages:
        choose(locale)
        header, row, total = list(render(report))[2:5]
        assert heading in header
        # Each figure sits under its heading's right edge.
        end = header.index(heading) + len(heading)
        assert row[end - 1] == "5" and total[end - 1] == "5", (header, row)


@pytest.fixture(autouse=True)
def wide_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Help pages as wide as their longest line: a text wrapped in its column would interleave
    with the next column's on the lines it takes."""
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", 2000)


def page(*args: str) -> str:
    """A help page's words, without the boxes around them: each text whole."""
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return page_words(result.output)


def page_words(output: str) -> str:
    """What the command line printed, without the boxes around it and the wrapping."""
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", output).split())


def pages() -> Iterator[tuple[list[str], list[tuple[str, bool]]]]:
    """Each command's and group's arguments to reach it, with the help texts its page shows,
    each as its msgid and whether the page shows it whole: a command's own texts are, while a
    group's page lists each of its commands by its help's first paragraph."""
    context = typer.Context(typer.main.get_command(app))

    def visit(
        command: object, path: list[str]
    ) -> Iterator[tuple[list[str], list[tuple[str, bool]]]]:
        assert isinstance(command, typer.core.TyperCommand | typer.core.TyperGroup)
        shown = [(text, True) for text in own(command)]
        below: list[tuple[str, object]] = []
        if isinstance(command, typer.core.TyperGroup):
            below = [(n, command.get_command(context, n)) for n in command.list_commands(context)]
        for name, sub in below:
            assert getattr(sub, "help", None), f"`{' '.join([*path, name])}` has no help"
        shown += [(flowed(getattr(sub, "help", "")), False) for _, sub in below]
        yield path, shown
        for name, sub in below:
            yield from visit(sub, [*path, name])

    yield from visit(context.command, [])


def test_every_help_page_speaks_bahasa_indonesia_by_default() -> None:
    words = catalog(LOCALE_DIR, "id").gettext
    checked = 0
    for path, shown in pages():
        text = page(*path)
        for english, whole in shown:
            said = words(english)
            assert said != english, f"{english!r} has no translation"
            if not whole:
                said, english = said.split("\n\n")[0], english.split("\n\n")[0]
            assert " ".join(said.split()) in text, (path, said)
            assert " ".join(english.split()) not in text, (path, english)
            checked += 1
        assert words(HELP_OPTION) in text and HELP_OPTION not in text
        assert words(FRAME["OPTIONS_PANEL_TITLE"]) in text
    assert checked > 100, checked
    assert "Perintah" in page() and "Commands" not in page()


def test_lang_en_and_the_setting_choose_the_help_pages_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    english = page("--lang", "en", "cycle", "launch")
    assert "The organisation, e.g. kota-binjai" in english
    assert "Show this message and exit." in english and "Options" in english
    indonesian = page("cycle", "launch")
    assert "The organisation, e.g. kota-binjai" not in indonesian
    assert "Tampilkan pesan ini lalu keluar." in indonesian and "Opsi" in indonesian

    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    get_settings.cache_clear()
    assert "Launch the organisation's cycle for the year" in page("cycle", "launch")
    # The option wins over the setting, and after --lang comes the command.
    assert "Opsi" in page("--lang", "id", "cycle", "launch")
    assert "Options" in page("--debug", "--lang=en", "roster")


def test_lang_is_read_ahead_only_before_the_command() -> None:
    assert asked(["--lang", "en", "roster", "--help"]) == "en"
    assert asked(["--debug", "--lang=id", "policies"]) == "id"
    assert asked(["--lang", "en", "--lang", "id", "--help"]) == "id"  # the last, as the parse
    assert asked(["roster", "--lang", "en"]) is None  # an option of `roster`, refused there
    assert asked(["--lang", "fr", "policies"]) is None  # refused by the parse, said by default
    assert asked(["--lang"]) is None
    assert asked([]) is None


def test_a_help_text_is_one_line_a_paragraph() -> None:
    assert (
        flowed("""Print the heads.

        A head is a chain's name and
        its seq.""")
        == "Print the heads.\n\nA head is a chain's name and its seq."
    )


def refusal(*args: str) -> str:
    """What a refused command line prints, without the boxes around it and the wrapping."""
    result = runner.invoke(app, list(args), prog_name="appraisal")
    assert result.exit_code == 2, result.output
    return page_words(result.output)


# Command lines typer refuses, each with what it says in Bahasa Indonesia and in English.
REFUSED = [
    (["simulate"], "Opsi '--employees' wajib diisi.", "Missing option '--employees'."),
    (["token"], "Argumen 'nip' wajib diisi.", "Missing argument 'nip'."),
    (["policies", "--foo"], "Opsi --foo tidak dikenal", "No such option: --foo"),
    (
        ["cycle", "launch", "--o", "x"],
        "Opsi --o tidak dikenal (mungkin maksud Anda: --org)",
        "No such option: --o (Possible options: --org)",
    ),
    (["--debug"], "Perintah belum diberikan.", "Missing command."),
    (
        ["roster", "--lang", "en", "--help"],
        "--lang ditulis sebelum perintah: appraisal --lang en roster",
        "--lang goes before the command: appraisal --lang en roster",
    ),
    (
        ["roster", "validate", "--debug", "x"],
        "--debug ditulis sebelum perintah: appraisal --debug roster validate",
        "--debug goes before the command: appraisal --debug roster validate",
    ),
    (
        ["--debug=1", "policies"],
        "Opsi '--debug' tidak menerima nilai.",
        "Option '--debug' does not take a value.",
    ),
    (
        ["cycle", "propose-rating", "--org", "a", "--year", "2026", "--unit", "u", "--actor", "x"],
        "Opsi '--rating' wajib diisi. Pilih salah satu: istimewa, baik, butuh_perbaikan,",
        "Missing option '--rating'. Choose from: istimewa, baik, butuh_perbaikan,",
    ),
    (
        ["roster", "validat"],
        "Tidak ada perintah 'validat'. Maksud Anda 'validate'?",
        "No such command 'validat'. Did you mean 'validate'?",
    ),
    (["rooster"], "Tidak ada perintah 'rooster'.", "No such command 'rooster'."),
    (
        ["policies", "extra"],
        "Argumen berlebih (extra)",
        "Got unexpected extra argument(s) (extra)",
    ),
    (
        ["demo", "--policy"],
        "Opsi '--policy' memerlukan nilai.",
        "Option '--policy' requires an argument.",
    ),
    (
        ["simulate", "--employees", "x"],
        "Nilai '--employees' tidak sah: Harus berupa bilangan bulat.",
        "Invalid value for '--employees': Must be a whole number.",
    ),
    (
        ["simulate", "--employees", "0"],
        "Nilai '--employees' tidak sah: Tidak boleh kurang dari 1.",
        "Invalid value for '--employees': Must be at least 1.",
    ),
    (
        ["token", "1", "--role", "boss"],
        "Nilai '--role' tidak sah: 'boss' bukan salah satu dari 'hr', 'auditor'.",
        "Invalid value for '--role': 'boss' is not one of 'hr', 'auditor'.",
    ),
]


@pytest.mark.parametrize(("args", "indonesian", "english"), REFUSED)
def test_a_refused_command_line_is_said_in_the_chosen_language(
    args: list[str], indonesian: str, english: str
) -> None:
    said = refusal(*args)
    assert indonesian in said and english not in said
    assert "Kesalahan" in said and "Error" not in said
    # Under the usage, the hint (a value missing is refused before typer knows the command).
    assert " untuk bantuan." in said or args == ["demo", "--policy"] or "--debug=1" in args
    told = refusal("--lang", "en", *args)
    assert english in told and "Error" in told and "Kesalahan" not in told


def test_a_language_not_spoken_here_is_refused_in_the_default_one() -> None:
    said = refusal("--lang", "fr", "policies")
    assert "Nilai '--lang' tidak sah: 'fr' bukan salah satu dari 'id', 'en'." in said


def test_a_refusal_worded_by_a_command_itself_is_said_as_it_is() -> None:
    assert _said_usage("baris 1 bukan jangkar") == "baris 1 bukan jangkar"
    choose("en")
    assert _said_usage("Missing option '--org'.") == "Missing option '--org'."
    choose("id")
    assert _said_usage("Invalid value: 'x' is not one of 'a'.") == (
        "Nilai tidak sah: 'x' bukan salah satu dari 'a'."
    )


def test_typers_words_on_a_page_are_all_worded() -> None:
    for name, english in FRAME.items():
        assert hasattr(rich_utils, name), f"typer no longer reads {name}"
        said = catalog(LOCALE_DIR, "id").gettext(english)
        assert re.findall(r"{\w*}", said) == re.findall(r"{\w*}", english), said
    token = page("token")
    assert "Argumen" in token and "[wajib]" in token and "[bawaan: 8]" in token
    assert "Arguments" not in token and "[required]" not in token and "[default:" not in token
    english = page("--lang", "en", "token")
    assert "Arguments" in english and "[required]" in english and "[default: 8]" in english


def test_a_policy_files_problems_are_said_in_bahasa_indonesia(tmp_path: Path) -> None:
    policy = tmp_path / "kota.toml"
    policy.write_text('name = "kota"\ntitle = 3\ntitel = "x"\n')
    said = runner.invoke(app, ["policy-check", str(policy)])
    assert said.exit_code == 1
    assert said.output.startswith("kebijakan dalam kota.toml tidak sah: ")
    assert "title: Harus berupa teks." in said.output
    assert "titel: Bukan isian yang dikenal: hapus, atau periksa ejaannya." in said.output
    english = runner.invoke(app, ["--lang", "en", "policy-check", str(policy)])
    assert english.output.startswith("invalid policy in kota.toml: ")
    assert "title: Must be text." in english.output
    missing = runner.invoke(app, ["policy-check", str(tmp_path / "tidak-ada.toml")])
    assert missing.output == "kebijakan tidak-ada.toml tidak dapat dibaca: berkas tidak ditemukan\n"


def test_a_group_without_a_command_shows_its_page_in_the_chosen_language() -> None:
    for args in ([], ["roster"]):
        shown = runner.invoke(app, args)
        said = page_words(shown.output)
        assert said.count("Usage:") == 1, said  # the page once, not once per language
        assert "Perintah" in said and "Opsi" in said, said
        assert "Commands" not in said and "Options" not in said
    english = page_words(runner.invoke(app, ["--lang", "en", "roster"]).output)
    assert "Commands" in english and "Options" in english


def test_a_command_that_prints_no_page_leaves_rich_unloaded() -> None:
    # Typer's frame is worded only when a page or a refusal is about to print: its module
    # brings rich, about a tenth of a second of every command's start.
    script = (
        "import sys; from typer.testing import CliRunner; "
        "from appraisal_engine.appraisal.cli import app; "
        "ran = CliRunner().invoke(app, ['policies']); "
        "print(ran.exit_code, 'typer.rich_utils' in sys.modules, 'rich.console' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["0", "False", "False"], done.stdout + done.stderr
