"""Catalog menu: edited prices, calibrations and LiteLLM imports reach the user catalog and the plan, and survive a
restart; bad input is shown and changes nothing; the status bar says how old the prices are."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDialog, QTableWidget

from tests.gui.gui_helpers import find
from ttcplanner.gui.catalog_dialogs import PRICE_COLUMNS, PriceEditorDialog
from ttcplanner.model.format import option_json
from ttcplanner.model.planner import STALE_PRICE_DAYS
from ttcplanner.model.price_import import LITELLM_SOURCE
from ttcplanner.model.scenario import Scenario
from ttcplanner.present.prices import price_age
from ttcplanner.present.reasons import warning_texts

DATA = Path(__file__).resolve().parents[1] / "data"
BENCH = DATA / "vllm_bench_gpt-oss-120b_h100.json"
LITELLM = DATA / "litellm_prices_sample.json"
H100_X1 = "gpt-oss-120b on 1x NVIDIA H100 SXM"
# The offscreen platform's notice when a top-level size hint changes; every other Qt warning still fails.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    """A private user catalog per test (never the real one, and no leftovers between tests)."""
    from ttcplanner.paths import user_catalog_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = user_catalog_dir()
    assert tmp_path in folder.parents
    return folder


@pytest.fixture
def open_window(qtbot, settings, user_dir):
    """A window that loads its catalog the way the app does: shipped + the (private) user catalog."""
    from ttcplanner.gui import MainWindow

    def make(scenario=None):
        w = MainWindow(scenario=scenario, settings=settings)
        qtbot.addWidget(w)
        w.show()
        return w

    yield make
    QThreadPool.globalInstance().waitForDone(10_000)


def _dialog(window, action: str, name: str):
    find(window, QAction, action).trigger()
    shown = [d for d in window.findChildren(QDialog, name) if d.isVisible()]  # closed ones await deleteLater
    assert len(shown) == 1
    return shown[0]


def _option(plan, label: str) -> int:
    return plan.options.label.index(label)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


# -- prices -------------------------------------------------------------------------------------------
def test_edited_price_is_saved_replanned_and_survives_a_restart(qtbot, open_window, user_dir):
    scenario = Scenario(hardware="h100-sxm")  # a token offer is recommended (not a GPU)
    w = open_window(scenario)
    rec = w.plan.recommended
    offer_id, label = w.plan.options.entry_id[rec], w.plan.options.label[rec]
    kind = w.catalog.kind_of(offer_id)
    assert kind in ("api_offers", "asic_offers")
    before_usd = float(w.plan.results.monthly_usd[rec])
    old_price = w.catalog.get(kind, offer_id).output_usd_per_mtok
    new_price = round(old_price * 10 + 1, 2)

    dlg = _dialog(w, "actionEditPrices", "priceEditorDialog")
    assert not dlg.save_button.isEnabled()
    assert dlg.model.set_price(offer_id, "output_usd_per_mtok", f"${new_price:,}")
    assert dlg.save_button.isEnabled()
    with qtbot.waitSignal(w.planUpdated):
        dlg.save_button.click()
    assert not dlg.isVisible()
    assert _files(user_dir) == [f"{kind}.json"]

    edited = w.catalog.get(kind, offer_id)
    assert edited.output_usd_per_mtok == new_price and edited.source == "user:edited"
    assert edited.as_of == dt.date.today().isoformat()
    i = _option(w.plan, label)
    after_usd = float(w.plan.results.monthly_usd[i])
    assert after_usd > before_usd * 2  # output tokens dominate this scenario's bill
    assert w.plan.recommended != rec  # the expensive offer lost the recommendation
    assert f"Prices as of {dt.date.today().isoformat()} (0 days old)" in w.catalog_label.text()

    # A restart: a new window reads the saved user catalog from disk.
    w2 = open_window(scenario)
    assert w2.catalog is not w.catalog
    assert w2.catalog.get(kind, offer_id).output_usd_per_mtok == new_price
    assert float(w2.plan.results.monthly_usd[_option(w2.plan, label)]) == pytest.approx(after_usd)
    assert w2.plan.recommended == w.plan.recommended
    shown = PriceEditorDialog(w2.catalog, w2)
    row = shown.model.row_of(offer_id)
    col = [c.field for c in PRICE_COLUMNS].index("output_usd_per_mtok")
    assert shown.model.index(row, col).data() == f"{new_price:,.2f}"
    assert shown.model.index(row, 9).data() == "edited by you"


def test_price_cells_reject_bad_values_and_keep_nothing(qtbot, open_window, user_dir):
    w = open_window()
    dlg = PriceEditorDialog(w.catalog, w)
    qtbot.addWidget(dlg)
    m = dlg.model
    assert not m.set_price("h100-sxm", "rent_usd_per_gpu_hour", "abc")
    assert "not a number" in dlg.message.text()
    assert not m.set_price("h100-sxm", "rent_usd_per_gpu_hour", "-1")
    assert "between 0 and 1,000" in dlg.message.text()
    assert not m.set_price("gpt-5", "batch_discount", "96")
    assert not m.set_price("gpt-5", "output_usd_per_mtok", "")
    assert not m.set_price("gpt-5", "input_usd_per_mtok", "nan")
    assert m.changes == {} and not dlg.save_button.isEnabled()
    # A GPU has no per-token price, an API offer no rent: those cells are not editable.
    gpu_row, api_row = m.row_of("h100-sxm"), m.row_of("gpt-5")
    assert not m.setData(m.index(gpu_row, 2), "1")
    assert not m.setData(m.index(api_row, 6), "1")
    # Typing the catalog value back is no change (the purchase price: the shipped rent is per provider, issue 19).
    old = w.catalog.gpus["h100-sxm"].purchase_usd
    assert m.set_price("h100-sxm", "purchase_usd", "5")
    assert m.set_price("h100-sxm", "purchase_usd", f"{old}")
    assert m.changes == {}
    assert m.set_price("gpt-5", "batch_discount", "25 %")
    assert m.changes == {"gpt-5": {"batch_discount": 0.25}}
    assert _files(user_dir) == []


def test_price_filter_by_text_and_kind(qtbot, open_window):
    w = open_window()
    dlg = PriceEditorDialog(w.catalog, w)
    qtbot.addWidget(dlg)
    total = dlg.proxy.rowCount()
    assert total == len(w.catalog.api_offers) + len(w.catalog.asic_offers) + len(w.catalog.gpus)
    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData("gpu"))
    assert dlg.proxy.rowCount() == len(w.catalog.gpus)
    dlg.search.setText("h100")
    names = {dlg.proxy.index(r, 1).data() for r in range(dlg.proxy.rowCount())}
    assert names and all("H100" in n for n in names)
    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData(""))
    dlg.search.setText("")
    assert dlg.proxy.rowCount() == total


# -- calibration --------------------------------------------------------------------------------------
def test_calibration_is_saved_and_marks_the_plan(qtbot, open_window, user_dir):
    # On-premises, one H100 per replica, a target only gpt-oss-120b reaches: the calibrated option is recommended.
    # (12k reasoning tokens: with all of accuracy_points.csv, gpt-oss-120b's AIME curve is at 71% at the default 8k)
    w = open_window(
        Scenario(
            hardware="h100-sxm", gpus_per_replica=1, on_prem_only=True, target_accuracy_pct=83, reasoning_tokens=12_000
        )
    )
    i = _option(w.plan, H100_X1)
    assert not w.plan.results.calibrated_by_user.any()
    rate_before = float(w.plan.results.replica_requests_per_s[i])

    dlg = _dialog(w, "actionCalibrate", "calibrateDialog")
    assert not dlg.save_button.isEnabled()
    assert dlg.load_file(BENCH)
    assert dlg.model_combo.currentData() == "gpt-oss-120b"  # guessed from the run's model_id
    dlg.set_setup("gpt-oss-120b", "h100-sxm", 1, "native", "bf16")
    cal = dlg.calibration
    assert cal is not None and dlg.save_button.isEnabled()
    assert dlg.measured_value.text() == "2,901 tok/s"
    assert dlg.estimate_value.text() == f"{cal.measured_output_tokens_per_s / cal.throughput_scale:,.0f} tok/s"
    assert dlg.scale_value.text() == f"× {cal.throughput_scale:.3f}"
    with qtbot.waitSignal(w.planUpdated):
        dlg.save_button.click()

    saved = json.loads((user_dir / "user_calibrations.json").read_text())
    assert [e["id"] for e in saved["entries"]] == [cal.id]
    assert cal.id in w.catalog.user_calibrations
    r = w.plan.results
    i = _option(w.plan, H100_X1)
    assert r.calibrated_by_user[i] and r.calibrated_by_user.sum() == 1
    assert option_json(w.plan.options, r, i)["calibrated_by_user"] is True
    # the plan moves the way the run differs from the estimate (faster: scale > 1)
    assert (float(r.replica_requests_per_s[i]) > rate_before) == (cal.throughput_scale > 1)
    assert w.plan.recommended == i and "calibrated by you" in w.card.text()
    assert "calibrated by you" in w.table.model.index(w.table.model.row_of(i), 1).data(Qt.ItemDataRole.ToolTipRole)
    table = w.table.model
    assert "calibrated by you" in table.index(table.row_of(i), 1).data()
    others = [table.index(row, 1).data() for row in range(table.rowCount()) if table.option_at(row) != i]
    assert not any("calibrated by you" in t for t in others)

    # Calibrating the same setup again says it replaces the earlier one.
    again = _dialog(w, "actionCalibrate", "calibrateDialog")
    again.load_file(BENCH)
    again.set_setup("gpt-oss-120b", "h100-sxm", 1)
    assert "Replaces your calibration" in again.detail_label.text()
    again.reject()


def test_calibrate_with_a_bad_file_or_setup_saves_nothing(qtbot, open_window, user_dir, tmp_path):
    w = open_window()
    dlg = _dialog(w, "actionCalibrate", "calibrateDialog")
    bad = tmp_path / "bench.json"
    bad.write_text(json.dumps({"completed": 10, "duration": 5.0}))
    assert not dlg.load_file(bad)
    assert dlg.error_label.isVisible() and "output_throughput" in dlg.error
    assert not dlg.save_button.isEnabled() and not dlg.save()
    assert dlg.load_file(BENCH)
    dlg.set_setup("gpt-oss-120b", "l4", 1, "bf16")  # 120B at BF16 cannot fit one 24 GB card
    assert "does not fit" in dlg.error and not dlg.save_button.isEnabled()
    dlg.reject()
    assert _files(user_dir) == []


# -- LiteLLM import -----------------------------------------------------------------------------------
def _wait_loaded(qtbot, dlg):
    qtbot.waitUntil(lambda: dlg.result is not None or bool(dlg.error), timeout=10_000)


def test_litellm_import_lists_skipped_entries_and_saves_the_good_ones(qtbot, open_window, user_dir):
    w = open_window()
    old_gpt5 = w.catalog.api_offers["gpt-5"]
    dlg = w.catalog_menu.import_litellm(str(LITELLM))
    assert not dlg.save_button.isEnabled()  # still reading
    _wait_loaded(qtbot, dlg)
    skipped = dlg.findChild(QTableWidget, "litellmSkippedTable")
    keys = {skipped.item(r, 0).text(): skipped.item(r, 1).text() for r in range(skipped.rowCount())}
    assert keys["text-embedding-3-small"] == "mode 'embedding' is not chat or responses"
    assert "sample_spec" in keys and "openai/gpt-5" in keys
    assert "broken/non-numeric" not in keys  # resellers are left out by default, like the CLI
    assert dlg.tabs.tabText(0) == "Updated (5)" and dlg.tabs.tabText(1) == "Added (2)"
    assert "6</b> entries are skipped" in dlg.summary.text()

    dlg.all_check.setChecked(True)  # re-reads with every provider
    _wait_loaded(qtbot, dlg)
    skipped = dlg.findChild(QTableWidget, "litellmSkippedTable")
    keys = {skipped.item(r, 0).text(): skipped.item(r, 1).text() for r in range(skipped.rowCount())}
    assert keys["broken/non-numeric"] == "input_cost_per_token is not a number ('free')"
    assert keys["broken/negative"] == "output_cost_per_token is negative (-2e-06)"
    dlg.all_check.setChecked(False)
    _wait_loaded(qtbot, dlg)
    assert dlg.tabs.tabText(1) == "Added (2)"

    with qtbot.waitSignal(w.planUpdated):
        dlg.save_button.click()
    assert _files(user_dir) == ["api_offers.json"]
    gpt5 = w.catalog.api_offers["gpt-5"]
    assert gpt5.source == LITELLM_SOURCE and gpt5.name == old_gpt5.name
    assert "o3-pro" in w.catalog.api_offers
    assert "broken-non-numeric" not in w.catalog.api_offers
    assert len(json.loads((user_dir / "api_offers.json").read_text())["entries"]) == 7


def test_litellm_import_of_a_bad_file_shows_why_and_changes_nothing(qtbot, open_window, user_dir, tmp_path):
    w = open_window()
    catalog, plan = w.catalog, w.plan
    bad = tmp_path / "prices.json"
    bad.write_text('{"gpt-5": {"input_cost_per_token": 1e-6,')
    dlg = w.catalog_menu.import_litellm(str(bad))
    _wait_loaded(qtbot, dlg)
    assert dlg.result is None and "not valid JSON" in dlg.error
    assert "Nothing was changed" in dlg.summary.text() and str(bad) in dlg.summary.text()
    assert not dlg.save_button.isEnabled() and not dlg.save()
    assert not dlg.tabs.isVisible()
    dlg.reject()
    assert _files(user_dir) == [] and w.catalog is catalog and w.plan is plan


# -- reload and status bar ----------------------------------------------------------------------------
def test_reload_with_a_broken_user_file_keeps_the_catalog(qtbot, open_window, user_dir):
    w = open_window()
    catalog = w.catalog
    user_dir.mkdir(parents=True)
    (user_dir / "gpus.json").write_text(
        json.dumps({"schema_version": 1, "kind": "gpus", "as_of": "2026-01-01", "entries": [{"id": "x"}]})
    )
    find(w, QAction, "actionReloadCatalog").trigger()
    assert w.catalog is catalog
    assert "gpus.json" in w.last_error and "keeps the catalog" in w.last_error
    (user_dir / "gpus.json").unlink()
    with qtbot.waitSignal(w.planUpdated):
        find(w, QAction, "actionReloadCatalog").trigger()
    assert w.catalog is not catalog
    # The scenario panel's combos were rebuilt and still show the scenario.
    assert w.panel.findChild(QComboBox, "hardwareCombo").currentData() == w.scenario.hardware


def test_price_age_warns_like_the_planner(open_window):
    w = open_window()
    cat = w.catalog
    fresh_day = dt.date.fromisoformat(cat.as_of)
    text, stale, tip = price_age(cat, None, today=fresh_day)
    assert (text, stale) == (f"Prices as of {cat.as_of} (0 days old)", False)
    text, stale, tip = price_age(cat, None, today=fresh_day + dt.timedelta(days=STALE_PRICE_DAYS + 1))
    assert stale and text.startswith("⚠ Prices as of") and f"older than {STALE_PRICE_DAYS} days" in tip
    # In the window: warning style exactly when the planner warns about the recommendation's prices or all are old.
    planner_warns = any(x.startswith("Prices behind this recommendation") for x in warning_texts(w.plan))
    assert w.catalog_label.property("stale") == (planner_warns or cat.age_days() > STALE_PRICE_DAYS)
    assert cat.as_of in w.catalog_label.text() and f"{cat.age_days()} days old" in w.catalog_label.text()
    if w.catalog_label.property("stale"):
        assert "⚠" in w.catalog_label.text() and w.catalog_label.styleSheet()


def test_price_cell_edited_in_the_table_view(qtbot, open_window):
    """The real path: double-click a cell (through the filter proxy), type, press Enter."""
    from PySide6.QtWidgets import QLineEdit

    w = open_window()
    dlg = PriceEditorDialog(w.catalog, w)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.search.setText("h100-sxm")
    col = [c.field for c in PRICE_COLUMNS].index("rent_usd_per_gpu_hour")
    index = dlg.proxy.index(0, col)
    assert dlg.proxy.rowCount() == 1 and dlg.proxy.index(0, 1).data() == w.catalog.gpus["h100-sxm"].name
    dlg.view.setCurrentIndex(index)
    dlg.view.edit(index)
    editor = dlg.view.viewport().findChild(QLineEdit)
    # shipped GPUs have no own price (their rents are listed per provider, issue 19): the editor starts empty
    assert editor is not None and editor.text() == "" and w.catalog.gpus["h100-sxm"].rent_usd_per_gpu_hour is None
    editor.selectAll()
    qtbot.keyClicks(editor, "3.25")
    dlg.view.itemDelegate().commitData.emit(editor)  # what Enter does (offscreen windows get no key focus)
    assert dlg.model.changes == {"h100-sxm": {"rent_usd_per_gpu_hour": 3.25}}
    assert index.data() == "3.25" and dlg.save_button.isEnabled()
    assert "1 entry changed" in dlg.message.text()


def test_litellm_dialog_closed_while_reading_is_harmless(qtbot, open_window, user_dir):
    from PySide6.QtWidgets import QApplication

    w = open_window()
    dlg = w.catalog_menu.import_litellm(str(LITELLM))
    dlg.reject()  # WA_DeleteOnClose: gone before the worker reports
    qtbot.waitUntil(lambda: w.findChild(QDialog, "litellmImportDialog") is None, timeout=5000)
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()  # the worker's queued report finds no dialog
    second = w.catalog_menu.import_litellm(str(LITELLM))
    _wait_loaded(qtbot, second)
    assert second.tabs.tabText(0) == "Updated (5)"
    assert _files(user_dir) == []


def test_open_user_catalog_folder_creates_and_opens_it(qtbot, open_window, user_dir):
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtGui import QDesktopServices

    class Catcher(QObject):
        urls: list = []

        @Slot("QUrl")
        def open(self, url):
            self.urls.append(url)

    catcher = Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")  # instead of starting a file manager
    try:
        w = open_window()
        assert not user_dir.exists()
        find(w, QAction, "actionOpenUserCatalog").trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert user_dir.is_dir()
    assert [Path(u.toLocalFile()) for u in catcher.urls] == [user_dir]


def test_reload_keeps_the_extra_catalog_folders(qtbot, settings, user_dir, tmp_path):
    from ttcplanner.gui import MainWindow
    from ttcplanner.model.catalog import entry_to_json, load_catalog

    extra = tmp_path / "extra"
    extra.mkdir()
    gpt5 = entry_to_json(load_catalog(include_user=False).api_offers["gpt-5"])
    gpt5["output_usd_per_mtok"] = 77.0
    (extra / "api_offers.json").write_text(
        json.dumps({"schema_version": 1, "kind": "api_offers", "as_of": gpt5["as_of"], "entries": [gpt5]})
    )
    w = MainWindow(catalog_dirs=[str(extra)], settings=settings)
    qtbot.addWidget(w)
    assert w.catalog.api_offers["gpt-5"].output_usd_per_mtok == 77.0
    before = w.catalog
    with qtbot.waitSignal(w.planUpdated):
        find(w, QAction, "actionReloadCatalog").trigger()
    assert w.catalog is not before and w.catalog.api_offers["gpt-5"].output_usd_per_mtok == 77.0
    assert str(extra) in w.catalog.sources


def test_litellm_reads_run_on_the_dialogs_job_runner_newest_wins(qtbot, open_window, user_dir):
    """One way to run background work: the import runs on the dialog's JobRunner; reading again (another
    providers choice) cancels the older read, whose result never reaches the dialog."""
    w = open_window()
    dlg = w.catalog_menu.import_litellm(str(LITELLM))
    first = dlg.runner.current
    dlg.all_check.setChecked(True)  # a second read, with every provider
    second = dlg.runner.current
    assert second is not first and first.is_cancelled() and not second.is_cancelled()
    _wait_loaded(qtbot, dlg)
    qtbot.waitUntil(second.done.is_set, timeout=10_000)
    skipped = dlg.findChild(QTableWidget, "litellmSkippedTable")
    keys = {skipped.item(r, 0).text() for r in range(skipped.rowCount())}
    assert "broken/non-numeric" in keys  # the newest read's result (every provider), not the first's
    dlg.reject()
    assert not dlg.runner.running()
