"""Type stubs of trustsim's Rust extension (re-exported by ``trustsim``)."""

import os
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

# A policy or request: a dict, JSON text (str or UTF-8 bytes), or the path of a JSON file.
Json = Union[str, bytes, os.PathLike, Mapping[str, Any]]
PathLike = Union[str, os.PathLike]
# Account IDs: a sequence, or one str (a comma list, as the command line takes them).
Accounts = Union[str, Sequence[str]]

__version__: str

def evaluate(policy: Json, request: Json) -> Dict[str, Any]:
    """Evaluates a simulated AssumeRole request against a trust policy.

    ``policy`` and ``request`` are dicts, JSON text or paths of JSON files (the request in the
    format of docs/cli.md, "Request format"). Returns the JSON of ``trustsim eval --format json``:
    ``decision`` (``"Allow"``, ``"ExplicitDeny"``, ``"ImplicitDeny"``), ``statements`` (how
    each statement fared, with every condition's explanation and JSON Pointer), ``context``,
    ``actions`` and ``notes``. Raises ``PolicyError`` for an invalid policy or request, with its JSON
    Pointer. The GIL is released while the request is evaluated.
    """

def analyze(
    policy: Json,
    account: Optional[str] = None,
    trusted_accounts: Accounts = (),
    trusted_org: Optional[str] = None,
    partition: Optional[str] = None,
) -> Dict[str, Any]:
    """Could any caller the owner did not mean to trust assume a role with this policy?

    Returns the JSON of ``trustsim analyze --format json`` for the one policy: ``roles`` (one,
    with a result per threat: ``verdict``, ``witness``, ``fix``, ``status``, ...), ``errors``
    and ``summary``. ``account`` is the owner's 12-digit account ID; ``trusted_accounts`` and
    ``trusted_org`` are the zone of trust. Raises ``PolicyError`` for an invalid policy and
    ``ValueError`` for an invalid option. The GIL is released during the analysis.
    """

def scan(
    paths: Union[PathLike, Iterable[PathLike]],
    *,
    account: Optional[str] = None,
    trusted_accounts: Accounts = (),
    trusted_org: Optional[str] = None,
    partition: Optional[str] = None,
    parameters: Optional[Mapping[str, str]] = None,
    config: Optional[PathLike] = None,
    fail_on: Optional[str] = None,
    input_kind: Optional[str] = None,
    allow_empty: bool = False,
    baseline: Optional[PathLike] = None,
) -> Dict[str, Any]:
    """Analyses every role of every input, as ``trustsim analyze PATHS --format json`` does.

    Inputs are trust policies, CloudFormation templates, Terraform plans and modules, account
    exports, directories and glob patterns. Returns the JSON report (``roles``, ``errors``,
    ``summary``) plus ``exit_status`` (what the command would exit with: 0, 1 or 3) and
    ``messages`` (its notes and warnings). An input error is in ``errors`` and the other inputs
    are still analysed; no role at all is an error too (``exit_status`` 1) unless
    ``allow_empty``; a bad option, no path, or ``-`` raises ``ValueError``. No config file
    is read unless ``config`` names one. Roles are analysed on the Rust thread pool with the GIL
    released.
    """

def diff(
    old: Json,
    new: Json,
    account: Optional[str] = None,
    trusted_accounts: Accounts = (),
    trusted_org: Optional[str] = None,
    partition: Optional[str] = None,
) -> Dict[str, Any]:
    """Does the change from ``old`` to ``new`` let anyone new assume the role?

    Returns ``{"classes": [...], "widened": bool}``: per class (``class``: a threat class,
    ``owner-account`` or ``zone-of-trust``) its ``change``
    (``"widened"``, ``"narrowed"``, ``"unchanged"`` (proved) or ``"inconclusive"``), the
    ``widened`` witness (a request ``new`` allows and ``old`` denies) and the ``narrowed`` one,
    ``exact`` and ``why_inexact``: the classes of ``trustsim diff --format json``.
    """

class Policy:
    """A trust policy read once, for many requests."""

    def __init__(self, policy: Json) -> None:
        """Reads and validates the policy; raises ``PolicyError``."""
    def evaluate(self, request: Json) -> "Evaluation":
        """The answer to this request: a read-only mapping equal to ``trustsim.evaluate``'s dict."""
    def decide(self, request: Json) -> str:
        """The decision alone: ``"Allow"``, ``"ExplicitDeny"`` or ``"ImplicitDeny"``."""
    def analyze(
        self,
        account: Optional[str] = None,
        trusted_accounts: Accounts = (),
        trusted_org: Optional[str] = None,
        partition: Optional[str] = None,
    ) -> Dict[str, Any]:
        """The analysis report of this policy, as ``trustsim.analyze`` gives it."""
    @property
    def warnings(self) -> List[Tuple[str, str]]:
        """``(pointer, message)`` for what AWS accepts but probably does not do what was meant."""
    def __len__(self) -> int:
        """The number of statements."""

class Evaluation(Mapping[str, Any]):
    """The answer of ``Policy.evaluate``: the keys of ``trustsim eval --format json``
    (``decision``, ``statements``, ``context``, ``actions``, ``notes``), built on first use.
    Equal to the dict ``trustsim.evaluate`` gives for the same policy and request. Its values
    are the mapping's own: change a ``to_dict()`` copy, not them; ``json.dumps`` and
    ``copy.deepcopy`` take ``to_dict()``."""

    @property
    def decision(self) -> str:
        """``"Allow"``, ``"ExplicitDeny"`` or ``"ImplicitDeny"``, without building the mapping."""
    @property
    def deciding(self) -> List[int]:
        """The indexes of the statements that decided (none for an implicit deny)."""
    def to_dict(self) -> Dict[str, Any]:
        """The answer as a new dict."""
    def __getitem__(self, key: str) -> Any: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
