"""Type stubs for the xince package (信策)."""

import os
from typing import Any, Dict, List, Literal, Optional, Union, overload

import pandas
import pyarrow

__version__: str

_Path = Union[str, "os.PathLike[str]"]
Request = Dict[str, Any]
Decision = Dict[str, Any]

class XinceError(Exception):
    code: str
    message: str
    path: Optional[str]
    message_zh: str
    def __init__(self, code: str, message: str, path: Optional[str] = ..., message_zh: Optional[str] = ...) -> None: ...

class Policy:
    def __init__(
        self,
        path: _Path,
        *,
        jurisdiction: Optional[str] = ...,
        as_of: Optional[str] = ...,
        scenario: Optional[str] = ...,
        explain: bool = ...,
        cache_dir: Optional[_Path] = ...,
        threads: int = ...,
    ) -> None: ...
    @property
    def policies(self) -> List[Dict[str, str]]: ...
    @overload
    def evaluate(self, data: Request, *, jurisdiction: Optional[str] = ..., decision_json: bool = ...) -> Decision: ...
    @overload
    def evaluate(self, data: List[Request], *, jurisdiction: Optional[str] = ..., decision_json: bool = ...) -> List[Decision]: ...
    @overload
    def evaluate(self, data: pyarrow.RecordBatch, *, jurisdiction: Optional[str] = ..., decision_json: bool = ...) -> pyarrow.RecordBatch: ...
    @overload
    def evaluate(self, data: pyarrow.Table, *, jurisdiction: Optional[str] = ..., decision_json: bool = ...) -> pyarrow.Table: ...
    @overload
    def evaluate(self, data: pandas.DataFrame, *, jurisdiction: Optional[str] = ..., decision_json: bool = ...) -> pandas.DataFrame: ...
    def evaluate_request(self, request: Request, *, jurisdiction: Optional[str] = ...) -> Decision: ...
    def evaluate_json(self, text: str, *, jurisdiction: Optional[str] = ...) -> str: ...
    def evaluate_many(self, requests: List[Request], *, jurisdiction: Optional[str] = ...) -> List[Decision]: ...
    @overload
    def evaluate_arrow(self, data: pyarrow.RecordBatch, *, decision_json: bool = ...) -> pyarrow.RecordBatch: ...
    @overload
    def evaluate_arrow(self, data: pyarrow.Table, *, decision_json: bool = ...) -> pyarrow.Table: ...
    def evaluate_pandas(self, frame: pandas.DataFrame, *, decision_json: bool = ...) -> pandas.DataFrame: ...
    def decision_schema(self, *, decision_json: bool = ...) -> pyarrow.Schema: ...

def load(path: _Path, **options: Any) -> Policy: ...
def subject_schema(*, jurisdiction: bool = ...) -> pyarrow.Schema: ...
