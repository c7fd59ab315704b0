"""The one exception the data layer lets out for bad input, carrying what the mapping UI needs."""
from __future__ import annotations

from typing import Iterable


class DataError(ValueError):
    """A file could not be turned into a usable table; every problem is a sentence a person can act on.

    `missing_columns` (canonical names that could not be found) and `source_columns` (the file's own headers) let the
    app offer a column mapping instead of a dead end.
    """

    def __init__(self, problems: str | Iterable[str], *, missing_columns: Iterable[str] = (),
                 source_columns: Iterable[str] = ()):
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        self.missing_columns: list[str] = list(missing_columns)
        self.source_columns: list[str] = list(source_columns)
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return "\n".join(f"- {problem}" for problem in self.problems)

    def __str__(self) -> str:
        return self._message()

    def __reduce__(self):
        # Keyword-only state survives pickling (Streamlit may copy session objects between reruns).
        return (_rebuild, (type(self), self.problems, self.missing_columns, self.source_columns))


class DataFileNotFoundError(DataError, FileNotFoundError):
    """The path does not exist: a DataError for the contract, a FileNotFoundError for callers that say 'missing'."""


def _rebuild(cls, problems, missing_columns, source_columns):
    return cls(problems, missing_columns=missing_columns, source_columns=source_columns)
