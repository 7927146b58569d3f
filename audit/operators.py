"""Rule operators: parsed from YAML keys, judged against the values a path resolved to.

Operators are YAML keys, never strings to parse: `equals`, `not_equals`, `in`, `not_in`,
`regex`, `present`, `absent`, `version`, `age`, `count`, `all`, `any`.

Comparing values (`equals`, `not_equals`, `in`, `not_in`):
- Same kind (string, number, boolean): plain equality, case-sensitive; 1 equals 1.0.
- A string against a number: the number's decimal text, so `equals: 4` matches the
  stored setting "4" and `equals: "22"` matches the port 22; "04" or "4.0" do not match 4.
- Any other mix (a boolean against a string, a list against a scalar) cannot be
  compared: the check is an ERROR naming both, never a silent pass or a silent drift.
  Packs are read with YAML 1.2 booleans (audit.yamlfile), so `equals: no` is "no".
- `regex` fullmatches Python `re` on the text of a string or number.
- `version` compares with cmdb.schema.versions under the rule's scheme; a version that
  does not parse, or two that cannot be ordered, is an ERROR.
- `age: {max_days: N}` passes when an ISO 8601 date ("2026-11-20") or date-time
  ("2026-11-20T08:30:00Z"; without an offset it is UTC) is at most N days before the
  evaluation time `now` (audit.rules.evaluate). A date counts whole days in UTC: with
  N = 7, "2026-11-20" passes until the end of 2026-11-27. A date-time counts exactly, at
  most N * 24 hours. A date after `now` has a negative age and passes. Anything else (not
  a string, not ISO 8601) is an ERROR.

Fan-out (a `*` in the path yields a list): plain operators are rejected at load time;
use `all:` / `any:` around one of equals, not_equals, in, not_in, regex, version, age,
or `count:`. Three-valued, an element that cannot be compared is "unknown":
- all: DRIFT if any element fails (actual: the failing ones), else ERROR if any is
  unknown, else COMPLIANT (actual: every element checked).
- any: COMPLIANT if any element passes (actual: the passing ones), else ERROR if any is
  unknown, else DRIFT (actual: every element checked).
Elements are reported as {"at": [keys the `*`s took], "value": value}. A fan-out that
yields nothing is missing for all/any (the rule's when_missing decides); `count` counts
it as 0, unless even the container before the first `*` is missing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cmdb.schema.versions import VersionError, VersionScheme, check_version, compare_versions


class Op(enum.StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"
    NOT_IN = "not_in"
    REGEX = "regex"
    PRESENT = "present"
    ABSENT = "absent"
    VERSION = "version"
    AGE = "age"
    COUNT = "count"
    ALL = "all"
    ANY = "any"


OPERATOR_KEYS = frozenset(op.value for op in Op)
# operators that test one value; the only ones all/any may wrap
ELEMENT_OPS = frozenset({Op.EQUALS, Op.NOT_EQUALS, Op.IN, Op.NOT_IN, Op.REGEX, Op.VERSION,
                         Op.AGE})

Scalar = str | int | float | bool


class OperatorError(ValueError):
    """A malformed operator (load time); `field` is e.g. "version.scheme"."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = str(field)  # an Op is a StrEnum: keep the plain key
        self.problem = problem


class CompareError(ValueError):
    """A value cannot be compared with what the rule expects (evaluation time)."""


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "mapping" if isinstance(value, Mapping) else type(value).__name__


_PLAIN = (str, int, float, bool)


def same(expected: Scalar, actual: object) -> bool:
    """Equality under the rules of the module docstring; CompareError when undefined."""
    if type(expected) is type(actual) and type(expected) in _PLAIN:  # the common case
        return expected == actual
    kinds = {_kind(expected), _kind(actual)}
    if len(kinds) == 1:
        return expected == actual
    if kinds == {"string", "number"}:
        return str(expected) == str(actual)
    raise CompareError(f"cannot compare the {_kind(actual)} {actual!r} with the "
                       f"{_kind(expected)} {expected!r}")


# ---- value tests: one value in, pass or fail (or CompareError / VersionError) ---------

@dataclass(frozen=True)
class Equals:
    value: Scalar
    negate: bool = False

    def expected(self) -> dict[str, Any]:
        return {(Op.NOT_EQUALS if self.negate else Op.EQUALS).value: self.value}

    def test(self, actual: object) -> bool:
        return same(self.value, actual) != self.negate


@dataclass(frozen=True)
class OneOf:
    values: tuple[Scalar, ...]
    negate: bool = False

    def expected(self) -> dict[str, Any]:
        return {(Op.NOT_IN if self.negate else Op.IN).value: list(self.values)}

    def test(self, actual: object) -> bool:
        errors: list[CompareError] = []
        for value in self.values:
            try:
                if same(value, actual):
                    return not self.negate
            except CompareError as exc:
                errors.append(exc)
        if errors:  # no match, and some values could not even be compared
            raise errors[0]
        return self.negate


