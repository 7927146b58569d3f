"""Intended-configuration baselines for network gear: a Jinja2 template per role/platform,
rendered per device, compared with the device's running configuration section by section
(hier_config) — what Nautobot Golden Config calls intended versus actual.

Baseline content (JSON, pinned in the baseline version, so its hash covers it):

    {"platform": "cisco_ios",
     "template": {"source": "ios-access.j2", "sha256": "...", "text": "..."},
     "variables": {"defaults": {...}, "sites": {site: {...}}, "devices": {name: {...}}},
     "scope": "declared" | "full", "severity": "medium"}

The template sees `device` (the device document of audit.document: hostname, site, tags,
interfaces, ...) and `vars`: the defaults, overridden by the device's site, then by the
device (by hostname or uid). It renders in Jinja2's sandbox with undefined variables as
errors: a template cannot reach Python, and a missing variable is an `error` verdict
naming it, never an empty line that would pass for compliant.

Checks are the intended config's top-level sections (a line with children: `interface
GigabitEthernet0/1`, `line vty 0 4`) and, for single top-level lines, a feature named by
their leading words (`ntp`, `logging`, `ip ssh`, Junos `set system ntp`). Per check:
missing lines (intended, not running) and extra lines (running, not intended, inside the
check). `declared` scope looks only at what the template declares; `full` also reports
running sections the template does not mention, as one check `(unmanaged)`.

Running configs are stored redacted (secrets replaced by a placeholder), so a template
states secret lines in their redacted form; the secret values themselves are checked by
the fingerprints that snapshot baselines compare.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from hier_config import HConfig, HConfigChild, Platform, get_hconfig
from jinja2.sandbox import SandboxedEnvironment

from cmdb.config_features import HIER_PLATFORMS as CONFIG_PLATFORMS
from cmdb.config_features import feature_of

# Our platform names to hier_config's drivers, and a generic one for any other text.
HIER_PLATFORMS: Mapping[str, Platform] = {**CONFIG_PLATFORMS, "generic": Platform.GENERIC}
SCOPES = ("declared", "full")
UNMANAGED = "(unmanaged)"
# Single lines grouped by their first word, except where that word says too little.
_END_LINES = frozenset({"end", "return"})  # IOS/VRP end markers: not configuration


class IntendedError(ValueError):
    """A template or variables file that cannot be used; names the source and the place."""


@dataclass(frozen=True)
class IntendedSpec:
    platform: str
    template_source: str
    template_text: str
    variables: Mapping[str, Any]
    scope: str = "declared"

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> IntendedSpec:
        template = content.get("template")
        if not isinstance(template, Mapping) or not isinstance(template.get("text"), str):
            raise IntendedError("intended baseline: content has no template text")
        return cls(str(content.get("platform")), str(template.get("source")),
                   template["text"], content.get("variables") or {},
                   str(content.get("scope", "declared")))


@dataclass(frozen=True)
class CheckDiff:
    """One check (section or feature): lines missing from and extra in the running config."""

    check: str
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def compliant(self) -> bool:
        return not self.missing and not self.extra


def build_content(platform: str, template_source: str, template_text: str,
                  variables: Mapping[str, Any], scope: str, severity: str) -> dict[str, Any]:
    """Baseline content, checked: the platform is known, the template compiles, the
    variables have the documented shape. Raises IntendedError naming what is wrong."""
    if platform not in HIER_PLATFORMS:
        raise IntendedError(f"platform {platform!r} is not one of "
                            f"{', '.join(sorted(HIER_PLATFORMS))}")
    if scope not in SCOPES:
        raise IntendedError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    _compile(template_source, template_text)
    check_variables(variables, "variables")
    return {"platform": platform, "scope": scope, "severity": severity,
            "template": {"source": template_source, "text": template_text,
                         "sha256": hashlib.sha256(template_text.encode()).hexdigest()},
            "variables": dict(variables)}


def check_variables(variables: object, where: str) -> Mapping[str, Any]:
    """`defaults` a mapping; `sites` and `devices` mappings of mappings; nothing else."""
    if not isinstance(variables, Mapping):
        raise IntendedError(f"{where}: expected a mapping with defaults, sites, devices")
    unknown = sorted(set(variables) - {"defaults", "sites", "devices"})
    if unknown:
        raise IntendedError(f"{where}: unknown key(s) {unknown} "
                            "(expected defaults, sites, devices)")
    if not isinstance(variables.get("defaults", {}), Mapping):
        raise IntendedError(f"{where}.defaults: expected a mapping")
    for group in ("sites", "devices"):
        entries = variables.get(group, {})
        if not isinstance(entries, Mapping):
            raise IntendedError(f"{where}.{group}: expected a mapping of names to mappings")
        for name, values in entries.items():
            if not isinstance(values, Mapping):
                raise IntendedError(f"{where}.{group}.{name}: expected a mapping")
    return variables


def device_variables(variables: Mapping[str, Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults, overridden by the device's site, then by the device itself."""
    merged = dict(variables.get("defaults", {}))
    merged.update(variables.get("sites", {}).get(str(doc.get("site")), {}))
    devices = variables.get("devices", {})
    for name in (doc.get("uid"), doc.get("hostname")):
        merged.update(devices.get(str(name), {}))
    return merged


