"""``newsmill report``: one self-contained HTML page of charts and tables from the marts."""

from newsmill.report.data import Scope
from newsmill.report.render import write_report

__all__ = ["Scope", "write_report"]
