"""Plan summary PDF: what a reader who never opens the app gets, and how the file is written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_helpers import image_widths
from pypdf import PdfReader

from ttcplanner.model import scenario as sc
from ttcplanner.model.catalog import load_catalog
from ttcplanner.model.errors import InputError
from ttcplanner.model.format import duration, money, pct
from ttcplanner.model.options import KIND_NAMES
from ttcplanner.model.planner import evaluate
from ttcplanner.paths import scenarios_dir
from ttcplanner.present.reasons import headline, no_option_sentence, reason_texts, warning_texts
from ttcplanner.report.figures import accuracy_models, shown_options
from ttcplanner.report.pdf import export_pdf

ROOT = Path(__file__).resolve().parents[2]
A4_PT = (595, 842)
LETTER_PT = (612, 792)


def scenario_files() -> list[Path]:
    return sorted(scenarios_dir().glob("*.json"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(include_user=False)


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory) -> Path:
    """A shipped scenario with published points and several deployment kinds, else one from defaults."""
    files = scenario_files()
    for name in ("reasoning-frontier-production.json", "chat-assistant-low-volume.json"):
        if (scenarios_dir() / name).is_file():
            return scenarios_dir() / name
    if files:
        return files[0]
    path = tmp_path_factory.mktemp("scenario") / "default.json"
    sc.save(sc.Scenario(), path)
    return path


@pytest.fixture(scope="module")
def plan(catalog, scenario_path):
    return evaluate(sc.load(scenario_path), catalog)


@pytest.fixture(scope="module")
def report(plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    assert export_pdf(plan, path) == path
    return PdfReader(path)


def text_of(reader: PdfReader) -> str:
    """Page text with runs of whitespace collapsed (the PDF places words one by one)."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def link_uris(reader: PdfReader) -> set[str]:
    uris = set()
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and "/URI" in action:
                uris.add(str(action["/URI"]))
    return uris


def test_page_count_and_footer(report):
    pages = len(report.pages)
    assert 3 <= pages <= 8
    for n, page in enumerate(report.pages, start=1):
        assert f"Page {n} of {pages}" in re.sub(r"\s+", " ", page.extract_text())


def test_recommendation_headline_and_reasons_on_first_page(plan, report):
    first = re.sub(r"\s+", " ", report.pages[0].extract_text())
    kind = KIND_NAMES[plan.options.kind[plan.recommended]]
    assert headline(plan).removeprefix(f"{kind}: ") in first and kind in first  # the summary's Recommendation row
    assert reason_texts(plan)[0][:60] in first
    assert plan.catalog_as_of in first


def test_key_figures_table_values(plan, report):
    text = text_of(report)
    r = plan.results
    assert shown_options(plan), "the shipped scenario should have a recommendation"
    for _, i in shown_options(plan):
        for value in (
            pct(r.accuracy_pct[i]),
            money(r.monthly_usd[i]),
            money(r.cost_per_request_usd[i] * 1000),
            duration(r.latency_s[i]),
        ):
            assert value in text, value
    kinds_without = [k for k, i in plan.best_per_kind.items() if i is None]
    for k in kinds_without:  # said as a sentence ("No ASIC cloud option reaches ..."), never "none: none ..."
        assert no_option_sentence(plan, k) in text
    assert "['" not in text and "']" not in text  # the small lines under a cell are text, not a list's repr


def test_every_price_and_benchmark_source_is_listed_and_linked(plan, report):
    text_no_space = re.sub(r"\s+", "", text_of(report))
    uris = link_uris(report)
    urls = set()
    for _, i in shown_options(plan):
        urls |= {u.strip() for u in plan.options.source[i].split(";") if u.strip().startswith("http")}
        assert plan.options.as_of[i] in text_no_space
    for view in accuracy_models(plan):
        urls |= {pt.source for pt in view.points if pt.source.startswith("http")}
    assert urls
    for url in urls:
        assert url in text_no_space, url  # printed (it may wrap over lines)
        assert url in uris, url  # and clickable