def render(spec: IntendedSpec, doc: Mapping[str, Any]) -> str:
    """The device's intended configuration; IntendedError names a missing variable."""
    template = _compile(spec.template_source, spec.template_text)
    try:
        return template.render(device=doc, vars=device_variables(spec.variables, doc))
    except jinja2.TemplateError as exc:
        raise IntendedError(f"{spec.template_source}: {exc}") from exc


def compare(platform: str, intended: str, running: str,
            scope: str = "declared") -> list[CheckDiff]:
    """Per check, what the running config lacks and has too much, in intended order.

    hier_config parses both texts (indentation, Junos braces to set lines, VRP `#`); the
    comparison is ours because hier_config's own `difference` skips negated lines, and
    `no ip http server` is exactly the kind of line an intended config insists on."""
    driver = HIER_PLATFORMS[platform]
    want, have = get_hconfig(driver, intended), get_hconfig(driver, running)
    missing: dict[str, list[str]] = {}
    extra: dict[str, list[str]] = {}
    for top in _tops(want):
        check = _check_of(top)
        match = have.get_child(equals=top.text)
        if match is None:
            missing.setdefault(check, []).extend(_lines(top, 0))
        elif top.children:
            missing.setdefault(check, []).extend(_missing(top, match, 1))
            extra.setdefault(check, []).extend(_missing(match, top, 1))
        else:
            missing.setdefault(check, [])
    wanted = {top.text for top in _tops(want)}
    for top in _tops(have):
        if top.text not in wanted:
            check = _check_of(top)
            bucket = check if check in missing else UNMANAGED
            extra.setdefault(bucket, []).extend(_lines(top, 0))
    diffs = [CheckDiff(check, tuple(lines), tuple(extra.get(check, ())))
             for check, lines in missing.items()]
    if scope == "full":
        diffs.append(CheckDiff(UNMANAGED, (), tuple(extra.get(UNMANAGED, ()))))
    return diffs


def _tops(tree: HConfig) -> list[HConfigChild]:
    return [child for child in tree.children if not _is_end(child)]


def _missing(mine: HConfigChild, other: HConfigChild, depth: int) -> list[str]:
    """Lines under `mine` that `other` lacks, with the headers of changed subsections."""
    found: list[str] = []
    for child in mine.children:
        match = other.get_child(equals=child.text)
        if match is None:
            found.extend(_lines(child, depth))
        else:
            inner = _missing(child, match, depth + 1)
            if inner:
                found.extend([" " * depth + child.text, *inner])
    return found


def _lines(child: HConfigChild, depth: int) -> list[str]:
    found = [" " * depth + child.text]
    for sub in child.children:
        found.extend(_lines(sub, depth + 1))
    return found


def _check_of(top: HConfigChild) -> str:
    if top.children:
        return top.text
    return feature_of(top.text)


def _is_end(child: HConfigChild) -> bool:
    return child.text in _END_LINES and not child.children


def _compile(source: str, text: str) -> jinja2.Template:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True,
                               autoescape=False)  # config text, not HTML
    try:
        return env.from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        raise IntendedError(f"{source}: line {exc.lineno}: {exc.message}") from exc


def summary(diffs: Sequence[CheckDiff]) -> str:
    missing = sum(len(d.missing) for d in diffs)
    extra = sum(len(d.extra) for d in diffs)
    return f"{missing} line(s) missing, {extra} extra"
