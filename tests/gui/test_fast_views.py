"""The views that repaint on every slider step and draw themselves: the card places its own children,
the options table paints its own cells, the plots keep their axes steady and draw markers as pixmaps."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QPalette, QStaticText
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QSlider

from tests.gui.gui_helpers import EventCounter, PaintRegions, change_and_wait, find
from ttcplanner.gui.options_table import COLUMNS
from ttcplanner.gui.plot_base import KEEP_FILLED, steady_span
from ttcplanner.gui.recommendation_card import _tile_widths
from ttcplanner.gui.rich_text import RichText
from ttcplanner.model.format import money


def _shipped():
    from ttcplanner.model import scenario as sc
    from ttcplanner.paths import scenarios_dir

    return [sc.load(p) for p in sorted(scenarios_dir().glob("*.json"))]


@pytest.mark.parametrize("scenario", _shipped(), ids=lambda s: s.name[:30])
def test_card_children_fit_their_text_and_do_not_overlap(qtbot, make_window, scenario):
    window = make_window(scenario)
    window.resize(1500, 950)
    qtbot.waitUntil(lambda: window.card.width() > 900)
    QApplication.processEvents()
    card = window.card
    body = card._body
    labels = [card.headline, card.alternatives, card.reasons, card.footer] + (
        [card.warnings] if card.warnings.text() else []
    )
    for label in labels:  # as tall as the text needs at its width: nothing cut, no blank lines
        assert label.height() == label.heightForWidth(label.width()), (label.objectName(), label.height())
    shown = [w for w in dict.fromkeys([card.kind, card.status, *card.tiles, *labels]) if w.isVisibleTo(body)]
    for i, a in enumerate(shown):
        assert body.rect().contains(a.geometry()), a.objectName()
        for b in shown[i + 1 :]:
            assert not a.geometry().intersects(b.geometry()), (a.objectName(), b.objectName())
    # the default window shows the whole card without scrolling
    assert body.height() <= card._scroll.viewport().height()


def test_rich_text_wraps_to_its_width_and_sizes_itself_on_one_line(qtbot):
    wrapped, line = RichText("w", 9), RichText("l", wrap=False)
    for w in (wrapped, line):
        qtbot.addWidget(w)
    wrapped.setText("<b>Why</b><br>" + "• a reason that is long enough to wrap " * 4)
    line.setText("<span style='background:#123'>&nbsp;badge&nbsp;</span>")
    assert wrapped.heightForWidth(120) > wrapped.heightForWidth(600) > 0  # narrower: more lines
    assert line.sizeHint().width() > 30 and not line.hasHeightForWidth()
    assert wrapped.text().startswith("<b>Why</b>") and wrapped.accessibleName().startswith("Why\n• a reason")
    boxed, plain = RichText("b", box=("#fff4d6", "#e0a800")), RichText("p")
    for w in (boxed, plain):
        qtbot.addWidget(w)
        w.setText("x")
    assert boxed.heightForWidth(300) == plain.heightForWidth(300) + 10  # padding 4 + border 1, twice


def test_rich_text_lays_a_text_out_again_only_for_a_new_width(qtbot, make_window):
    """QTextDocument re-lays out its whole text on every setTextWidth, even to the width it has: a slider
    step that changes the card's texts but not their widths must not ask for it, and heights still follow
    the new text."""
    from ttcplanner.model.scenario import Scenario

    # fixed budget: each samples step changes the figures (in auto mode samples is a cap the plan may not use)
    window = make_window(Scenario(budget_mode="fixed"))
    card = window.card
    slider = find(window, QSlider, "samplesSlider")
    kind = None
    for _ in range(4):  # the window's first layout settles, at a budget whose next step keeps the kind badge
        change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 40))
        QApplication.processEvents()
        if card.kind.text() == kind:  # (a new badge width is a new headline width: laid out again, rightly)
            break
        kind = card.kind.text()
    widths, watched = [], set()

    def watch(text):
        for doc in text._docs:
            if doc not in watched:
                watched.add(doc)
                doc.setTextWidth = lambda w, set_width=doc.setTextWidth: widths.append(w) or set_width(w)

    for text in (card.headline, card.alternatives, card.reasons):
        watch(text)
    before = card.text()
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 40))
    QApplication.processEvents()  # and paint
    assert card.kind.text() == kind, "precondition: the step keeps the recommendation's kind"
    assert card.text() != before and widths == []
    reasons = card.reasons
    height = reasons.heightForWidth(reasons.width())
    reasons.setText(reasons.text() + "<br>• one more line")
    assert reasons.heightForWidth(reasons.width()) > height and widths == []
    watch(reasons)
    reasons.heightForWidth(reasons.width() // 2)  # a new width: each line laid out again, once
    assert len(widths) == len(reasons._docs) == reasons.text().count("<br>") + 1


def test_rich_text_parses_and_repaints_only_the_lines_that_changed(qtbot):
    text = RichText("t", 9)
    qtbot.addWidget(text)
    text.resize(300, 10)
    lines = ["<b>Why</b>", "• costs <span style='color:#d9711c'>$949</span>/month", "• break-even at 22.8k/day"]
    text.setText("<br>".join(lines))
    text.resize(300, text.heightForWidth(300))
    painted = PaintRegions(text)
    regions = painted.regions
    text.show()
    qtbot.waitUntil(lambda: bool(regions))  # the first, whole paint
    regions.clear()
    parsed = []
    for j, doc in enumerate(text._docs):
        doc.setHtml = lambda html, j=j, set_html=doc.setHtml: parsed.append(j) or set_html(html)
    lines[1] = "• costs <span style='color:#d9711c'>$1.02k</span>/month"
    text.setText("<br>".join(lines))
    qtbot.waitUntil(lambda: bool(regions))
    tops, repainted = text._tops(), regions[-1].boundingRect()
    assert parsed == [1] and repainted.top() == tops[1] and repainted.height() == tops[2] - tops[1]
    assert text.accessibleName() == "Why\n• costs $1.02k/month\n• break-even at 22.8k/day"
    text.setText("<br>".join(lines[:2]))  # a line fewer: shorter
    assert len(text._docs) == 2 and text.heightForWidth(300) == tops[2]
    painted.remove()


def test_card_copies_its_text_on_ctrl_c_after_a_click(qtbot, window):
    QApplication.clipboard().clear()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.mouseClick(window.card.reasons, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.card.isAncestorOf(QApplication.focusWidget()) or QApplication.focusWidget() is window.card
    )
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QApplication.clipboard().text()
    assert window.card.monthly.value_text in copied and "Why" in copied and "<" not in copied


def test_a_step_paints_each_card_text_once(qtbot, make_window):
    """A new figure is laid out once and painted once: a rich-text QLabel painted before being measured
    asked for a second repaint an event-loop pass later, on most steps."""
    from ttcplanner.model.scenario import Scenario

    window = make_window(Scenario(budget_mode="fixed"))  # each samples step changes the figures (auto: maybe none)
    card = window.card
    texts = [card.headline, card.alternatives, card.reasons]
    counter = EventCounter(QEvent.Type.Paint, only=texts)
    QApplication.instance().installEventFilter(counter)
    try:
        slider = find(window, QSlider, "samplesSlider")
        for value in (slider.maximum() // 4, slider.maximum() // 3, slider.maximum() // 2):
            counter.count = 0
            change_and_wait(qtbot, window, lambda v=value: slider.setValue(v))
            qtbot.waitUntil(lambda: counter.count >= 1)
            for _ in range(4):
                QApplication.processEvents()
            assert counter.count <= len(texts), value
    finally:
        QApplication.instance().removeEventFilter(counter)


def test_card_shows_a_full_paint_after_it_starts_and_stops_scrolling(qtbot, make_window):
    """The card lays its texts out for the width with the scroll bar, and its viewport and body repaint only
    what a resize uncovers (WA_StaticContents): the screen must still show what a full paint draws."""
    from ttcplanner.model.scenario import Scenario

    window = make_window(Scenario(budget_mode="fixed"))
    card = window.card
    bar, port = card._scroll.verticalScrollBar(), card._scroll.viewport()
    slider = find(window, QSlider, "targetAccuracySlider")
    seen = []
    # Step the target up until a step makes the card scroll (3-4 warning lines) and a later one ends it (1-2):
    # which steps do depends on the fitted models, so the test finds them rather than naming them.
    for value in range(slider.maximum() // 2, slider.maximum() + 1, max(1, slider.maximum() // 30)):
        if value == slider.value():
            continue
        change_and_wait(qtbot, window, lambda v=value: slider.setValue(v))
        for _ in range(4):
            QApplication.processEvents()
        seen.append(bar.isVisible())
        shown, full = _shown(window, port)
        assert shown == full, value
        if True in seen and not seen[-1]:
            break
    assert True in seen and not seen[-1], "precondition: a step makes the card scroll, a later one ends it"


def test_card_follows_a_new_plan_and_a_narrow_window(qtbot, window):
    slider = find(window, QSlider, "tokenVolumeSlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.maximum()))
    assert window.card.monthly.value_text in window.card.text()
    window.resize(1, 1)  # the smallest window: two rows of tiles, the body scrolls rather than overlaps
    qtbot.waitUntil(lambda: window.width() == window.minimumWidth())
    QApplication.processEvents()
    tiles = window.card.tiles
    assert all(t.geometry().right() < window.card._body.width() for t in tiles)
    assert len({t.y() for t in tiles}) == 2  # seven tiles do not fit one row there: they take two
    narrow = [t for t in tiles if t.sizeHint().width() > t.width()]
    cut = [t for t in narrow if any(x.endswith("…") for x in t.shown_texts())]
    assert all(t.value_text in t.toolTip() for t in cut)  # what is cut is in the tooltip
    for t in narrow:  # what is not cut is shown whole, its detail wrapped
        if t not in cut:
            assert " ".join(t.shown_texts()[2:]) == t.detail_text
    breakeven = window.card.breakeven
    if breakeven in cut and window.plan.break_evens:  # its own explanation survives the cut
        assert "cheaper below" in breakeven.toolTip()


def test_card_fills_its_dock_and_fits_its_scroll_bar(qtbot, make_window):
    from ttcplanner.model.scenario import Scenario

    window = make_window(Scenario(hardware="h100-sxm"))  # a token-offer card, as before GPUs were sized for p95
    card = window.card
    viewport, bar = card._scroll.viewport(), card._scroll.verticalScrollBar()
    for height, scrolls in ((600, False), (120, True), (600, False)):  # taller than the content, scrolling, back
        window.resizeDocks([window.card_dock], [height], Qt.Orientation.Vertical)
        qtbot.waitUntil(lambda scrolls=scrolls: bar.isVisible() == scrolls and card._body.width() == viewport.width())
        image = card.grab().toImage()
        if not scrolls:  # white to the bottom (when it scrolls, the bottom row shows whatever content is there)
            assert QColor(image.pixel(image.width() // 2, image.height() - 4)) == QColor("white")
        assert card._body.height() >= viewport.height()


def test_tile_widths_share_spare_room_and_cut_the_widest_first():
    assert _tile_widths([100, 50], 170) == [110, 60]
    assert _tile_widths([300, 50, 60], 300) == [190, 50, 60]  # short figures stay whole
    assert sum(_tile_widths([200, 200, 200], 300)) <= 300


def _pixel(view, row: int, col: int) -> QColor:
    """A background pixel of one cell (its bottom-left corner, clear of the text)."""
    rect = view.visualRect(view.model().index(row, col))
    image = view.viewport().grab().toImage()
    return QColor(image.pixel(rect.left() + 1, rect.bottom() - 2))


def test_table_paints_recommended_selected_and_alternate_rows(qtbot, window):
    view = window.table.view
    model = window.table.model
    plan = window.plan
    assert model.option_at(0) == plan.recommended  # default sort: the recommendation is row 1
    assert _pixel(view, 0, 2) == QColor("#e3f4e8")
    palette = view.palette()
    assert _pixel(view, 1, 2) == palette.color(QPalette.ColorRole.AlternateBase)
    view.selectRow(2)
    assert _pixel(view, 2, 2) == palette.color(QPalette.ColorRole.Highlight)
    assert window.table._selected == model.option_at(2)


def test_table_cuts_long_text_to_its_column(qtbot, window):
    view = window.table.view
    view.setColumnWidth(1, 60)
    QApplication.processEvents()
    for _ in range(2):  # the second paint draws prepared static texts
        view.viewport().grab()
    cut = [t for (text, _bold, width), (t, _advance) in view._texts.items() if width == 60 - 1 - 8]
    assert cut and all(t.text().endswith("…") or t.size().width() <= 51 for t in cut)
    assert any(t.text().endswith("…") for t in cut)


def test_filtering_keeps_a_hidden_selection_highlighted_in_the_plots(qtbot, window):
    from PySide6.QtWidgets import QCheckBox

    plan = window.plan
    missing = int(np.flatnonzero(~plan.results.eligible)[0])
    window.table.select_option(missing)
    find(window, QCheckBox, "onlyFitCheck").setChecked(True)
    assert window.table.model.row_of(missing) == -1
    assert window.table._selected == missing


def test_steady_span_moves_only_when_data_leaves_or_shrinks_well_inside():
    assert steady_span((0.0, 4.0), (1.0, 4.0)) == (0.0, 4.0)  # inside and fills 75 %: stays
    assert steady_span((0.0, 4.0), (1.0, 3.0)) == (1.0, 3.0)  # fills 50 % < KEEP_FILLED: tightens
    assert steady_span((0.0, 4.0), (1.0, 4.5)) == (1.0, 4.5)  # leaves: follows
    assert steady_span(None, (1.0, 2.0)) == (1.0, 2.0)
    assert 0 < KEEP_FILLED < 1
    # data that leaves gets a step to spare on the side it left by, so the next steps the same way stay put
    assert steady_span((0.0, 4.0), (1.0, 4.5), step=0.5) == (1.0, 5.0)
    assert steady_span((1.0, 4.0), (0.0, 4.0), step=0.5) == (-0.5, 4.0)
    assert steady_span((0.0, 4.0), (1.0, 4.5), step=5.0) == (1.0, 4.5)  # no room to spare: it would fill < 60 %
    assert steady_span((0.0, 4.0), (1.0, 3.0), step=0.5) == (1.0, 3.0)  # shrinking well inside: tight, no spare


def test_fit_plots_tightens_what_a_drag_left_wide(qtbot, window):
    plot = window.cost_plot
    plot._fitted = (plot._fitted[0], (plot._tight[1][0] - 0.5, plot._tight[1][1]))  # as a drag could leave it
    plot._apply_fitted()
    wide = plot.getPlotItem().getViewBox().viewRange()[1]
    window.fit_plots()
    tight = plot.getPlotItem().getViewBox().viewRange()[1]
    assert tight[0] > wide[0] and plot._fitted == plot._tight


def test_markers_sit_on_the_plan_and_hide_without_one(qtbot, window):
    plan = window.plan
    star = window.volume_plot.mark("recommended")
    x, y = star.getData()
    vx, vy = window.volume_plot.to_view(plan.scenario.requests_per_day, plan.results.monthly_usd[plan.recommended])
    assert (x[0], y[0]) == (vx, vy) and star.isVisible()
    star.place()
    assert star.getData()[0].size == 0 and not star.isVisible()


def test_volume_markers_at_either_end_of_the_slider_are_whole(qtbot, window):
    """The view clips what leaves it: at 1 and at 10^9 requests per day the star and the volume line
    must still lie inside the plot."""
    plot = window.volume_plot
    vb = plot.getPlotItem().getViewBox()
    slider = find(window, QSlider, "tokenVolumeSlider")
    for end in (slider.maximum(), slider.minimum()):
        change_and_wait(qtbot, window, lambda end=end: slider.setValue(end))
        QApplication.processEvents()
        star = plot.mark("recommended")
        assert star.isVisible()
        view = vb.sceneBoundingRect()  # scene units are the plot's pixels
        side = star.pixmap().width() / star.pixmap().devicePixelRatio()
        at = star.scenePos()  # the items ignore the view's scaling: their size is in pixels
        assert view.contains(QRectF(at.x() - side / 2, at.y() - side / 2, side, side)), (end, at, view)
        line = plot.marker_line("now").line
        assert view.left() < line.scenePos().x() < view.right()


def test_a_slider_step_updates_table_cells_without_resetting_it(qtbot, window):
    model = window.table.model
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    slider = find(window, QSlider, "computeBudgetSlider")
    with qtbot.waitSignal(model.dataChanged):
        change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 5))
    assert not resets  # a reset would also rebuild the header and drop the selection
    i = model.option_at(0)
    monthly = COLUMNS.index("$ / month")
    assert model.index(0, monthly).data() == money(window.plan.results.monthly_usd[i])  # the new plan's figures


def test_table_shapes_each_cell_text_once(qtbot, window):
    """Each text is shaped once, into a QStaticText drawn on every later repaint: a repaint of unchanged
    cells shapes nothing and lands on the same pixels; a new plan shapes only the texts it changed."""
    view = window.table.view
    view._texts.clear()
    first = view.viewport().grab().toImage()
    shaped = dict(view._texts)
    assert shaped and all(isinstance(t, QStaticText) for t, _ in shaped.values())
    again = view.viewport().grab().toImage()
    assert again == first and view._texts == shaped
    model = view.model()

    def cells() -> dict:  # the visible ones: (text, bold) per cell
        rows = view.rowAt(view.viewport().height() - 1) + 1 or model.rowCount()
        return {(r, c): model.look(r, c)[:3:2] for r in range(rows) for c in range(model.columnCount())}

    before = cells()
    slider = find(window, QSlider, "tokenVolumeSlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.value() + 60))
    view.viewport().grab()
    after = cells()
    changed = {cell for cell in after if after[cell] != before[cell]}
    new = [key for key in view._texts if key not in shaped]
    assert 0 < len(new) <= len(changed) < len(after)  # only what the new plan changed was shaped


def _shown(window, widget):
    """What the screen shows of ``widget`` (the window's backing store), against a fresh paint of it: a
    widget that repaints only what changed must still show what a full paint draws."""
    image = window.screen().grabWindow(window.winId()).toImage()
    at = widget.mapTo(window, widget.rect().topLeft())
    shown = image.copy(at.x(), at.y(), widget.width(), widget.height())
    return shown, widget.grab().toImage().convertToFormat(shown.format())


def test_table_repaints_only_the_cells_a_step_changed(qtbot, window):
    # fixed budget: each samples or budget step reprices every option (in auto mode a cap may change nothing)
    change_and_wait(qtbot, window, lambda: window.card.auto_budget.setChecked(False))
    view = window.table.view
    port = view.viewport()
    painted = PaintRegions(port)
    regions = painted.regions
    model = view.model()
    rows = view.rowAt(port.height() - 1) + 1 or model.rowCount()
    for name, move in (("samplesSlider", 20), ("computeBudgetSlider", 5), ("samplesSlider", -15)):
        slider = find(window, QSlider, name)
        before = {(r, c): model.look(r, c) for r in range(rows) for c in range(model.columnCount())}
        regions.clear()
        change_and_wait(qtbot, window, lambda slider=slider, move=move: slider.setValue(slider.value() + move))
        qtbot.waitUntil(lambda: bool(regions))
        QApplication.processEvents()
        region = regions[-1]
        for (r, c), look in before.items():
            cell = view.visualRect(model.index(r, c))
            if model.look(r, c) != look:
                assert region.contains(cell), (name, r, c)
            elif not view.selectionModel().isRowSelected(r):
                assert not region.intersects(cell), (name, r, c)  # unchanged: left as it was
        shown, fresh = _shown(window, port)
        assert shown == fresh, name
    painted.remove()
    # a selected option that a new plan moves to another row: its old and new rows are repainted whole
    view.verticalScrollBar().setValue(2)
    view.selectRow(4)
    selected = window.table._selected
    slider = find(window, QSlider, "samplesSlider")
    moved = 0
    for move in (60, 60, -40, 80, -100):
        row = model.row_of(selected)
        change_and_wait(qtbot, window, lambda move=move: slider.setValue(slider.value() + move))
        QApplication.processEvents()
        moved += model.row_of(selected) != row
        assert window.table._selected == selected and view.selectionModel().isRowSelected(model.row_of(selected))
        shown, fresh = _shown(window, port)
        assert shown == fresh, move
    assert moved  # the steps did move it


def test_sorting_by_a_column_keeps_the_selected_option_highlighted(qtbot, window):
    view, model = window.table.view, window.table.model
    view.selectRow(3)
    option = model.option_at(3)
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # what a header click does
    rows = view.selectionModel().selectedRows()
    assert [model.option_at(r.row()) for r in rows] == [option]
    assert model.option_at(view.currentIndex().row()) == option


def test_marker_lines_span_the_view_and_keep_their_labels_inside(qtbot, window):
    plot = window.volume_plot
    line = plot.marker_line("now")
    vb = plot.getPlotItem().getViewBox()
    slider = find(window, QSlider, "tokenVolumeSlider")
    for end in (slider.maximum(), slider.minimum()):
        change_and_wait(qtbot, window, lambda end=end: slider.setValue(end))
        box = line.box.mapRectToItem(vb, line.box.rect())
        assert vb.boundingRect().contains(box), (end, box)  # the label is placed inside the view
        x = plot.to_pixels(line.value(), 0)[0]
        # beside its line, on the side with room
        assert box.right() <= x if end == slider.maximum() else box.left() >= x
    (x0, x1), (y0, y1) = vb.viewRange()
    assert (line.line.pos().y(), line.line.line().length()) == (y1, vb.height())  # from the top, full height
    vb.setRange(yRange=(y0 - 1, y1 + 1), padding=0)  # a zoom or pan: the line follows the view at once
    assert line.line.pos().y() == vb.viewRange()[1][1]


def test_published_dots_are_the_drawn_models_and_carry_their_source(qtbot, window):
    from ttcplanner.present.figures import drawn_models

    plot = window.accuracy_plot
    plan = window.plan
    roles, context, _ = drawn_models(plan)
    drawn = {c.accuracy_id for c, _ in roles} | {c.accuracy_id for c in context}
    expected = sum(
        1 for c in plan.accuracy_curves if c.accuracy_id in drawn for p in c.points if p.reasoning_tokens > 0
    )
    shown = [d for d in plot._dots if d.isVisible()]
    assert len(shown) == expected > 0
    d = plot.figure.dots[0]
    text = plot.hover_at_data(d.xy[0][0], d.xy[1][0])
    assert "source:" in text and "published" in text


def test_frontier_dots_sit_on_the_frontier_points(qtbot, window):
    plot = window.cost_plot

    def dots():
        return [plot.mark(m.key) for m in plot.figure.marks if m.key.startswith("frontier:")]

    x, y = plot.series_curve("frontier").getData()
    # solid dots, and hollow ones where the accuracy is extrapolated
    shown = [d for d in dots() if d.isVisible()]
    assert len(shown) == len(x) > 0
    at = sorted((d.getData()[0][0], d.getData()[1][0]) for d in shown)
    assert np.allclose(at, sorted(zip(x, y, strict=True)))
    hollow = sum(m.hollow for m in plot.figure.marks)
    assert hollow == int(np.sum(window.plan.frontier_extrapolated))
    slider = find(window, QSlider, "targetAccuracySlider")
    change_and_wait(qtbot, window, lambda: slider.setValue(slider.maximum()))
    x2, _ = plot.series_curve("frontier").getData()
    assert sum(d.isVisible() for d in dots()) == len(x2)
    assert sum(m.isVisible() for k, m in plot._marks.items() if k.startswith("frontier:")) == len(x2)  # none left over


def test_curves_are_bounded_by_their_finite_points_plus_the_pen(qtbot, window):
    """Qt repaints a curve's bounding rectangle: it must hold every drawn point and the pen's width in
    pixels, and follow new data and a new view range."""
    plot = window.cost_plot
    vb = plot.getPlotItem().getViewBox()
    curve = plot.curve("#000000", 3.0)
    curve.setData(np.array([1.0, 2.0, np.nan, np.inf, -3.0]), np.array([np.nan, -1.5, 6.0, -np.inf, -2.5]))
    assert curve.dataBounds(0) == (-3.0, 2.0) and curve.dataBounds(1) == (-2.5, -1.5)
    px, py = vb.viewPixelSize()
    r = curve.boundingRect()
    assert (
        r.left() < -3.0 - 2 * px and r.right() > 2.0 + 2 * px and r.top() < -2.5 - 2 * py and r.bottom() > -1.5 + 2 * py
    )
    assert r.width() < 5.0 + 8 * px  # a few pixels, not the pen's width in view units
    vb.setXRange(-500, 500, padding=0)  # wider: a pixel is more view units
    vb.updateMatrix()
    assert curve.boundingRect().width() > r.width() + 8 * px
    curve.setData(np.array([0.5, 4.0]), np.array([-2.0, -1.0]))  # a new plan: bounds follow
    assert curve.dataBounds(0) == (0.5, 4.0)
    curve.setData(np.array([np.nan]), np.array([np.nan]))
    assert curve.dataBounds(1) == (None, None) and curve.boundingRect().isEmpty() and curve.path().isEmpty()


def test_volume_plot_says_why_it_has_no_curve(qtbot, make_window):
    from ttcplanner.model import scenario as sc
    from ttcplanner.paths import scenarios_dir

    base = sc.load(scenarios_dir() / "maths-tutor-high-volume.json")
    # A target no option reaches. (112 reasoning tokens used to leave every option short of 75%; with the merged
    # catalog GPT-5.4 is bought at its lowest effort level, whose own ~3.8k tokens reach 88%.)
    window = make_window(base.replace(target_accuracy_pct=99.0))
    plot = window.volume_plot
    assert not any(np.isfinite(window.plan.volume_monthly_usd[k]).any() for k in window.plan.volume_monthly_usd)
    assert plot.notice.isVisible() and "No option meets every target" in plot.notice.textItem.toPlainText()
    vb = plot.getPlotItem().getViewBox()
    (_, _), (y0, y1) = vb.viewRange()
    assert y1 - y0 >= 1.0  # at least a decade: the axis shows figures around the star

    def clear_of_markers():
        QApplication.processEvents()
        box = plot.notice.sceneBoundingRect()
        assert vb.sceneBoundingRect().contains(box)
        for marker in (plot.mark("recommended"), plot.mark("selected")):
            if marker.isVisible():
                at, side = marker.scenePos(), marker.pixmap().width() / marker.pixmap().devicePixelRatio()
                assert not box.intersects(QRectF(at.x() - side / 2, at.y() - side / 2, side, side))

    clear_of_markers()
    plan = window.plan
    dearer = int(np.nanargmax(np.where(np.isfinite(plan.results.monthly_usd), plan.results.monthly_usd, np.nan)))
    window.table.select_option(dearer)  # a second marker, far above the star
    clear_of_markers()
    target = find(window, QDoubleSpinBox, "targetAccuracySliderValue")
    change_and_wait(qtbot, window, lambda: target.setValue(base.target_accuracy_pct))  # the scenario's own target
    assert any(np.isfinite(window.plan.volume_monthly_usd[k]).any() for k in window.plan.volume_monthly_usd)
    assert not plot.notice.isVisible()


def test_axes_redraw_a_range_seen_before_from_its_kept_picture(qtbot, window):
    """Going back to a range reuses its picture (no ticks generated again) and looks the same; a new pen
    is a new picture."""
    from PySide6.QtGui import QImage, QPainter

    plot = window.cost_plot
    axis, vb = plot.getPlotItem().getAxis("left"), plot.getPlotItem().getViewBox()

    def drawn() -> QImage:
        QApplication.processEvents()
        image = QImage(axis.boundingRect().size().toSize(), QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        axis.picture = None  # paint as after a range change
        axis.paint(painter, None, None)
        painter.end()
        return image

    generated = []
    original = axis.generateDrawSpecs
    axis.generateDrawSpecs = lambda p: generated.append(1) or original(p)
    axis._pictures.clear()
    first_range = vb.viewRange()[1]
    first = drawn()
    first_grid = plot._grid.path()
    assert len(generated) == 1  # the window's own repaint and this one: one picture
    vb.setYRange(first_range[0] - 1.0, first_range[1] + 1.0, padding=0)
    assert drawn() != first and len(generated) == 2
    vb.setYRange(*first_range, padding=0)
    assert drawn() == first and len(generated) == 2  # from the kept picture
    assert plot._grid.path() == first_grid
    grid_lines = []
    plot._grid_lines = lambda *a, original=plot._grid_lines: grid_lines.append(1) or original(*a)
    for y_range in ((first_range[0] - 1.0, first_range[1] + 1.0), first_range):  # both seen: the lines are kept
        vb.setYRange(*y_range, padding=0)
    assert grid_lines == [] and plot._grid.path() == first_grid
    axis.setTextPen("#ff0000")
    assert drawn() != first and len(generated) == 3


def test_grid_lines_fall_on_the_axis_ticks_computed_once(qtbot, window):
    """The grid asks the axis for its ticks at the length the axis measures them for (its side plus a pixel
    at each end), so the lines fall on the axis's major ticks and the axis finds them computed."""
    import pyqtgraph as pg

    plot = window.cost_plot
    axis, vb = plot.getPlotItem().getAxis("left"), plot.getPlotItem().getViewBox()
    computed = []
    original = pg.AxisItem.tickValues
    pg.AxisItem.tickValues = lambda self, *a: computed.append(a) or original(self, *a)
    try:
        lo, hi = vb.viewRange()[1]
        vb.setYRange(lo - 0.37, hi + 0.41, padding=0)  # a range never seen
        qtbot.waitUntil(lambda: axis.picture is not None)  # painted
    finally:
        pg.AxisItem.tickValues = original
    y0, y1 = vb.viewRange()[1]
    assert [a[:2] for a in computed] == [(y0, y1)]  # once, for the grid and the axis
    majors = [v for v in axis.tickValues(y0, y1, computed[0][2])[0][1] if y0 <= v <= y1]
    path = plot._grid.path()
    horizontal = sorted(
        {
            round(path.elementAt(k).y, 9)
            for k in range(0, path.elementCount(), 2)
            if path.elementAt(k).y == path.elementAt(k + 1).y
        }
    )
    assert horizontal == sorted(round(v, 9) for v in majors) and len(majors) >= 2


def test_card_tiles_keep_their_widths_while_their_texts_fit(qtbot, window):
    """A tile that moves repaints the whole row: texts that still fit their tiles keep the row still."""
    card = window.card
    # Wide enough for every tile's text: the default scenario's accuracy tile now reads 'band .. to ..
    # (extrapolated)' and its break-even tile 'one kind is cheapest at every volume', and at the desktop
    # default size the row is cut (a cut tile does not fit its text, so any step rightly lays the row out again).
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: card.width() > 1300)
    QApplication.processEvents()
    assert all(t.sizeHint().width() <= t.width() for t in card.tiles), "precondition: every text fits its tile"
    before = [t.geometry() for t in card.tiles]
    card.monthly.set("$1", "short")  # narrower than before: every tile stays where it is
    card._place()
    assert [t.geometry() for t in card.tiles] == before
    card.monthly.set("$" + "9" * 12, "wider than the tile it had, in the wider window too")  # outgrows its tile:
    monthly = card.tiles.index(card.monthly)  # the row is laid out again
    assert card.monthly.sizeHint().width() > before[monthly].width(), "precondition: the text outgrows its tile"
    card._place()
    assert card.monthly.width() > before[monthly].width() and card.monthly.width() >= card.monthly.sizeHint().width()


