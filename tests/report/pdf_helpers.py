"""Reading PDFs in report tests."""

from pypdf import PdfReader


def image_widths(pdf) -> list[int]:
    """Pixel widths of every image embedded in ``pdf`` (a path or a PdfReader)."""
    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(str(pdf))
    widths = []
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject")
        if xobjects:
            for obj in xobjects.get_object().values():
                obj = obj.get_object()
                if obj["/Subtype"] == "/Image":
                    widths.append(int(obj["/Width"]))
    return widths
