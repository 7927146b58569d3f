"""Audit evidence manifests: one per audit run, chained by hash, signable with Ed25519.

A manifest body is canonical JSON (see `canonical`) holding the format tag, the run, when
it was made, the tool version, the whole report (inputs with their hashes, coverage,
findings, summary), a SHA-256 digest of every finding plus one over that list, and the
SHA-256 of the previous run's body; audit.manifest lays it out (format 2 is written,
formats 1 and 2 are read and verified). The manifest's own hash is SHA-256 over the body;
the signature is Ed25519 over the body. The caller stores the bytes; nothing here touches
a database.

What someone who can edit stored manifests can and cannot hide:

- Editing a body without recomputing anything: the recorded hash no longer matches.
- Also recomputing the recorded hash: the per-finding digests, then the summary, no
  longer match the findings. These are consistency checks, not secrets: they catch a
  careless edit and let one finding be shown to belong to a manifest without handing over
  the others, but a careful editor recomputes them too.
- Recomputing everything in that body: the next run's `previous_sha256` no longer
  matches. Without signatures, an editor who rewrites the whole chain from the edited run
  onward is NOT detectable. With signatures they are (each body is signed), unless they
  hold the private key.
- Deleting the newest manifests leaves a shorter chain that is still valid, signed or
  not. Only a head hash published or anchored elsewhere (a ticket, a transparency log,
  the auditor's own copy) catches that, and it also catches an unsigned rewrite: pass it
  as `expected_head`.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from audit import manifest as body_format
from audit.manifest import FORMAT as FORMAT  # re-exported: the format written
from audit.manifest import FORMAT_V1 as FORMAT_V1
from audit.manifest import ManifestFormatError, sha256_hex
from audit.model import AuditReport


class EvidenceError(Exception):
    """A manifest, key file or argument that cannot be used; the message names it."""


@dataclass(frozen=True)
class Manifest:
    run: int
    sha256: str  # hex SHA-256 of `body`
    previous_sha256: str | None  # None for the first manifest of a chain
    body: bytes  # canonical JSON

    def stored(self, signature: bytes | None = None) -> StoredManifest:
        return StoredManifest(self.run, self.body, self.sha256, signature)


@dataclass(frozen=True)
class StoredManifest:
    """A manifest as read back from storage: nothing in it is trusted yet."""

    run: int
    body: bytes
    sha256: str  # the hash recorded beside the body
    signature: bytes | None = None


class Check(enum.StrEnum):
    """Which verification failed, in the order they are applied to each manifest."""

    ORDER = "order"  # runs not strictly increasing
    HASH = "hash"  # body does not match its recorded hash
    FORMAT = "format"  # not canonical JSON of the expected format
    RUN = "run"  # stored under another run than the body says
    LINK = "link"  # previous_sha256 does not name the manifest before it
    FINDINGS = "findings"  # findings do not match their digests
    SUMMARY = "summary"  # summary does not match the findings
    SIGNATURE = "signature"  # missing (when required) or invalid
    HEAD = "head"  # chain does not end at the expected head hash


@dataclass(frozen=True)
class BrokenLink:
    run: int | None  # None only when an empty chain misses its expected head
    check: Check
    reason: str  # one sentence, starting with the run


@dataclass(frozen=True)
class Verification:
    checked: int  # manifests verified before the first broken one
    signed: int  # of those, how many had their signature verified
    first_broken: BrokenLink | None
    head_sha256: str | None  # hash of the last verified manifest (or the anchor)

    @property
    def ok(self) -> bool:
        return self.first_broken is None


# ---- canonical form and building ---------------------------------------------------------

def canonical(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8, no NaN."""
    try:
        return body_format.canonical(obj)
    except ManifestFormatError as exc:
        raise EvidenceError(str(exc)) from exc


class ChainLink(Protocol):
    """What the next manifest needs of the one before it."""

    @property
    def run(self) -> int: ...

    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class ChainHead:
    """The last stored manifest, without its body: enough to chain the next run on."""

    run: int
    sha256: str