def test_scenario_inputs_and_assumptions(plan, report):
    import dataclasses

    text = text_of(report)
    for field in dataclasses.fields(plan.scenario):
        assert field.name in text, field.name
    assert "30.4 days" in text
    assert "busy or idle" in text
    assert "billed at the output-token price" in text
    for warning in warning_texts(plan):
        assert warning[:50] in text


def test_three_plot_images_at_print_resolution(report):
    widths = image_widths(report)
    assert len(widths) == 3
    assert all(w >= 1900 for w in widths)  # 170 mm at 300 dpi is 2008 px


def test_paper_sizes(plan, tmp_path):
    for paper, size in (("a4", A4_PT), ("letter", LETTER_PT)):
        path = export_pdf(plan, tmp_path / f"{paper}.pdf", paper=paper)
        reader = PdfReader(path)
        for page in reader.pages:
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == size


def test_unknown_paper_is_an_input_error(plan, tmp_path):
    with pytest.raises(InputError, match="paper"):
        export_pdf(plan, tmp_path / "x.pdf", paper="a3")


def test_missing_folder_raises_input_error(plan, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        export_pdf(plan, tmp_path / "no-such-folder" / "plan.pdf")


def test_path_under_a_file_raises_input_error(plan, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(InputError):
        export_pdf(plan, blocker / "plan.pdf")


def test_folder_as_target_raises_input_error(plan, tmp_path):
    with pytest.raises(InputError, match="folder"):
        export_pdf(plan, tmp_path)


def test_failed_write_leaves_existing_file_byte_identical(plan, tmp_path, monkeypatch):
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"%PDF-1.4 the old report\n")
    before = target.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(InputError, match="No space left"):
        export_pdf(plan, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]  # no temporary file left behind


def test_unwritable_folder_leaves_existing_file(plan, tmp_path, monkeypatch):
    import tempfile

    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(InputError, match="Permission denied"):
        export_pdf(plan, target)
    assert target.read_bytes() == b"old"


def test_overwrites_an_existing_file_completely(plan, tmp_path):
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"junk" * 100_000)
    export_pdf(plan, target)
    assert target.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(target).pages) >= 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pdf"]


def test_extras_sections_are_rendered(plan, tmp_path):
    from PySide6.QtGui import QColor, QImage

    image = QImage(600, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    image.setDotsPerMeterX(round(300 / 0.0254))
    image.setDotsPerMeterY(round(300 / 0.0254))
    extras = {
        "tornado": {
            "title": "Sensitivity of the monthly cost",
            "html": "<p>Inputs ranked by effect.</p><p><img src='tornado.png'/></p>",
            "images": {"tornado.png": image},
        }
    }
    reader = PdfReader(export_pdf(plan, tmp_path / "extras.pdf", extras=extras))
    text = text_of(reader)
    assert "Sensitivity of the monthly cost" in text
    assert "Inputs ranked by effect." in text
    assert len(image_widths(reader)) == 4


def test_plan_with_no_feasible_option_still_exports(catalog, tmp_path):
    scenario = sc.Scenario(name="Impossible latency").replace(latency_target_s=0.1, reasoning_tokens=100_000)
    plan = evaluate(scenario, catalog)
    assert plan.recommended is None
    reader = PdfReader(export_pdf(plan, tmp_path / "none.pdf"))
    text = text_of(reader)
    assert headline(plan) in text
    assert "Impossible latency" in text


def test_cli_writes_pdf_headless(scenario_path, tmp_path):
    out = tmp_path / "out.pdf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "ttcplanner", "plan", str(scenario_path), "--pdf", str(out), "--paper", "letter"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(out)
    assert len(reader.pages) >= 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == LETTER_PT


def test_cli_unwritable_pdf_path_is_one_line_exit_2(scenario_path, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ttcplanner",
            "plan",
            str(scenario_path),
            "--pdf",
            str(tmp_path / "missing" / "out.pdf"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "does not exist" in proc.stderr
