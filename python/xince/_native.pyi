"""The native half (Rust, PyO3). Use the `xince` package's API instead."""

from typing import List, Optional, Tuple

import pyarrow

__version__: str

class Engine:
    def __init__(
        self,
        path: str,
        jurisdiction: Optional[str] = ...,
        as_of: Optional[str] = ...,
        scenario: Optional[str] = ...,
        explain: bool = ...,
        cache_dir: Optional[str] = ...,
        threads: int = ...,
    ) -> None: ...
    def evaluate_json(self, text: str, jurisdiction: Optional[str] = ...) -> Tuple[bool, str]: ...
    def evaluate_json_many(self, texts: List[str], jurisdiction: Optional[str] = ...) -> List[Tuple[bool, str]]: ...
    def evaluate_arrow(self, batch: pyarrow.RecordBatch, decision_json: bool = ..., first_row: int = ...) -> pyarrow.RecordBatch: ...
    def check_subjects(self, batch: pyarrow.RecordBatch) -> int: ...
    def decision_schema(self, decision_json: bool = ...) -> pyarrow.Schema: ...
    def policies(self) -> List[Tuple[str, str, str, str]]: ...

def subject_schema(jurisdiction: bool = ...) -> pyarrow.Schema: ...
