"""Rule packs: policy rules in YAML, loaded strictly, evaluated against CI documents:

    pack: linux-hardening            # name (required)
    version: "1.0.0"                 # required, a string
    description: ...                 # optional
    rules:
      - id: LNX-SSH-001              # required, unique in the pack (and in load_packs)
        title: SSH root login is disabled                          # required
        applies_to: {platform: linux}                              # optional: audit.selectors
        path: [config_files, /etc/ssh/sshd_config, settings, permitrootlogin]  # audit.paths
        equals: "no"                 # exactly one operator key: audit.operators
        severity: high               # info | low | medium | high | critical
        rationale: ...               # optional
        references: [{standard: CIS Debian 12, control: "5.1.20"}]  # optional
        unwaivable: false            # optional
        when_missing: drift          # optional: drift | compliant | not-applicable | error

YAML is read by audit.yamlfile (`equals: no` is the string "no"; a repeated key is an
error). Quote number-like text ("0644", "5.10"): versions and references are strings.

Errors raise `RulePackError` naming the file, the rule (id, or `rules[i]`) and the field:
`packs/x.yaml: rule LNX-SSH-001: field 'severity': 'urgent' is not one of info, ...`.

`evaluate` gives COMPLIANT, DRIFT, NOT_APPLICABLE (selector does not match) or ERROR (could
not check: path through a scalar, values not comparable, a version that does not parse).
When the path finds nothing, `when_missing` decides (default drift: a setting not found
is not compliant); `present`/`absent` test exactly that and take no `when_missing`.
`age` measures from the evaluation time `now` that `evaluate` takes (default: the current
time); a caller re-evaluating recorded facts passes the audit's time to get the same
verdicts again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path as FilePath
from typing import Any

from audit.model import Reference, Severity, Verdict
from audit.operators import (
    OPERATOR_KEYS,
    Age,
    Check,
    CompareError,
    Count,
    Op,
    OperatorError,
    Presence,
    Quantified,
    ValueTest,
    parse_check,
    passes,
)
from audit.paths import Hit, Path, PathError, Resolution, fans_out, parse_path, render, resolve
from audit.selectors import Selector, SelectorError
from audit.yamlfile import YamlFileError, load_yaml
from cmdb.schema.versions import VersionError

WHEN_MISSING = (Verdict.DRIFT, Verdict.COMPLIANT, Verdict.NOT_APPLICABLE, Verdict.ERROR)
_PACK_KEYS = ("pack", "version", "description", "rules")
_RULE_KEYS = ("id", "title", "applies_to", "path", "severity", "rationale", "references",
              "unwaivable", "when_missing")
_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


class RulePackError(ValueError):
    """An invalid rule pack, with where it went wrong."""

    def __init__(self, source: str, problem: str, *, rule: str | None = None,
                 field: str | None = None, line: int | None = None) -> None:
        self.source, self.problem, self.rule, self.field, self.line = (
            source, problem, rule, field, line)
        where = [f"line {line}" if line else "", f"rule {rule}" if rule else "",
                 f"field '{field}'" if field else ""]
        super().__init__(": ".join([source, *filter(None, where), problem]))


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    path: Path
    check: Check
    severity: Severity
    applies_to: Selector = field(default_factory=Selector)
    rationale: str | None = None
    references: tuple[Reference, ...] = ()
    unwaivable: bool = False
    when_missing: Verdict = Verdict.DRIFT

    # Computed once per rule, not once per CI: an audit evaluates each rule fleet-wide.
    @functools.cached_property
    def expected(self) -> dict[str, Any]:
        return self.check.expected()

    @functools.cached_property
    def expected_json(self) -> str:
        return json.dumps(self.expected)

    @functools.cached_property
    def path_text(self) -> str:
        return render(self.path)


@dataclass(frozen=True)
class RulePack:
    name: str
    version: str
    sha256: str  # of the file's bytes, for evidence
    rules: tuple[Rule, ...]
    description: str | None = None
    source: str = ""  # the file it was loaded from


@dataclass(frozen=True, slots=True)  # slots: one per CI and rule
class Evaluation:
    verdict: Verdict  # COMPLIANT, DRIFT, NOT_APPLICABLE or ERROR
    expected: Any  # JSON-able: the operator as written, e.g. {"equals": "no"}
    actual: Any  # JSON-able: the value(s) found; None when nothing was found
    message: str


# ---- loading ------------------------------------------------------------------------------

class _FieldError(Exception):
    def __init__(self, field: str | None, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = (None if field is None else str(field)), problem


@dataclass(frozen=True)
class _Header:
    name: str
    version: str
    description: str | None
    rules: list[object]


def load_pack(path: str | PathLike[str]) -> RulePack:
    source = str(path)
    try:
        data = FilePath(path).read_bytes()
    except OSError as exc:
        raise RulePackError(source, f"cannot read: {exc.strerror or exc}") from exc
    return load_pack_bytes(data, source)


def load_pack_bytes(data: bytes, source: str) -> RulePack:
    """A pack from its file content (`source` names it in errors), e.g. as pinned in a
    baseline version."""
    try:
        raw = load_yaml(data)
    except YamlFileError as exc:
        raise RulePackError(source, f"invalid YAML: {exc.problem}", line=exc.line) from exc
    try:
        header = _pack_header(raw)
    except _FieldError as exc:
        raise RulePackError(source, exc.problem, field=exc.field) from exc
    rules = tuple(_load_rule(source, i, item) for i, item in enumerate(header.rules))
    _check_unique_ids(source, rules)
    return RulePack(name=header.name, version=header.version,
                    sha256=hashlib.sha256(data).hexdigest(), rules=rules,
                    description=header.description, source=source)


def load_packs(paths: Iterable[str | PathLike[str]]) -> tuple[RulePack, ...]:
    """Several packs; pack names and rule ids must be unique across them (findings are
    keyed by rule id)."""
    packs = tuple(load_pack(p) for p in paths)
    names: dict[str, RulePack] = {}
    ids: dict[str, RulePack] = {}
    for pack in packs:
        if pack.name in names:
            raise RulePackError(pack.source, f"pack {pack.name!r} is also loaded from "
                                f"{names[pack.name].source}", field="pack")
        names[pack.name] = pack
        for rule in pack.rules:
            if rule.id in ids:
                raise RulePackError(pack.source, f"rule id also used in {ids[rule.id].source} "
                                    f"(pack {ids[rule.id].name})", rule=rule.id, field="id")
            ids[rule.id] = pack
    return packs


def _pack_header(raw: object) -> _Header:
    if not isinstance(raw, Mapping):
        raise _FieldError(None, "expected a mapping with pack, version and rules")
    _no_unknown(raw, _PACK_KEYS)
    rules = raw.get("rules")
    if not isinstance(rules, list) or not rules:
        raise _FieldError("rules", "expected a non-empty list of rules")
    return _Header(_text(raw, "pack"), _text(raw, "version"), _opt_text(raw, "description"),
                   rules)


def _load_rule(source: str, index: int, raw: object) -> Rule:
    rule_id = raw.get("id") if isinstance(raw, Mapping) else None
    label = f"rules[{index}]"
    if isinstance(rule_id, str) and _RULE_ID.fullmatch(rule_id):
        label = rule_id
    try:
        return _parse_rule(raw)
    except _FieldError as exc:
        raise RulePackError(source, exc.problem, rule=label, field=exc.field) from exc


def _check_unique_ids(source: str, rules: tuple[Rule, ...]) -> None:
    first: dict[str, int] = {}
    for index, rule in enumerate(rules):
        at = first.setdefault(rule.id, index)
        if at != index:
            raise RulePackError(source, f"duplicate rule id (rules[{at}] and rules[{index}])",
                                rule=rule.id, field="id")


def _parse_rule(raw: object) -> Rule:
    if not isinstance(raw, Mapping):
        raise _FieldError(None, f"expected a mapping, got {raw!r}")
    _no_unknown(raw, _RULE_KEYS, operators=True)
    rule_id = _text(raw, "id")
    if not _RULE_ID.fullmatch(rule_id):
        raise _FieldError("id", f"{rule_id!r}: use letters, digits and . _ : - only")
    path = _path(raw.get("path"))
    check = _operator(raw, path)
    return Rule(id=rule_id, title=_text(raw, "title"), path=path, check=check,
                severity=_severity(raw.get("severity")),
                applies_to=_selector(raw.get("applies_to")),
                rationale=_opt_text(raw, "rationale"),
                references=_references(raw.get("references")),
                unwaivable=_flag(raw, "unwaivable"), when_missing=_when_missing(raw, check))


def _no_unknown(raw: Mapping[Any, Any], keys: tuple[str, ...], *,
                operators: bool = False) -> None:
    allowed = set(keys) | (OPERATOR_KEYS if operators else set())
    for key in raw:
        if key not in allowed:
            also = " and one operator" if operators else ""
            raise _FieldError(str(key), f"unknown key; expected {', '.join(keys)}{also}")


def _text(raw: Mapping[Any, Any], key: str) -> str:
    value = _opt_text(raw, key)
    if value is None:
        raise _FieldError(key, "required")
    return value


def _opt_text(raw: Mapping[Any, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise _FieldError(key, f"expected a non-empty string, got {value!r} (quote it)")
    return value


def _path(raw: object) -> Path:
    if raw is None:
        raise _FieldError("path", "required")
    try:
        return parse_path(raw)
    except PathError as exc:
        raise _FieldError("path", str(exc)) from exc


def _operator(raw: Mapping[Any, Any], path: Path) -> Check:
    ops = [Op(key) for key in raw if key in OPERATOR_KEYS]
    if len(ops) != 1:
        if not ops:
            raise _FieldError(None, f"no operator: give exactly one of {', '.join(Op)}")
        raise _FieldError(ops[1], f"a second operator (with '{ops[0]}'); a rule has one")
    try:
        return parse_check(ops[0], raw[ops[0].value], fanned=fans_out(path))
    except OperatorError as exc:
        raise _FieldError(exc.field, exc.problem) from exc


def _severity(raw: object) -> Severity:
    if raw is None:
        raise _FieldError("severity", "required")
    if raw not in [s.value for s in Severity]:
        raise _FieldError("severity", f"{raw!r} is not one of {', '.join(Severity)}")
    return Severity(str(raw))


def _selector(raw: object) -> Selector:
    try:
        return Selector.parse(raw)
    except SelectorError as exc:
        where = f"applies_to.{exc.field}" if exc.field else "applies_to"
        raise _FieldError(where, exc.problem) from exc


def _references(raw: object) -> tuple[Reference, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _FieldError("references", "expected a list of {standard: ..., control: ...}")
    found: list[Reference] = []
    for i, item in enumerate(raw):
        where = f"references[{i}]"
        if not isinstance(item, Mapping) or set(item) != {"standard", "control"}:
            raise _FieldError(where, f"expected exactly standard and control, got {item!r}")
        try:
            found.append(Reference(_text(item, "standard"), _text(item, "control")))
        except _FieldError as exc:
            raise _FieldError(f"{where}.{exc.field}", exc.problem) from exc
    return tuple(found)


def _flag(raw: Mapping[Any, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise _FieldError(key, f"expected true or false, got {value!r}")
    return value


def _when_missing(raw: Mapping[Any, Any], check: Check) -> Verdict:
    value = raw.get("when_missing")
    if value is None:
        return Verdict.DRIFT
    if isinstance(check, Presence):
        raise _FieldError("when_missing", "present/absent already test whether the path "
                          "exists; drop when_missing")
    allowed = [v.value for v in WHEN_MISSING]
    if value not in allowed:
        raise _FieldError("when_missing", f"{value!r} is not one of {', '.join(allowed)}")
    return Verdict(value)


# ---- evaluation ---------------------------------------------------------------------------

def evaluate(rule: Rule, doc: Mapping[str, Any], *,
             now: datetime | None = None) -> Evaluation:
    """One rule on one CI document; never raises for bad data, it becomes ERROR. `now`
    (timezone-aware, default the current time) is the time `age` measures from."""
    if not rule.applies_to.matches(doc):
        return Evaluation(Verdict.NOT_APPLICABLE, rule.expected, None,
                          f"not selected by applies_to {json.dumps(rule.applies_to.to_dict())}")
    return evaluate_selected(rule, doc, now=now)


def evaluate_selected(rule: Rule, doc: Mapping[str, Any], *,
                      now: datetime | None = None) -> Evaluation:
    """`evaluate` for a CI the caller has already matched with `rule.applies_to` (the
    drift engine selects before it evaluates)."""
    at = _evaluation_time(now)
    expected = rule.expected
    found = resolve(doc, rule.path)
    if found.problem is not None:
        return Evaluation(Verdict.ERROR, expected, None, f"cannot follow the path: "
                          f"{found.problem}")
    judged = _judge(rule, found, at)
    if judged is None:
        return Evaluation(rule.when_missing, expected, None,
                          f"nothing at {rule.path_text} (when_missing: {rule.when_missing})")
    return judged


def _evaluation_time(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.utcoffset() is None:
        raise ValueError(f"evaluate: now={now.isoformat()} has no time zone; pass an aware "
                         "datetime")
    return now


def _as_of(test: ValueTest, now: datetime) -> str:
    """For checks whose verdict depends on the evaluation time, that time."""
    return f" as of {now.isoformat()}" if isinstance(test, Age) else ""


def _judge(rule: Rule, found: Resolution, now: datetime) -> Evaluation | None:
    """The evaluation, or None when the path found nothing (when_missing decides)."""
    check, expected = rule.check, rule.expected
    if isinstance(check, Presence):
        value = found.hits[0].value if found.hits else None
        ok = bool(found.hits) == check.present
        message = (f"found {value!r} at {rule.path_text}" if found.hits
                   else f"nothing at {rule.path_text}")
        return Evaluation(Verdict.COMPLIANT if ok else Verdict.DRIFT, expected, value, message)
    if found.container_missing:
        return None
    if isinstance(check, Count):
        return _count(check, found, expected, rule.expected_json)
    if not found.hits:
        return None
    if isinstance(check, Quantified):
        return _quantified(check, found.hits, expected, now)
    value = found.hits[0].value
    try:
        ok = passes(check, value, now)
    except (CompareError, VersionError) as exc:
        return Evaluation(Verdict.ERROR, expected, value, f"cannot check {value!r}: {exc}")
    verdict = Verdict.COMPLIANT if ok else Verdict.DRIFT
    return Evaluation(verdict, expected, value,
                      f"found {value!r}; expected {rule.expected_json}{_as_of(check, now)}")


def _count(check: Count, found: Resolution, expected: dict[str, Any],
           wanted: str) -> Evaluation:
    if found.fanned:
        n = len(found.hits)
    else:
        value = found.hits[0].value
        if not isinstance(value, list | Mapping):
            return Evaluation(Verdict.ERROR, expected, value, f"count needs a list or "
                              f"mapping, found {type(value).__name__} {value!r}")
        n = len(value)
    verdict = Verdict.COMPLIANT if check.test(n) else Verdict.DRIFT
    return Evaluation(verdict, expected, n, f"counted {n}; expected {wanted}")


def _quantified(check: Quantified, hits: tuple[Hit, ...], expected: dict[str, Any],
                now: datetime) -> Evaluation:
    """Three-valued all/any over the fan-out (see audit.operators)."""
    passed: list[Hit] = []
    failed: list[Hit] = []
    unknown: list[tuple[Hit, Exception]] = []
    for hit in hits:
        try:
            (passed if passes(check.inner, hit.value, now) else failed).append(hit)
        except (CompareError, VersionError) as exc:
            unknown.append((hit, exc))
    of = f"of {len(hits)}"
    wanted = _expected_json(check.inner) + _as_of(check.inner, now)
    note = (f"; {len(unknown)} could not be checked, e.g. at "
            f"{json.dumps(list(unknown[0][0].at))}: {unknown[0][1]}") if unknown else ""
    if check.every and failed:
        return Evaluation(Verdict.DRIFT, expected, _elements(failed),
                          f"{len(failed)} {of} fail {wanted}{note}")
    if not check.every and passed:
        return Evaluation(Verdict.COMPLIANT, expected, _elements(passed),
                          f"{len(passed)} {of} pass {wanted}{note}")
    if unknown:
        return Evaluation(Verdict.ERROR, expected, _elements(h for h, _ in unknown),
                          f"{len(passed)} {of} pass {wanted}{note}")
    verdict = Verdict.COMPLIANT if check.every else Verdict.DRIFT
    return Evaluation(verdict, expected, _elements(hits),
                      f"{len(passed)} {of} pass {wanted}")


@functools.lru_cache(maxsize=1024)
def _expected_json(test: ValueTest) -> str:
    """Per value test, not per CI: an audit evaluates each rule fleet-wide."""
    return json.dumps(test.expected())


def _elements(hits: Iterable[Hit]) -> list[dict[str, Any]]:
    return [{"at": list(hit.at), "value": hit.value} for hit in hits]
