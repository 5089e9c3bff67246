"""Excel import and export of the three lists (需求清单, 资源清单, 项目清单), with ONE column definition per list
used both ways: a file exported and imported again changes nothing and reports 0 changes.

Each `Column` writes its cell (`text`), reads the record's current value (`value`) and parses an uploaded cell
(`parse`). On import a row with an 编号 (id) updates that record, a row without one creates one:

- a cell whose text equals what the export writes for the record is unchanged (no parsing, so a category or area
  that is no longer in the importer's index stays as it is);
- otherwise it is parsed, and it is a change only if the parsed value differs from the record's;
- read-only columns (状态, 已承诺, 进度 ...) are exported for reading; on an update row a different text there is an
  error (do it on the record's page), except when the record changed after the export (its 最后修改 differs):
  then the row is refused only if it changes something, so nobody overwrites a change they did not see.

Import is all-or-nothing: `read_plan` checks every row (permissions through the lists policy, scope, references,
values) and collects every error with its Excel row number and column; only a plan without errors is written, by
`actions.do_import_list`, in one transaction. Files are opened through `gongzhi.lib.spreadsheets` (size and cell
limits, defusedxml), exported cells are never formulas (`append_row`).

Projects are created by confirming a match (点对点匹配), not by import: the project list imports only updates of its
status-free fields (项目名称, 项目说明, 预算); every other column is read-only.
"""

from .columns import MAX_LISTED_ERRORS, MAX_ROWS, AreaNames, Column, Context, norm
from .files import (
           Export,
           build_workbook,
           error_text,
           errors_as_dicts,
           errors_summary,
           export_list,
           read_plan,
           template_bytes,
)
from .specs import SPECS, ListSpec, Plan, PlannedRow, get_spec

__all__ = ["MAX_LISTED_ERRORS", "MAX_ROWS", "SPECS", "AreaNames", "Column", "Context", "Export", "ListSpec", "Plan",
           "PlannedRow", "build_workbook", "error_text", "errors_as_dicts", "errors_summary", "export_list", "get_spec",
           "norm", "read_plan", "template_bytes"]
