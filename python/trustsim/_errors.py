"""The exceptions of trustsim."""

from __future__ import annotations

import os
from typing import Optional


class PolicyError(ValueError):
    """A trust policy or request that AWS would reject, or that trustsim cannot read.

    ``pointer`` is the JSON Pointer of the bad element (``/Statement/0/Condition/StringEqual``,
    or ``(document root)``), ``path`` the file when the policy or request was given as a path
    (``pathlib.Path``), ``line`` the line of a JSON syntax error, and ``help`` what would be
    right (or ``None``).
    """

    def __init__(
        self,
        message: str,
        pointer: str,
        path: Optional[os.PathLike] = None,
        line: Optional[int] = None,
        help: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.path = path
        self.line = line
        self.help = help

    def __reduce__(self):
        # Pickled with every field, so that the error crosses process boundaries
        # (multiprocessing, concurrent.futures) whole.
        return (type(self), (self.message, self.pointer, self.path, self.line, self.help))

    def __str__(self) -> str:
        if self.help:
            return f"{self.message}\n  help: {self.help}"
        return self.message
