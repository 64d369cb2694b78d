"""Importing the ONS Postcode Directory: counts, idempotence, skipped rows, refused files, CLI."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from marketplace.reference.postcodes import importer as postcode_import
from marketplace.reference.postcodes.directory import save_postcodes
from marketplace.reference.postcodes.importer import DirectoryFileError, import_directory
from marketplace.reference.postcodes.rules import PostcodeEntry
from marketplace.reference.tables import Postcode
from tests.support import run_marketplace

# A few of the ONSPD's other columns, in its order, so the import must find its four by name.
HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oslaua",
    "ru11ind",
    "oa11",
    "lat",
    "long",
    "imd",
]


def onspd_row(pcds: str, ru11ind: str, lat: str, long: str) -> list[str]:
    compact = pcds.replace(" ", "")
    return [
        compact,
        pcds,
        pcds,
        "198001",
        "",
        "E07000106",
        ru11ind,
        "E00123456",
        lat,
        long,
        "17000",
    ]


def write_directory(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


KENT = [
    onspd_row("CT1 1AA", "C1", "51.280233", "1.078909"),
    onspd_row("ME14 1XQ", "C1", "51.273000", "0.521000"),
    onspd_row("TN27 0AA", "E1", "51.170000", "0.700000"),
    onspd_row("CT15 7AA", "F2", "51.190000", "1.310000"),
    onspd_row("DA1 1AA", "A1", "51.445000", "0.215000"),
    onspd_row("TN30 6AA", "D1", "51.065000", "0.690000"),
]


async def directory() -> dict[str, dict]:
    rows = await Postcode.select().order_by(Postcode.postcode)
    return {row["postcode"]: row for row in rows}


async def test_importing_a_directory_writes_each_postcode_with_its_rurality(db, tmp_path) -> None:
    summary = await import_directory(write_directory(tmp_path / "ONSPD.csv", KENT))
    assert summary.imported == 6
    assert sum(summary.skipped.values()) == 0
    assert summary.describe() == "Imported 6 postcodes."
    rows = await directory()
    assert set(rows) == {"CT1 1AA", "ME14 1XQ", "TN27 0AA", "CT15 7AA", "DA1 1AA", "TN30 6AA"}
    assert rows["CT1 1AA"]["rurality"] == "urban_city_and_town"
    assert rows["TN27 0AA"]["rurality"] == "rural_village_and_dispersed"
    assert rows["CT15 7AA"]["rurality"] == "rural_village_and_dispersed"
    assert rows["DA1 1AA"]["rurality"] == "urban_major_conurbation"
    assert rows["TN30 6AA"]["rurality"] == "rural_town_and_fringe"
    assert rows["CT1 1AA"]["latitude"] == pytest.approx(51.280233)
    assert rows["CT1 1AA"]["longitude"] == pytest.approx(1.078909)
    assert {row["source"] for row in rows.values()} == {"ons"}


async def test_importing_the_same_file_again_changes_nothing(db, tmp_path) -> None:
    path = write_directory(tmp_path / "ONSPD.csv", KENT)
    await import_directory(path)
    before = await directory()
    again = await import_directory(path)
    assert again.imported == 6
    assert await directory() == before
    assert await Postcode.count() == 6


async def test_a_newer_directory_updates_changed_postcodes_in_place(db, tmp_path) -> None:
    await save_postcodes([PostcodeEntry("ME14 1XQ", "urban_major_conurbation", 50.0, 0.0)])
    await import_directory(write_directory(tmp_path / "ONSPD_FEB.csv", KENT))
    newer = [*KENT[1:], onspd_row("CT1 1AA", "D2", "51.300000", "1.100000")]
    summary = await import_directory(write_directory(tmp_path / "ONSPD_MAY.csv", newer))
    assert summary.imported == 6
    assert await Postcode.count() == 6
    rows = await directory()
    assert rows["CT1 1AA"]["rurality"] == "rural_town_and_fringe"
    assert rows["CT1 1AA"]["latitude"] == pytest.approx(51.3)
    # A manually recorded postcode is replaced by the directory's entry.
    assert rows["ME14 1XQ"]["rurality"] == "urban_city_and_town"
    assert rows["ME14 1XQ"]["source"] == "ons"


async def test_unusable_rows_are_skipped_and_counted_by_reason(db, tmp_path) -> None:
    rows = [
        KENT[0],  # line 2
        onspd_row("NOT A PC", "C1", "51.0", "1.0"),  # line 3
        onspd_row("EH1 1YZ", "1", "55.950000", "-3.190000"),  # 4: Scottish urban-rural code
        onspd_row("CT2 7NZ", "C1", "99.999999", "0.000000"),  # 5: no grid reference
        onspd_row("CT2 7PB", "C1", "", ""),  # 6
        ["CT3", "CT3 1AA", "CT3 1AA"],  # 7: truncated
        onspd_row("", "C1", "51.0", "1.0"),  # 8
        KENT[1],  # 9
    ]
    summary = await import_directory(write_directory(tmp_path / "ONSPD.csv", rows))
    assert summary.imported == 2
    assert dict(summary.skipped) == {
        "bad postcode": 2,
        "unknown code": 1,
        "no coordinates": 2,
        "wrong number of columns": 1,
    }
    assert summary.describe() == (
        "Imported 2 postcodes. Skipped 6 rows: 2 bad postcode (lines 3, 8), "
        "1 unknown code (line 4), 2 no coordinates (lines 5, 6), "
        "1 wrong number of columns (line 7)."
    )
    assert set(await directory()) == {"CT1 1AA", "ME14 1XQ"}


async def test_a_postcode_repeated_in_the_file_keeps_its_last_row(db, tmp_path) -> None:
    rows = [*KENT, onspd_row("ct11aa", "E2", "51.400000", "1.200000")]
    summary = await import_directory(write_directory(tmp_path / "ONSPD.csv", rows))
    assert summary.imported == 6
    assert summary.repeated == 1
    assert "1 row repeated an earlier postcode (the last one kept)" in summary.describe()
    row = (await directory())["CT1 1AA"]
    assert (row["rurality"], row["latitude"]) == (
        "rural_village_and_dispersed",
        pytest.approx(51.4),
    )


async def test_a_large_file_is_written_in_batches_with_a_progress_bar(
    db, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(postcode_import, "BATCH_SIZE", 4)
    rows = [
        onspd_row(f"CT{n} {m}AB", "C1", "51.2", "1.1") for n in range(1, 6) for m in range(1, 5)
    ]
    rows.append(onspd_row("CT1 1AB", "F1", "51.5", "1.5"))  # repeats row 1, in a later batch
    rows += [onspd_row("CT9 9ZZ", "9", "51.2", "1.1")] * 3
    summary = await import_directory(write_directory(tmp_path / "ONSPD.csv", rows), progress=True)
    assert await Postcode.count() == 20
    assert summary.imported == 21  # the repeat in a later batch is written (and counted) again
    assert summary.skipped["unknown code"] == 3
    assert summary.describe().endswith("3 unknown code (lines 23, 24, 25).")
    assert (await directory())["CT1 1AB"]["rurality"] == "rural_village_and_dispersed"
    assert "Importing postcodes" in capsys.readouterr().err


async def test_a_header_with_no_data_rows_imports_nothing(db, tmp_path) -> None:
    summary = await import_directory(write_directory(tmp_path / "ONSPD.csv", []))
    assert summary.describe() == "Imported 0 postcodes."


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Data/ONSPD.csv", ",".join(HEADER))


MALFORMED = {
    "missing columns": (
        lambda p: write_directory(p, [["CT1 1AA", "51.2"]], header=["pcds", "latitude"]),
        "has no column lat, long, ru11ind: expected a CSV in the ONS Postcode Directory layout",
    ),
    "empty": (lambda p: p.write_bytes(b""), "is empty"),
    "blank": (lambda p: p.write_bytes(b"\xef\xbb\xbf\r\n\r\n"), "is empty"),
    "zipped": (_zip, "is a ZIP archive, not a CSV file"),
    "binary": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "is a binary file, not CSV",
    ),
    "utf-16": (
        lambda p: p.write_text(",".join(HEADER) + "\n", encoding="utf-16"),
        "is UTF-16 text",
    ),
    "latin-1": (
        lambda p: p.write_bytes((",".join(HEADER) + "\nCT1 1AA,Caf\xe9\n").encode("latin-1")),
        "is not UTF-8 text (byte 0xe9 at offset",
    ),
    "tab-separated": (
        lambda p: p.write_text("\t".join(HEADER) + "\n" + "\t".join(KENT[0]) + "\n"),
        "(its header has no commas: is it tab- or semicolon-separated?)",
    ),
    "not csv": (
        lambda p: p.write_text('{"postcodes": [{"pcds": "CT1 1AA"}]}\n'),
        "has no column pcds, lat, long, ru11ind",
    ),
    "unclosed quote": (
        lambda p: p.write_text(",".join(HEADER) + '\n"CT11AA,' + "x" * 140_000 + "\n"),
        "is not valid CSV at line 2: field larger than field limit",
    ),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
async def test_a_malformed_file_is_refused_with_a_clear_error_and_nothing_written(
    db, tmp_path, kind
) -> None:
    make, message = MALFORMED[kind]
    path = tmp_path / "ONSPD.csv"
    make(path)
    with pytest.raises(DirectoryFileError) as refused:
        await import_directory(path)
    assert message in str(refused.value)
    assert "ONSPD.csv" in str(refused.value)
    assert await Postcode.count() == 0


async def test_a_file_turning_out_not_to_be_utf8_after_its_beginning_stops_with_a_clear_error(
    db, tmp_path
) -> None:
    path = write_directory(tmp_path / "ONSPD.csv", [*KENT] * 500)  # well past the checked beginning
    with path.open("ab") as file:
        file.write("CT1 1AA,Canterbury Caf\xe9\n".encode("latin-1"))
    with pytest.raises(
        DirectoryFileError, match=r"is not UTF-8 text after line [\d,]+: save it as CSV UTF-8"
    ):
        await import_directory(path)


async def test_a_missing_file_is_refused_with_a_clear_error(db, tmp_path) -> None:
    with pytest.raises(DirectoryFileError, match=r"cannot open .*nowhere\.csv: No such file"):
        await import_directory(tmp_path / "nowhere.csv")


def test_the_import_postcodes_command_prints_a_summary_or_a_clear_error(tmp_path) -> None:
    assert run_marketplace(tmp_path, "migrate").returncode == 0
    rows = [*KENT, onspd_row("KY16 9AJ", "3", "56.34", "-2.79")]
    path = write_directory(tmp_path / "ONSPD.csv", rows)

    imported = run_marketplace(tmp_path, "import-postcodes", str(path))
    assert imported.returncode == 0, imported.stderr
    assert (
        imported.stdout.strip() == "Imported 6 postcodes. Skipped 1 row: 1 unknown code (line 8)."
    )
    again = run_marketplace(tmp_path, "import-postcodes", str(path))
    assert again.stdout.strip() == imported.stdout.strip()

    (tmp_path / "bad.csv").write_text("postcode,rurality\nCT1 1AA,urban\n")
    refused = run_marketplace(tmp_path, "import-postcodes", str(tmp_path / "bad.csv"))
    assert refused.returncode == 1
    assert "Error: bad.csv has no column pcds, lat, long, ru11ind" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