def test_long_curves_drop_only_the_points_inside_straight_runs():
    """The same picture with fewer segments: a straight run keeps its ends, turns and gaps are kept, a run
    of gaps is one gap, and a curve without a drawable point is empty."""
    from ttcplanner.gui.plot_base import SIMPLIFY_FROM_POINTS, without_collinear

    x = np.linspace(0.0, 9.0, 181)
    straight = without_collinear(x, 2.0 * x + 1.0)
    assert straight[0].tolist() == [0.0, 9.0] and straight[1].tolist() == [1.0, 19.0]
    step = np.where(x < 3.0, 1.0, 2.0)  # flat, a jump, flat
    sx, sy = without_collinear(x, step)
    assert len(sx) == 4 and sy.tolist() == [1.0, 1.0, 2.0, 2.0]
    np.testing.assert_allclose(np.interp(x, sx, sy)[x < 2.9], 1.0)
    back = np.concatenate([x, x[::-1]])  # out and back along the same line: the turn stays
    assert without_collinear(back, back)[0].tolist() == [0.0, 9.0, 9.0, 0.0]  # x[-1] is there twice
    gap = 2.0 * x
    gap[50:60] = np.nan
    gx, gy = without_collinear(x, gap)
    assert np.isnan(gy).sum() == 1 and gx[0] == 0.0 and gx[-1] == 9.0 and x[49] in gx and x[60] in gx
    assert without_collinear(x, np.full(x.shape, np.nan))[0].size == 0
    few = np.arange(SIMPLIFY_FROM_POINTS - 1, dtype=float)
    assert without_collinear(few, few)[0].size == few.size  # short curves are drawn as they are


def test_axis_with_explicit_ticks_paints_from_its_kept_pictures(qtbot, window):
    """pyqtgraph's setTicks stores lists: the axis's picture and tick keys must still be usable."""
    axis = window.cost_plot.getPlotItem().getAxis("left")
    axis.setTicks([[(-1.0, "ten cents")], []])
    axis.picture = None
    window.cost_plot.grab()
    assert axis.picture is not None and len(axis._pictures) == 1  # explicit ticks: the kept pictures were dropped
    axis.setTicks(None)