@dataclass(frozen=True)
class Regex:
    pattern: str
    compiled: re.Pattern[str] = field(compare=False, repr=False)

    def expected(self) -> dict[str, Any]:
        return {Op.REGEX.value: self.pattern}

    def test(self, actual: object) -> bool:
        if _kind(actual) not in ("string", "number"):
            raise CompareError(f"regex needs a string or number, found the {_kind(actual)} "
                               f"{actual!r}")
        return self.compiled.fullmatch(str(actual)) is not None


@dataclass(frozen=True)
class VersionRange:
    scheme: VersionScheme
    at_least: str | None = None
    below: str | None = None

    def expected(self) -> dict[str, Any]:
        bounds = {"at_least": self.at_least, "below": self.below}
        spec = {k: v for k, v in bounds.items() if v is not None}
        return {Op.VERSION.value: {**spec, "scheme": self.scheme.value}}

    def test(self, actual: object) -> bool:
        if isinstance(actual, bool) or not isinstance(actual, str | int):
            raise CompareError(f"a version must be a string, found the {_kind(actual)} "
                               f"{actual!r}")
        text = str(actual)
        low_ok = self.at_least is None or compare_versions(text, self.at_least,
                                                           self.scheme) >= 0
        high_ok = self.below is None or compare_versions(text, self.below, self.scheme) < 0
        return low_ok and high_ok


@dataclass(frozen=True)
class Age:
    """Not older than `max_days` at the evaluation time (see the module docstring)."""

    max_days: int

    def expected(self) -> dict[str, Any]:
        return {Op.AGE.value: {"max_days": self.max_days}}

    def test(self, actual: object, now: datetime) -> bool:
        when = _moment(actual)
        try:
            if isinstance(when, datetime):
                return now - when <= timedelta(days=self.max_days)
            return (now.astimezone(UTC).date() - when).days <= self.max_days
        except OverflowError as exc:
            raise CompareError(f"cannot take the age of {actual!r}: {exc}") from exc