def build_manifest(report: AuditReport, previous: ChainLink | None,
                   tool_version: str) -> Manifest:
    if previous is not None and report.run <= previous.run:
        raise EvidenceError(f"run {report.run} cannot follow run {previous.run}: "
                            "runs must strictly increase along a chain")
    previous_sha = previous.sha256 if previous is not None else None
    header = body_format.Header(report.run, report.finished_at, tool_version,
                                previous.run if previous is not None else None, previous_sha)
    try:
        body = body_format.encode(report, header)
    except ManifestFormatError as exc:
        raise EvidenceError(str(exc)) from exc
    return Manifest(report.run, sha256_hex(body), previous_sha, body)


def load_manifest(body: bytes) -> Manifest:
    """A stored body back as a `Manifest`, e.g. to chain the next run onto it."""
    return read_manifest(body)[0]


def manifest_report(manifest: Manifest | StoredManifest) -> AuditReport:
    return read_manifest(manifest.body)[1]


def read_manifest(body: bytes) -> tuple[Manifest, AuditReport]:
    """A stored body parsed once (large fleets make large manifests): the `Manifest` to
    chain the next run onto, and its report."""
    parsed, report = _parse_body(body)
    return Manifest(parsed["run"], sha256_hex(body), parsed["previous_sha256"], body), report


# ---- keys and signatures -----------------------------------------------------------------

def sign(manifest: Manifest, private_key: Ed25519PrivateKey) -> bytes:
    return private_key.sign(manifest.body)


def generate_keypair(private_path: Path, public_path: Path) -> Ed25519PublicKey:
    """Write a new key pair as PEM; the private file is 0600. Never overwrites a file."""
    for path in (private_path, public_path):
        if path.exists():
            raise EvidenceError(f"{path}: already exists; refusing to overwrite a key file")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    _write_new(private_path, private_pem, 0o600)
    try:
        _write_new(public_path, public_pem, 0o644)
    except EvidenceError:
        private_path.unlink()  # no half pair left behind
        raise
    return key.public_key()


