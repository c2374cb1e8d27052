"""`python -m bot.content import-places`: HXL sheets and OpenStreetMap extracts into content/places/<cc>.yml."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import osmium
import pytest
import yaml

from bot import paths
from bot.content.__main__ import main
from bot.content.place_import import import_places

FIXTURES = Path(__file__).parent / "fixtures" / "places"
SHEET = FIXTURES / "services_tapachula.csv"
OSM = FIXTURES / "places.osm"
SHEET_URL = "https://example.org/services-sheet.csv"
TODAY = date(2026, 11, 29)

HAND_WRITTEN = """# Places in México (MX): a comment editors wrote, kept by every import.
places:
  # A hand-written place, with its own comment.
  - id: mx-tapachula-hand-written
    type: shelter
    name: "Albergue Escrito a Mano"
    country: MX
    city: Tapachula
    lat: 14.9057
    lon: -92.2634
    location_precision: city  # the city's point
    not_sourced: [address, phone, hours]
    source: "https://example.org/albergue"
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A content folder with the real gazetteer and types, and a small hand-written mx.yml."""
    root = tmp_path / "content"
    (root / "places").mkdir(parents=True)
    shutil.copytree(paths.content_dir() / "gazetteer", root / "gazetteer")
    for name in ("place_types.yml", "organisations.yml"):
        shutil.copy(paths.content_dir() / name, root / name)
    (root / "places" / "mx.yml").write_text(HAND_WRITTEN, encoding="utf-8")
    return root


def places(root: Path, code: str = "mx") -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((root / "places" / f"{code}.yml").read_text(encoding="utf-8"))
    return {p["id"]: p for p in data["places"]}


def by_ref(root: Path) -> dict[str, dict[str, Any]]:
    return {p["provenance"]["ref"]: p for p in places(root).values() if "provenance" in p}


def reasons(report: Any) -> dict[str, str]:
    return {o.ref: o.reason for o in report.outcomes if o.action == "skipped"}


# -- HXL ---------------------------------------------------------------------------------------
def test_hxl_sheet_becomes_places_with_precision_and_provenance(content: Path) -> None:
    report = import_places(SHEET, "MX", content, source_url=SHEET_URL, today=TODAY)

    assert (report.count("added"), report.count("skipped")) == (3, 4)
    rows = by_ref(content)
    point = rows["row:3"]
    # "14,9071" (decimal comma) is read as 14.9071; the "Espacio de Apoyo" name makes it an aid point.
    assert (point["lat"], point["lon"], point["location_precision"]) == (14.9071, -92.2655, "exact")
    assert point["type"] == "aid_station"
    assert point["services"] == ["legal", "information", "phone_internet"]
    assert point["phone"] == "+529620000000"
    assert point["provenance"]["file"] == "services_tapachula.csv"
    assert point["provenance"]["imported_on"] == TODAY
    assert point["evidence"][0]["url"] == SHEET_URL
    assert len(point["evidence"][0]["quote"].split()) <= 30

    shelter = rows["row:4"]  # an address without a point: the city's point, precision street
    assert shelter["type"] == "shelter"
    assert shelter["address"] == "Calle Ejemplo 12, Colonia Centro"
    assert (shelter["lat"], shelter["lon"], shelter["location_precision"]) == (14.9057, -92.2634, "street")
    assert "phone" not in shelter and "phone" in shelter["not_sourced"]  # "962 000 0001" is never completed
    assert shelter["website"] == "https://www.albergue-ejemplo.org"

    assert rows["row:5"]["type"] == "unhcr"
    assert rows["row:5"]["location_precision"] == "city"

    skipped = reasons(report)
    assert "Pueblo Desconocido" in skipped["row:6"]
    assert "no name" in skipped["row:7"]
    assert "GTM" in skipped["row:8"]
    assert "outside MX" in skipped["row:9"]


def test_import_keeps_comments_and_hand_written_items_byte_for_byte(content: Path) -> None:
    import_places(SHEET, "MX", content, source_url=SHEET_URL, today=TODAY)
    import_places(OSM, "MX", content, today=TODAY)

    text = (content / "places" / "mx.yml").read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN)
    assert places(content)["mx-tapachula-hand-written"]["name"] == "Albergue Escrito a Mano"


def test_dry_run_writes_nothing_but_reports(content: Path) -> None:
    before = (content / "places" / "mx.yml").read_text(encoding="utf-8")
    report = import_places(SHEET, "MX", content, source_url=SHEET_URL, dry_run=True, today=TODAY)
    assert report.count("added") == 3 and not report.written
    assert (content / "places" / "mx.yml").read_text(encoding="utf-8") == before


def test_reimport_leaves_unchanged_and_updates_what_changed_in_the_data(content: Path, tmp_path: Path) -> None:
    import_places(SHEET, "MX", content, source_url=SHEET_URL, today=TODAY)
    again = import_places(SHEET, "MX", content, source_url=SHEET_URL, today=date(2026, 12, 5))
    assert again.count("unchanged") == 3 and not again.written

    changed = tmp_path / SHEET.name
    changed.write_text(
        SHEET.read_text(encoding="utf-8").replace("+52 962 000 0000", "+52 962 999 8888"), encoding="utf-8"
    )
    report = import_places(changed, "MX", content, source_url=SHEET_URL, today=TODAY)
    assert report.count("updated") == 1
    assert by_ref(content)["row:3"]["phone"] == "+529629998888"
    assert len(places(content)) == 4  # updated in place, not duplicated


def test_hand_edited_import_is_kept_unless_forced(content: Path) -> None:
    import_places(OSM, "MX", content, today=TODAY)
    path = content / "places" / "mx.yml"
    # An editor adds the opening hours they confirmed by phone to the imported shelter.
    text = path.read_text(encoding="utf-8").replace(
        '    name: "Albergue Fixture"\n',
        '    name: "Albergue Fixture"\n    hours: {es: "24 horas", en: "24 hours", pt: "24 horas", '
        'fr: "24 heures", ht: "24 èdtan"}\n',
    )
    path.write_text(text, encoding="utf-8")

    report = import_places(OSM, "MX", content, today=TODAY)
    assert "edited by hand" in reasons(report)["osm:node/1001"]
    assert by_ref(content)["osm:node/1001"]["hours"]["es"] == "24 horas"

    forced = import_places(OSM, "MX", content, force=True, today=TODAY)
    assert any(o.ref == "osm:node/1001" and o.action == "updated" for o in forced.outcomes)
    assert "hours" not in by_ref(content)["osm:node/1001"]


def test_hand_written_place_with_same_name_is_never_replaced_without_force(content: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "same.csv"
    sheet.write_text(
        "Nombre,Lat,Lon,Sector\n#loc+name,#geo+lat,#geo+lon,#sector\n"
        "Albergue Escrito a Mano,14.9,-92.26,Alojamiento\n",
        encoding="utf-8",
    )
    report = import_places(sheet, "MX", content, today=TODAY)
    assert "hand-written" in reasons(report)["row:3"]
    assert (content / "places" / "mx.yml").read_text(encoding="utf-8") == HAND_WRITTEN

    import_places(sheet, "MX", content, force=True, today=TODAY)
    replaced = places(content)["mx-tapachula-hand-written"]
    assert (replaced["lat"], replaced["location_precision"]) == (14.9, "exact")
    assert replaced["provenance"]["ref"] == "row:3"


# -- OpenStreetMap -------------------------------------------------------------------------------
def check_osm_result(content: Path, report: Any) -> None:
    rows = by_ref(content)
    assert set(rows) == {"osm:node/1001", "osm:node/1002", "osm:node/1004", "osm:way/3001", "osm:node/4001"}
    shelter = rows["osm:node/1001"]
    assert (shelter["type"], shelter["location_precision"], shelter["lat"]) == ("shelter", "exact", 14.908)
    assert shelter["address"] == "Avenida Fixture 5, Tapachula"
    assert shelter["phone"] == "+529621112222"
    assert shelter["evidence"][0]["url"] == "https://www.openstreetmap.org/node/1001"
    consulate = rows["osm:node/1002"]
    assert (consulate["type"], consulate["nationalities"]) == ("consulate", ["GT"])
    clinic = rows["osm:way/3001"]  # a way: the mean of its four corners
    assert clinic["type"] == "health_post"
    assert (clinic["lat"], clinic["lon"]) == pytest.approx((14.911, -92.249))
    assert rows["osm:node/1004"]["type"] == "water_point"
    red_cross = rows["osm:node/4001"]
    assert (red_cross["type"], red_cross["city"]) == ("red_cross", "Tijuana")
    skipped = reasons(report)
    assert "country=XX" in skipped["osm:node/1003"]  # a consulate without country=: whose nationals?
    assert "not a kind of place" in skipped["osm:node/1005"]  # amenity=shelter is a bus stop roof
    assert "not for migrants" in skipped["osm:node/1006"]


def test_osm_xml_extract(content: Path) -> None:
    report = import_places(OSM, "MX", content, today=TODAY)
    assert report.count("added") == 5
    check_osm_result(content, report)


def test_osm_pbf_extract_written_by_osmium(content: Path, tmp_path: Path) -> None:
    pbf = tmp_path / "places.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    try:
        for obj in osmium.FileProcessor(str(OSM)):
            writer.add(obj)
    finally:
        writer.close()
    assert pbf.read_bytes()[:4] != b"<?xm"  # really the binary format

    report = import_places(pbf, "MX", content, today=TODAY)
    assert report.count("added") == 5
    check_osm_result(content, report)
    assert by_ref(content)["osm:node/1001"]["provenance"]["file"] == "places.osm.pbf"


def test_new_country_file_is_created_and_ids_stay_unique(content: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "ni.csv"
    sheet.write_text(
        "Org,Nombre,Municipio,Sector\n#org,#loc+name,#adm2+name,#sector\n"
        "Org A,Punto de Apoyo,Managua,Información\nOrg B,Punto de Apoyo,Managua,Información\n",
        encoding="utf-8",
    )
    report = import_places(sheet, "NI", content, today=TODAY)
    assert report.count("added") == 2
    created = places(content, "ni")
    assert sorted(created) == ["ni-managua-punto-de-apoyo", "ni-managua-punto-de-apoyo-2"]
    assert all(p["location_precision"] == "city" and p["lat"] == 12.114 for p in created.values())
    assert "evidence" not in created["ni-managua-punto-de-apoyo"]  # no --source-url: no web page to cite

    far = import_places(OSM, "NI", content, today=TODAY)  # the OSM fixture is in Mexico
    assert far.count("added") == 0 and "outside NI" in reasons(far)["osm:node/1001"]


# -- the command -----------------------------------------------------------------------------
def test_command_line_reports_and_refuses_unknown_files(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "import-places",
            str(SHEET),
            "--country",
            "mx",
            "--content",
            str(content),
            "--source-url",
            SHEET_URL,
            "--dry-run",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Total: 3 added, 0 updated, 0 unchanged, 4 skipped." in out
    assert "Nothing written" in out

    odd = tmp_path / "places.txt"
    odd.write_text("hello", encoding="utf-8")
    assert main(["import-places", str(odd), "--country", "MX", "--content", str(content)]) == 1
    assert "unknown kind of file" in capsys.readouterr().err
