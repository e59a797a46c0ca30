"""Write the plan summary PDF: QTextDocument laid out on QPdfWriter pages, with footers, written atomically.

The document is paginated by QTextDocument itself (page size = the body box) and drawn page by page
with the painter translated, so each page can get a "Page N of M" footer. The PDF is rendered into
memory first and then written beside the target and renamed over it: a failed export never leaves a
half-written file, and an existing file survives any error untouched.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Mapping

from ttcplanner.model.errors import InputError
from ttcplanner.model.jsonio import writable_target, write_bytes_atomic

PAPERS = ("a4", "letter")
MARGIN_MM = {"left": 20.0, "right": 20.0, "top": 18.0, "bottom": 20.0}
FOOTER_GAP_MM = 8.0  # footer baseline sits this far below the body box
DPI = 300
BODY_PT = 9.5


def export_pdf(
    plan,
    path: str | os.PathLike[str],
    paper: str = "a4",
    extras: Mapping[str, Mapping[str, Any]] | None = None,
    names: Mapping[str, str] | None = None,
) -> Path:
    """Write the plan summary for ``plan`` to ``path`` (A4 or Letter) and return the path.

    ``extras``: later sections, {key: {"title": str, "html": str, "images": {name: QImage}}}; the html
    refers to its images as ``<img src="name">`` (an image without a width is fitted to the text width); the
    "tornado" section may carry its ``Tornado`` as "result" (``report_extras`` does), and page 1 then names the
    input that flips the recommendation.
    ``names``: display name per accuracy, task and GPU id (``present.names.model_names(catalog)``), as the window
    shows them.
    Raises InputError when the file cannot be written; an existing file is then left as it was.
    """
    paper = str(paper).lower()
    if paper not in PAPERS:
        raise InputError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}", field="paper")
    writable_target(path, "PDF")  # refuse an empty name, a folder, FIFO or device before rendering
    data = render_pdf_bytes(plan, paper, extras, names=names)
    write_bytes_atomic(path, data, "PDF")  # through a symlink: the link stays
    return Path(path)


def render_pdf_bytes(plan, paper: str = "a4", extras=None, today: dt.date | None = None, names=None) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from ttcplanner.report.qt_setup import ensure_app

    family = ensure_app()
    buffer_bytes = QByteArray()
    buffer = QBuffer(buffer_bytes)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    _render(plan, buffer, paper, extras or {}, family, today, names)
    buffer.close()
    return bytes(buffer_bytes.data())


def _render(plan, device, paper: str, extras, family: str, today, names=None) -> None:
    from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
    from PySide6.QtGui import (
        QAbstractTextDocumentLayout,
        QColor,
        QFont,
        QFontMetricsF,
        QPageLayout,
        QPageSize,
        QPainter,
        QPdfWriter,
        QPen,
        QTextDocument,
        QTextOption,
    )

    from ttcplanner import __version__
    from ttcplanner.report.document import report_html
    from ttcplanner.report.figures import plan_figures

    writer = QPdfWriter(device)
    writer.setResolution(DPI)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4 if paper == "a4" else QPageSize.PageSizeId.Letter))
    writer.setPageOrientation(QPageLayout.Orientation.Portrait)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    writer.setTitle(f"Test-time compute plan: {plan.scenario.name}")
    writer.setCreator(f"ttcplanner {__version__}")

    mm = DPI / 25.4
    page_w, page_h = writer.width(), writer.height()
    body = QRectF(
        MARGIN_MM["left"] * mm,
        MARGIN_MM["top"] * mm,
        page_w - (MARGIN_MM["left"] + MARGIN_MM["right"]) * mm,
        page_h - (MARGIN_MM["top"] + MARGIN_MM["bottom"]) * mm,
    )

    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setUseDesignMetrics(True)
    font = QFont(family)
    font.setPointSizeF(BODY_PT)
    for tag in ("liga", "clig"):  # "fi" as one glyph breaks search and copy of field names and URLs
        font.setFeature(QFont.Tag(tag), 0)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # long source URLs
    doc.setDefaultTextOption(option)
    doc.setDefaultStyleSheet(f"body, p, td, th, li {{ font-family: '{family}'; }} a {{ color: #1F3A5F; }}")

    images = {}
    for key, image in plan_figures(plan, family, DPI, names).items():
        images[f"figure-{key}.png"] = image
    extras_html = []
    extra_images = {}
    tornado = None
    for key, section in extras.items():
        tornado = section.get("result") if key == "tornado" else tornado  # page 1 names the input that flips it
        extras_html.append((str(section.get("title", key)), str(section.get("html", ""))))
        for name, image in (section.get("images") or {}).items():
            extra_images[str(name)] = image
    for name, image in {**images, **extra_images}.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    figure_names = {name.removeprefix("figure-").removesuffix(".png"): name for name in images}
    doc.setHtml(report_html(plan, figure_names, extras_html, today, names, tornado))
    doc.setPageSize(QSizeF(body.width(), body.height()))
    _fit_unsized_images(doc, extra_images, body.width())
    keep_with_next(doc, body.height())
    pages = doc.pageCount()

    painter = QPainter()
    if not painter.begin(writer):
        raise InputError("cannot start the PDF renderer")
    # charts are line art: Flate keeps them crisp where the default JPEG would smear thin lines and text
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    try:
        footer_font = QFont(family)
        footer_font.setPointSizeF(7.5)
        for tag in ("liga", "clig"):  # as in the body: "fi" stays two letters for search and copy
            footer_font.setFeature(QFont.Tag(tag), 0)
        fm = QFontMetricsF(footer_font, writer)
        left_text = (
            f"ttcplanner {__version__}  \u00b7  catalog as of {plan.catalog_as_of}  \u00b7  {plan.scenario.name}"
        )
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(body.left(), body.top() - page * body.height())
            ctx = QAbstractTextDocumentLayout.PaintContext()
            # one device pixel short: a block pushed to the next page starts a hair above the page edge
            ctx.clip = QRectF(0, page * body.height(), body.width(), body.height() - 1)
            painter.setClipRect(ctx.clip)
            doc.documentLayout().draw(painter, ctx)
            painter.restore()
            y_rule = body.bottom() + 3 * mm
            painter.setPen(QPen(QColor("#9AA7B5"), 0.5 * DPI / 72))
            painter.drawLine(QPointF(body.left(), y_rule), QPointF(body.right(), y_rule))
            painter.setFont(footer_font)
            painter.setPen(QColor("#444444"))
            right_text = f"Page {page + 1} of {pages}"
            base = body.bottom() + FOOTER_GAP_MM * mm
            right_w = fm.horizontalAdvance(right_text)
            elided = fm.elidedText(left_text, Qt.TextElideMode.ElideRight, body.width() - right_w - 6 * mm)
            painter.drawText(QPointF(body.left(), base), elided)
            painter.drawText(QPointF(body.right() - right_w, base), right_text)
    finally:
        painter.end()


def _has_image(block) -> bool:
    it = block.begin()
    while not it.atEnd():
        if it.fragment().charFormat().isImageFormat():
            return True
        it += 1
    return False


def _keeps_with_next(block) -> bool:
    """Headings, figure titles (before an image), images (before their caption) and lead-ins ending in ':'."""
    nxt = block.next()
    if not nxt.isValid() or block.text().strip() == "":
        return False
    return (
        block.blockFormat().headingLevel() > 0
        or _has_image(nxt)
        or _has_image(block)
        or block.text().rstrip().endswith(":")
    )


SHORT_BLOCK_LINES = 4  # a following block this short (a caption) moves whole; a longer one needs KEEP_LINES
KEEP_LINES = 2  # a heading with one line of its paragraph under it at a page's foot reads as cut off


def keep_with_next(doc, page_height: float, max_rounds: int = 50) -> None:
    """Move a heading or figure title to the next page when what follows it starts on that page.

    QTextDocument paginates line by line and has no keep-with-next; this adds it with page breaks,
    re-checking after each one because a break shifts everything below it.
    """
    from PySide6.QtGui import QTextCursor, QTextFormat

    layout = doc.documentLayout()
    always_before = QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
    for _ in range(max_rounds):
        # an edit re-lays out only part of the document; lay out all of it before measuring
        doc.markContentsDirty(0, doc.characterCount())
        doc.pageCount()
        moved = False
        block = doc.begin()
        while block.isValid():
            nxt = block.next()
            if _keeps_with_next(block):
                top = layout.blockBoundingRect(block).top()
                rect = layout.blockBoundingRect(nxt)
                lines = nxt.layout()
                whole = _has_image(nxt) or lines.lineCount() <= SHORT_BLOCK_LINES
                first = lines.lineAt(KEEP_LINES - 1)  # a heading takes this many lines of a long block along
                end = rect.top() + (rect.height() if whole else first.y() + first.height())
                page_of_top = int((top + 1) // page_height)  # +1: a block moved to a page starts a hair above it
                starts_page = top + 1 - page_of_top * page_height < 2
                already = bool(block.blockFormat().pageBreakPolicy() & always_before)
                if page_of_top != int((end - 1) // page_height) and not starts_page and not already:
                    cursor = QTextCursor(block)
                    fmt = block.blockFormat()
                    fmt.setPageBreakPolicy(always_before)
                    cursor.setBlockFormat(fmt)
                    if nxt.blockFormat().pageBreakPolicy() & always_before:
                        clear = nxt.blockFormat()
                        clear.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_Auto)
                        QTextCursor(nxt).setBlockFormat(clear)
                    moved = True
                    break
            block = nxt
        if not moved:
            break
    doc.markContentsDirty(0, doc.characterCount())
    doc.pageCount()


def _fit_unsized_images(doc, names: dict, text_width_px: float) -> None:
    """Give extras' images without a width their printed size (from their dpi), capped at the text width."""
    if not names:
        return
    from PySide6.QtGui import QTextCursor

    from ttcplanner.report.document import CSS_PX_PER_MM

    max_css = text_width_px / (doc.documentLayout().paintDevice().logicalDpiX() / 96.0)
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isImageFormat():
                img_fmt = fmt.toImageFormat()
                image = names.get(img_fmt.name())
                if image is not None and img_fmt.width() <= 0:
                    dpm = image.dotsPerMeterX() or round(96 / 0.0254)
                    width_css = image.width() / dpm * 1000 * CSS_PX_PER_MM
                    scale = min(1.0, max_css / width_css) if width_css > 0 else 1.0
                    img_fmt.setWidth(width_css * scale)
                    img_fmt.setHeight(width_css * scale * image.height() / max(image.width(), 1))
                    cursor = QTextCursor(doc)
                    cursor.setPosition(frag.position())
                    cursor.setPosition(frag.position() + frag.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(img_fmt)
            it += 1
        block = block.next()