def _write_new(path: Path, data: bytes, mode: int) -> None:
    # O_EXCL: refuse to overwrite even if the file appeared after the check above;
    # the mode is set at creation so the key is never readable by others, not even briefly.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as exc:
        raise EvidenceError(f"{path}: already exists; refusing to overwrite a key file") \
            from exc
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot create key file: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot read key file: {exc.strerror}") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    # Error messages name the file only: the content is key material.
    data = _read_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise EvidenceError(f"{path}: not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise EvidenceError(f"{path}: private key is not Ed25519")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    data = _read_key_file(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise EvidenceError(f"{path}: not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise EvidenceError(f"{path}: public key is not Ed25519")
    return key


# ---- verification ------------------------------------------------------------------------

def _short(sha: str | None) -> str:
    return f"{sha[:8]}…" if sha else "none"


def _parse_body(body: bytes) -> tuple[dict[str, Any], AuditReport]:
    try:
        return body_format.decode(body)
    except ManifestFormatError as exc:
        raise EvidenceError(str(exc)) from exc


def _check_link(body: Mapping[str, Any], prev_run: int | None,
                prev_sha: str | None) -> str | None:
    if body["previous_sha256"] == prev_sha:
        return None
    before = f"run {prev_run}" if prev_run is not None else "the chain start"
    return (f"links to run {body.get('previous_run')} ({_short(body['previous_sha256'])}) "
            f"but the manifest before it is {before} ({_short(prev_sha)}); "
            "a manifest is missing, was replaced or was rewritten")


def _check_findings(body: Mapping[str, Any]) -> str | None:
    findings = body["report"]["findings"]
    recorded = body["finding_sha256"]
    if len(findings) != len(recorded):
        return f"holds {len(findings)} findings but digests for {len(recorded)}"
    for index, (finding, want) in enumerate(zip(findings, recorded, strict=True)):
        have = sha256_hex(body_format.encode_row(finding))  # canonical, a million times
        if have != want:
            return (f"finding {index} ({body_format.finding_label(body, index)}) does not "
                    f"match its digest (recorded {_short(want)}, computed {_short(have)})")
    if sha256_hex(canonical(recorded)) != body["findings_sha256"]:
        return "findings digest does not match the per-finding digests"
    return None


def _check_summary(body: Mapping[str, Any], report: AuditReport) -> str | None:
    counts = report.counts()
    summary = body["report"].get("summary")
    if summary == counts:
        return None
    return f"summary {summary} does not match the findings, which count {counts}"


def _check_signature(entry: StoredManifest, key: Ed25519PublicKey | None,
                     required: bool) -> str | None:
    if entry.signature is None:
        return "manifest is not signed but signatures are required" if required else None
    if key is None:
        return None
    try:
        key.verify(entry.signature, entry.body)
    except InvalidSignature:
        return ("signature does not verify with the given public key "
                "(signed with another key, or the body was changed)")
    return None


def _check_entry(entry: StoredManifest, prev_run: int | None, prev_sha: str | None,
                 key: Ed25519PublicKey | None, required: bool) -> BrokenLink | None:
    def broken(check: Check, why: str) -> BrokenLink:
        return BrokenLink(entry.run, check, f"run {entry.run}: {why}")

    if prev_run is not None and entry.run <= prev_run:
        return broken(Check.ORDER, f"comes after run {prev_run}; runs must strictly "
                                   "increase (manifests reordered or duplicated)")
    computed = sha256_hex(entry.body)
    if computed != entry.sha256:
        return broken(Check.HASH, "manifest hash does not match its content (recorded "
                                  f"{_short(entry.sha256)}, computed {_short(computed)})")
    try:
        body, report = _parse_body(entry.body)
    except EvidenceError as exc:
        return broken(Check.FORMAT, str(exc))
    if body["run"] != entry.run:
        return broken(Check.RUN, f"stored as run {entry.run} but the manifest is run "
                                 f"{body['run']}")
    for check, why in ((Check.LINK, _check_link(body, prev_run, prev_sha)),
                       (Check.FINDINGS, _check_findings(body)),
                       (Check.SUMMARY, _check_summary(body, report)),
                       (Check.SIGNATURE, _check_signature(entry, key, required))):
        if why is not None:
            return broken(check, why)
    return None


def verify_chain(entries: Sequence[StoredManifest], public_key: Ed25519PublicKey | None, *,
                 require_signatures: bool, anchor_sha256: str | None = None,
                 expected_head: str | None = None) -> Verification:
    """Verify manifests given in run order; stop at the first broken one.

    `anchor_sha256` is the hash the first entry must link to (None: the chain start), so a
    suffix can be verified against a hash trusted from earlier. `expected_head`, when
    given, is the hash the last entry must have (catches a deleted tail). Without a public
    key, signatures are not checked: see `Verification.signed`.
    """
    if require_signatures and public_key is None:
        raise EvidenceError("signatures are required but no public key was given")
    prev_run: int | None = None
    prev_sha, checked, signed = anchor_sha256, 0, 0
    for entry in entries:
        problem = _check_entry(entry, prev_run, prev_sha, public_key, require_signatures)
        if problem is not None:
            return Verification(checked, signed, problem, prev_sha)
        checked += 1
        signed += entry.signature is not None and public_key is not None
        prev_run, prev_sha = entry.run, entry.sha256
    if expected_head is not None and prev_sha != expected_head:
        where = f"run {prev_run}" if prev_run is not None else "no manifest"
        reason = (f"{where}: chain ends at {_short(prev_sha)} but the expected head is "
                  f"{_short(expected_head)}; later manifests are missing or were rewritten")
        return Verification(checked, signed, BrokenLink(prev_run, Check.HEAD, reason),
                            prev_sha)
    return Verification(checked, signed, None, prev_sha)