def _moment(actual: object) -> date | datetime:
    """An ISO 8601 date, or an aware date-time (UTC when it has no offset)."""
    if not isinstance(actual, str):
        raise CompareError(f"age needs an ISO 8601 date or date-time string, found the "
                           f"{_kind(actual)} {actual!r}")
    try:
        return date.fromisoformat(actual)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(actual)
    except ValueError:
        raise CompareError(f"{actual!r} is not an ISO 8601 date or date-time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


ValueTest = Equals | OneOf | Regex | VersionRange | Age


def passes(test: ValueTest, actual: object, now: datetime) -> bool:
    """One value against a value test; `now` (aware) is the evaluation time, which only
    `age` reads. CompareError or VersionError when the value cannot be checked."""
    return test.test(actual, now) if isinstance(test, Age) else test.test(actual)


# ---- whole-path checks ------------------------------------------------------------------

@dataclass(frozen=True)
class Presence:
    present: bool  # True: `present: true`; False: `absent: true`

    def expected(self) -> dict[str, Any]:
        return {(Op.PRESENT if self.present else Op.ABSENT).value: True}


@dataclass(frozen=True)
class Count:
    min: int | None = None
    max: int | None = None
    equals: int | None = None

    def expected(self) -> dict[str, Any]:
        bounds = {"min": self.min, "max": self.max, "equals": self.equals}
        return {Op.COUNT.value: {k: v for k, v in bounds.items() if v is not None}}

    def test(self, n: int) -> bool:
        return ((self.equals is None or n == self.equals)
                and (self.min is None or n >= self.min)
                and (self.max is None or n <= self.max))


@dataclass(frozen=True)
class Quantified:
    every: bool  # True: all; False: any
    inner: ValueTest

    def expected(self) -> dict[str, Any]:
        return {(Op.ALL if self.every else Op.ANY).value: self.inner.expected()}


Check = ValueTest | Presence | Count | Quantified


# ---- parsing ------------------------------------------------------------------------------

def parse_check(op: Op, raw: object, *, fanned: bool) -> Check:
    """The check for operator key `op` with YAML value `raw`; `fanned`: path has a `*`."""
    if fanned and op not in (Op.ALL, Op.ANY, Op.COUNT):
        raise OperatorError(op, "the path fans out with '*': wrap the operator in all: or "
                            "any:, or use count:")
    if not fanned and op in (Op.ALL, Op.ANY):
        raise OperatorError(op, f"{op} needs a path with '*' to fan out over a list or "
                            "mapping")
    if op in (Op.ALL, Op.ANY):
        return Quantified(op is Op.ALL, _parse_inner(op, raw))
    if op in _VALUE_PARSERS:
        return _VALUE_PARSERS[op](op, raw)
    return _parse_presence(op, raw) if op in (Op.PRESENT, Op.ABSENT) else _parse_count(op, raw)


def _parse_inner(op: Op, raw: object) -> ValueTest:
    allowed = ", ".join(sorted(ELEMENT_OPS))
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise OperatorError(op, f"expected a mapping with exactly one of {allowed}")
    [(key, value)] = raw.items()
    if key not in OPERATOR_KEYS or Op(key) not in ELEMENT_OPS:
        raise OperatorError(f"{op}.{key}", f"{op} takes one of {allowed}")
    try:
        return _VALUE_PARSERS[Op(key)](Op(key), value)
    except OperatorError as exc:
        raise OperatorError(f"{op}.{exc.field}", exc.problem) from exc


def _scalar(where: str, raw: object) -> Scalar:
    if raw is None:
        raise OperatorError(where, "null is not a value to compare with; use absent: true")
    if not isinstance(raw, str | int | float):  # bool is an int
        raise OperatorError(where, f"expected a string, number or boolean, got {raw!r}")
    return raw


def _parse_equals(op: Op, raw: object) -> ValueTest:
    return Equals(_scalar(op, raw), negate=op is Op.NOT_EQUALS)


def _parse_one_of(op: Op, raw: object) -> ValueTest:
    if not isinstance(raw, list) or not raw:
        raise OperatorError(op, f"expected a non-empty list of values, got {raw!r}")
    values = tuple(_scalar(f"{op}[{i}]", item) for i, item in enumerate(raw))
    return OneOf(values, negate=op is Op.NOT_IN)


def _parse_regex(op: Op, raw: object) -> ValueTest:
    if not isinstance(raw, str):
        raise OperatorError(op, f"expected a regular expression string, got {raw!r}")
    try:
        return Regex(raw, re.compile(raw))
    except re.error as exc:
        raise OperatorError(op, f"{raw!r} does not compile: {exc}") from exc


def _parse_presence(op: Op, raw: object) -> Presence:
    if raw is not True:
        other = Op.ABSENT if op is Op.PRESENT else Op.PRESENT
        raise OperatorError(op, f"the only value is true (for the opposite, use {other}: "
                            f"true), got {raw!r}")
    return Presence(op is Op.PRESENT)


def _mapping(op: Op, raw: object, keys: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise OperatorError(op, f"expected a mapping with {', '.join(keys)}, got {raw!r}")
    for key in raw:
        if key not in keys:
            raise OperatorError(f"{op}.{key}", f"unknown key; expected {', '.join(keys)}")
    return raw


def _parse_version(op: Op, raw: object) -> ValueTest:
    spec = _mapping(op, raw, ("at_least", "below", "scheme"))
    schemes = ", ".join(VersionScheme)
    if spec.get("scheme") not in [s.value for s in VersionScheme]:
        raise OperatorError(f"{op}.scheme", f"{spec.get('scheme')!r} is not one of {schemes}")
    scheme = VersionScheme(str(spec["scheme"]))
    bounds = {k: spec[k] for k in ("at_least", "below") if k in spec}
    if not bounds:
        raise OperatorError(op, "give at_least, below or both")
    for key, bound in bounds.items():
        if not isinstance(bound, str):
            raise OperatorError(f"{op}.{key}", f"expected a quoted version string, got "
                                f"{bound!r} (YAML reads 2.10 as the number 2.1)")
        try:
            check_version(bound, scheme)
        except VersionError as exc:
            raise OperatorError(f"{op}.{key}", str(exc)) from exc
    check = VersionRange(scheme, _str_or_none(bounds.get("at_least")),
                         _str_or_none(bounds.get("below")))
    _check_range(op, check)
    return check


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _check_range(op: Op, check: VersionRange) -> None:
    if check.at_least is None or check.below is None:
        return
    try:
        empty = compare_versions(check.at_least, check.below, check.scheme) >= 0
    except VersionError as exc:
        raise OperatorError(f"{op}.below", str(exc)) from exc
    if empty:
        raise OperatorError(f"{op}.below", f"{check.below!r} is not above at_least "
                            f"{check.at_least!r}: no version fits")


def _parse_age(op: Op, raw: object) -> ValueTest:
    spec = _mapping(op, raw, ("max_days",))
    days = spec.get("max_days")
    if "max_days" not in spec:
        raise OperatorError(op, "give max_days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise OperatorError(f"{op}.max_days", f"expected a whole number >= 0, got {days!r}")
    return Age(days)


def _parse_count(op: Op, raw: object) -> Count:
    spec = _mapping(op, raw, ("min", "max", "equals"))
    given: dict[str, int] = {}
    for key, value in spec.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise OperatorError(f"{op}.{key}", f"expected a whole number >= 0, got {value!r}")
        given[key] = value
    if not given:
        raise OperatorError(op, "give min, max, both, or equals")
    if "equals" in given and len(given) > 1:
        raise OperatorError(f"{op}.equals", "equals cannot be combined with min or max")
    if given.get("min", 0) > given.get("max", given.get("min", 0)):
        raise OperatorError(f"{op}.max", f"max {given['max']} is below min {given['min']}")
    return Count(given.get("min"), given.get("max"), given.get("equals"))


_VALUE_PARSERS: dict[Op, Callable[[Op, object], ValueTest]] = {
    Op.EQUALS: _parse_equals, Op.NOT_EQUALS: _parse_equals,
    Op.IN: _parse_one_of, Op.NOT_IN: _parse_one_of, Op.REGEX: _parse_regex,
    Op.VERSION: _parse_version, Op.AGE: _parse_age,
}
