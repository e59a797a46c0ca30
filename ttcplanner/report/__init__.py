"""The plan summary PDF (QtGui only: runs headless from the CLI with an offscreen QGuiApplication)."""
