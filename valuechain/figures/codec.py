"""An ROI report as JSON and back: the engine's documents (valuechain.engine.documents) under
the names the stored figures have always used."""

from __future__ import annotations

from valuechain.engine.documents import UnreadableReport
from valuechain.engine.documents import report_from_document as report_from_json
from valuechain.engine.documents import report_to_document as report_to_json

__all__ = ["UnreadableReport", "report_from_json", "report_to_json"]
