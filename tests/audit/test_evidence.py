"""Evidence manifests: building, chaining, signing, and catching each kind of tampering,
in the format written now (2) and in the one stored evidence may still be in (1)."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import manifest as body_format
from audit.evidence import (
    FORMAT,
    FORMAT_V1,
    BrokenLink,
    ChainLink,
    Check,
    EvidenceError,
    Manifest,
    StoredManifest,
    Verification,
    build_manifest,
    canonical,
    generate_keypair,
    load_manifest,
    load_private_key,
    load_public_key,
    manifest_report,
    sign,
    verify_chain,
)
from audit.model import (
    AuditReport,
    CoverageEntry,
    Finding,
    InputRef,
    Reference,
    Severity,
    Verdict,
)
from tests.audit.v1_manifest import build_v1_manifest

TOOL = "0.1.0"
Writer = Callable[[AuditReport, ChainLink | None, str], Manifest]
WRITERS = pytest.mark.parametrize("write", [build_manifest, build_v1_manifest],
                                  ids=["format2", "format1"])


def finding(ci: str, verdict: Verdict, check: str = "ssh.permit_root_login") -> Finding:
    return Finding(baseline="linux-servers", baseline_version=3, check=check, ci=ci,
                   ci_name=f"host-{ci}", verdict=verdict, severity=Severity.HIGH,
                   title="Root login over SSH is disabled", expected="no",
                   actual="no" if verdict is Verdict.COMPLIANT else "yes",
                   message="sshd_config PermitRootLogin", references=(Reference("CIS", "5.2.10"),))


def report(run: int, verdicts: tuple[Verdict, ...]) -> AuditReport:
    return AuditReport(
        run=run, started_at=f"2024-05-0{run}T10:00:00Z", finished_at=f"2024-05-0{run}T10:05:00Z",
        inputs=(InputRef("baseline", "linux-servers", "3", "ab" * 32),
                InputRef("discovery-run", "discovery", str(run * 10))),
        coverage=(CoverageEntry("ci-1", "host-ci-1", True, last_run=run * 10),
                  CoverageEntry("ci-9", "host-ci-9", False, "not seen since run 4", 4)),
        findings=tuple(finding(f"ci-{i}", v) for i, v in enumerate(verdicts, start=1)),
        meta={"scope": "role=server", "operator": "Åsa Ölund"},
    )


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Ed25519PrivateKey, Path]:
    private, public = tmp_path / "audit.key", tmp_path / "audit.pub"
    generate_keypair(private, public)
    return load_private_key(private), public


def chain(length: int = 4, write: Writer = build_manifest) -> list[Manifest]:
    manifests: list[Manifest] = []
    for run in range(1, length + 1):
        verdicts = (Verdict.COMPLIANT, Verdict.DRIFT if run % 2 else Verdict.COMPLIANT,
                    Verdict.ERROR)
        previous = manifests[-1] if manifests else None
        manifests.append(write(report(run, verdicts), previous, TOOL))
    return manifests


def signed(manifests: list[Manifest], key: Ed25519PrivateKey) -> list[StoredManifest]:
    return [m.stored(sign(m, key)) for m in manifests]


def edit(entry: StoredManifest, change: Any, *, rehash: bool) -> StoredManifest:
    """Rewrite a stored body as an editor would: parse, change, re-serialize."""
    body = json.loads(entry.body)
    change(body)
    new = canonical(body)
    sha = load_manifest(new).sha256 if rehash else entry.sha256
    return replace(entry, body=new, sha256=sha)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def flip_verdict(body: dict[str, Any]) -> None:
    finding = body["report"]["findings"][1]
    if body["format"] == FORMAT_V1:
        finding["verdict"] = "waived"
    else:  # a row: check, ci, verdict, ...
        finding[2] = "waived"


# ---- canonical form and building ---------------------------------------------------------

def test_canonical_is_sorted_compact_utf8() -> None:
    assert canonical({"b": [1, 2], "a": "Ölund"}) == '{"a":"Ölund","b":[1,2]}'.encode()


def test_canonical_rejects_what_json_cannot_hold() -> None:
    with pytest.raises(EvidenceError):
        canonical({"x": float("nan")})
    with pytest.raises(EvidenceError):
        canonical({"x": object()})


@WRITERS
def test_manifest_body_and_links(write: Writer) -> None:
    first, second, *_ = chain(write=write)
    body = json.loads(first.body)
    assert body["format"] == (FORMAT if write is build_manifest else FORMAT_V1)
    assert body["created_at"] == "2024-05-01T10:05:00Z"
    assert body["tool_version"] == TOOL
    assert first.previous_sha256 is None and body["previous_sha256"] is None
    assert body["report"]["summary"]["drift"] == 1
    assert len(body["finding_sha256"]) == 3
    assert second.previous_sha256 == first.sha256
    assert load_manifest(second.body) == second


@WRITERS
def test_report_reads_back_unchanged(write: Writer) -> None:
    original = report(1, (Verdict.DRIFT, Verdict.WAIVED))
    manifest = write(original, None, TOOL)
    assert manifest_report(manifest) == original


def test_build_refuses_a_run_that_does_not_follow() -> None:
    first = build_manifest(report(5, ()), None, TOOL)
    with pytest.raises(EvidenceError, match="run 5 cannot follow run 5"):
        build_manifest(report(5, ()), first, TOOL)


# ---- verification ------------------------------------------------------------------------

@WRITERS
def test_signed_chain_verifies(keys: tuple[Ed25519PrivateKey, Path], write: Writer) -> None:
    private, public_path = keys
    manifests = chain(write=write)
    result = verify_chain(signed(manifests, private), load_public_key(public_path),
                          require_signatures=True, expected_head=manifests[-1].sha256)
    assert result.ok and result.first_broken is None
    assert (result.checked, result.signed) == (4, 4)
    assert result.head_sha256 == manifests[-1].sha256


def verify(entries: list[StoredManifest], public_path: Path, **kw: Any) -> Verification:
    kw.setdefault("require_signatures", True)
    return verify_chain(entries, load_public_key(public_path), **kw)


def broken_link(result: Verification) -> BrokenLink:
    assert result.first_broken is not None, "expected a broken link"
    return result.first_broken


def where(result: Verification) -> tuple[int | None, Check]:
    return broken_link(result).run, broken_link(result).check


@WRITERS
def test_changed_verdict_breaks_the_hash(keys: tuple[Ed25519PrivateKey, Path],
                                         write: Writer) -> None:
    private, public_path = keys
    entries = signed(chain(write=write), private)
    entries[1] = edit(entries[1], flip_verdict, rehash=False)
    result = verify(entries, public_path)
    assert not result.ok and result.checked == 1
    broken = broken_link(result)
    assert broken.run == 2 and broken.check is Check.HASH
    assert broken.reason.startswith("run 2: manifest hash does not match its content (recorded ")


@WRITERS
def test_rehashed_edit_is_caught_by_the_finding_digest(
        keys: tuple[Ed25519PrivateKey, Path], write: Writer) -> None:
    private, public_path = keys
    entries = signed(chain(write=write), private)
    entries[1] = edit(entries[1], flip_verdict, rehash=True)
    broken = broken_link(verify(entries, public_path))
    assert (broken.run, broken.check) == (2, Check.FINDINGS)
    assert "finding 1 (ssh.permit_root_login on ci-2) does not match its digest" in broken.reason


def recompute_digests(body: dict[str, Any]) -> None:
    digests = [digest(f) for f in body["report"]["findings"]]
    body["finding_sha256"] = digests
    body["findings_sha256"] = digest(digests)


def digest(obj: Any) -> str:
    return sha(canonical(obj))


@WRITERS
def test_edit_with_digests_recomputed_is_caught_by_the_summary(
        keys: tuple[Ed25519PrivateKey, Path], write: Writer) -> None:
    private, public_path = keys
    entries = signed(chain(write=write), private)

    def flip_and_redigest(body: dict[str, Any]) -> None:
        flip_verdict(body)
        recompute_digests(body)

    entries[0] = edit(entries[0], flip_and_redigest, rehash=True)
    broken = broken_link(verify(entries, public_path))
    assert (broken.run, broken.check) == (1, Check.SUMMARY)


def careful_edit(body: dict[str, Any]) -> None:
    flip_verdict(body)
    recompute_digests(body)
    body["report"]["summary"] = body_format.decode(canonical(body))[1].counts()


@WRITERS
def test_careful_edit_is_caught_by_the_signature(keys: tuple[Ed25519PrivateKey, Path],
                                                 write: Writer) -> None:
    private, public_path = keys
    entries = signed(chain(write=write), private)
    entries[0] = edit(entries[0], careful_edit, rehash=True)
    broken = broken_link(verify(entries, public_path))
    assert (broken.run, broken.check) == (1, Check.SIGNATURE)


@WRITERS
def test_careful_unsigned_edit_breaks_the_next_link(write: Writer) -> None:
    entries = [m.stored() for m in chain(write=write)]
    entries[0] = edit(entries[0], careful_edit, rehash=True)
    result = verify_chain(entries, None, require_signatures=False)
    assert result.checked == 1 and result.signed == 0
    assert where(result) == (2, Check.LINK)


def test_rewriting_the_rest_of_the_chain(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    # The documented limit: rebuild every manifest from the edited run on and an unsigned
    # chain verifies; a head hash kept elsewhere, or signatures, catch it.
    original = chain()
    forged = [build_manifest(report(1, (Verdict.COMPLIANT,) * 3), None, TOOL)]
    for m in original[1:]:
        forged.append(build_manifest(manifest_report(m), forged[-1], TOOL))
    unsigned = [m.stored() for m in forged]
    assert verify_chain(unsigned, None, require_signatures=False).ok
    head = verify_chain(unsigned, None, require_signatures=False,
                        expected_head=original[-1].sha256)
    assert head.checked == 4 and where(head) == (4, Check.HEAD)
    private, public_path = keys
    resigned = signed(forged, Ed25519PrivateKey.generate())  # without our private key
    assert where(verify(resigned, public_path)) == (1, Check.SIGNATURE)
    assert verify(signed(original, private), public_path).ok


def test_dropped_manifest_breaks_the_link(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    private, public_path = keys
    entries = signed(chain(), private)
    del entries[1]
    result = verify(entries, public_path)
    assert result.checked == 1
    assert where(result) == (3, Check.LINK)
    assert "links to run 2" in broken_link(result).reason
    assert "before it is run 1" in broken_link(result).reason


def test_deleted_tail_needs_the_head(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    private, public_path = keys
    manifests = chain()
    entries = signed(manifests, private)[:-1]
    assert verify(entries, public_path).ok
    result = verify(entries, public_path, expected_head=manifests[-1].sha256)
    assert result.checked == 3
    assert where(result) == (3, Check.HEAD)


def test_reordered_manifests(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    private, public_path = keys
    e = signed(chain(), private)
    # Run 3 right after run 1: its link names run 2, so the link check fires.
    result = verify([e[0], e[2], e[1], e[3]], public_path)
    assert result.checked == 1
    assert where(result) == (3, Check.LINK)
    # Going backwards or repeating a run is an order break.
    backwards = verify([e[2], e[1]], public_path, anchor_sha256=e[1].sha256)
    assert backwards.checked == 1
    assert where(backwards) == (2, Check.ORDER)
    repeated = broken_link(verify([e[0], e[1], e[1]], public_path))
    assert (repeated.run, repeated.check) == (2, Check.ORDER)
    assert "comes after run 2" in repeated.reason


def test_body_stored_under_another_run(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    private, public_path = keys
    entries = signed(chain(), private)
    entries[1] = replace(entries[2], run=2)  # run 3's manifest, hash and signature
    broken = broken_link(verify(entries, public_path))
    assert (broken.run, broken.check) == (2, Check.RUN)
    assert broken.reason == "run 2: stored as run 2 but the manifest is run 3"


def test_manifest_signed_by_another_key(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    private, public_path = keys
    manifests = chain()
    entries = signed(manifests, private)
    forged = build_manifest(report(3, (Verdict.COMPLIANT,)), manifests[1], TOOL)
    entries[2] = forged.stored(sign(forged, Ed25519PrivateKey.generate()))
    result = verify(entries, public_path)
    assert result.checked == 2 and result.signed == 2
    assert where(result) == (3, Check.SIGNATURE)
    assert "does not verify with the given public key" in broken_link(result).reason


def test_stripped_signature(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    private, public_path = keys
    entries = signed(chain(), private)
    entries[2] = replace(entries[2], signature=None)
    broken = broken_link(verify(entries, public_path))
    assert (broken.run, broken.check) == (3, Check.SIGNATURE)
    assert "not signed" in broken.reason
    lenient = verify(entries, public_path, require_signatures=False)
    assert lenient.ok and (lenient.checked, lenient.signed) == (4, 3)


def test_signatures_required_without_a_key() -> None:
    with pytest.raises(EvidenceError, match="no public key"):
        verify_chain([], None, require_signatures=True)


@pytest.mark.parametrize("body", [
    b'{"format":"cmdb-audit-manifest/1","run":',  # truncated
    b"\xff\xfe",  # not UTF-8
    b'{"format":"something-else/1"}',
    b'{"format": "cmdb-audit-manifest/1"}',  # not canonical
    canonical({"format": FORMAT, "run": 2}),  # fields missing
])
def test_corrupt_bodies_fail_the_format_check(keys: tuple[Ed25519PrivateKey, Path],
                                              body: bytes) -> None:
    private, public_path = keys
    entries = signed(chain(), private)
    entries[1] = StoredManifest(2, body, sha(body), entries[1].signature)
    result = verify(entries, public_path)
    assert result.checked == 1
    assert where(result) == (2, Check.FORMAT)


def test_suffix_verifies_from_an_anchor(keys: tuple[Ed25519PrivateKey, Path]) -> None:
    private, public_path = keys
    manifests = chain()
    suffix = signed(manifests, private)[2:]
    assert verify(suffix, public_path, anchor_sha256=manifests[1].sha256).ok
    broken = broken_link(verify(suffix, public_path))
    assert (broken.run, broken.check) == (3, Check.LINK)


# ---- keys ---------------------------------------------------------------------------------

def test_private_key_file_is_0600(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "k", tmp_path / "k.pub")
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600


def test_refuses_to_overwrite_key_files(tmp_path: Path) -> None:
    private, public = tmp_path / "k", tmp_path / "k.pub"
    private.write_text("keep me")
    with pytest.raises(EvidenceError, match="already exists"):
        generate_keypair(private, public)
    assert private.read_text() == "keep me" and not public.exists()
    private.unlink()
    public.write_text("keep me")
    with pytest.raises(EvidenceError, match=r"k\.pub: already exists"):
        generate_keypair(private, public)
    assert not private.exists() and public.read_text() == "keep me"


def test_wrong_key_file_content_names_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n")
    for load in (load_private_key, load_public_key):
        with pytest.raises(EvidenceError) as err:
            load(junk)
        assert str(junk) in str(err.value) and "c2VjcmV0" not in str(err.value)
    with pytest.raises(EvidenceError, match=r"missing\.pem: cannot read"):
        load_public_key(tmp_path / "missing.pem")


def test_public_key_file_is_not_a_private_key(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "k", tmp_path / "k.pub")
    with pytest.raises(EvidenceError, match=r"k\.pub: not an unencrypted PEM private key"):
        load_private_key(tmp_path / "k.pub")


def test_rsa_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rsa.pem"
    path.write_bytes(rsa.generate_private_key(65537, 2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with pytest.raises(EvidenceError, match=r"rsa\.pem: private key is not Ed25519"):
        load_private_key(path)
