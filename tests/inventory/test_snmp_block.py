"""The `snmp:` block: SNMPv3 and v1/v2c settings, inheritance, and errors that name the
file, the line, the target and the field — never the secret."""

from __future__ import annotations

import json

import pytest

from inventory import (
    InventoryError,
    RefKind,
    SecretRef,
    SnmpAuthProtocol,
    SnmpCredentials,
    SnmpPrivProtocol,
    SnmpVersion,
    load_inventory,
    target_summary,
)
from tests.inventory.conftest import WriteYaml


def test_v3_auth_priv_with_inheritance(write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        defaults:
          snmp:
            user: cmdb
            auth_protocol: sha-256
            auth_key: env:SNMP_AUTH
            priv_protocol: AES
            priv_key: file:/etc/cmdb/snmp-priv
        groups:
          switches: {transport: snmp, platform: generic_snmp, snmp: {port: 1161}}
        hosts:
          sw1: {address: 192.0.2.10, groups: [switches], snmp: {context: vlan-10}}
        """)
    target = load_inventory([path]).targets[0]
    assert target.transport == "snmp"
    assert target.snmp == SnmpCredentials(
        SnmpVersion.V3, user="cmdb", auth_protocol=SnmpAuthProtocol.SHA256,
        auth_key=SecretRef(RefKind.ENV, "SNMP_AUTH"), priv_protocol=SnmpPrivProtocol.AES128,
        priv_key=SecretRef(RefKind.FILE, "/etc/cmdb/snmp-priv"), context="vlan-10", port=1161)


def test_v2c_inferred_from_a_community_and_null_clears_inherited_v3(
        write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        defaults:
          snmp: {user: cmdb, auth_protocol: SHA, auth_key: env:A}
        hosts:
          old-printer:
            address: 192.0.2.20
            transport: snmp
            snmp: {community: env:SNMP_RO, user: null, auth_protocol: null, auth_key: null}
          ups: {address: 192.0.2.21, snmp: {version: 1, community: env:SNMP_RO,
                                            user: null, auth_protocol: null, auth_key: null}}
          server: {address: 192.0.2.22}
        """)
    printer, ups, server = load_inventory([path]).targets
    assert printer.snmp == SnmpCredentials(SnmpVersion.V2C, SecretRef(RefKind.ENV, "SNMP_RO"))
    assert ups.snmp is not None and ups.snmp.version is SnmpVersion.V1
    assert server.snmp is not None and server.snmp.version is SnmpVersion.V3  # authNoPriv
    assert server.snmp.priv_key is None and server.transport == "ssh"


@pytest.mark.parametrize(("value", "expected"), [
    (3, SnmpVersion.V3), ("3", SnmpVersion.V3), ("2c", SnmpVersion.V2C),
    ("v2c", SnmpVersion.V2C), (1, SnmpVersion.V1)])
def test_version_spellings(write_yaml: WriteYaml, value: object,
                           expected: SnmpVersion) -> None:
    extra = "user: u" if expected is SnmpVersion.V3 else "community: env:C"
    path = write_yaml(f"hosts:\n  a:\n    snmp: {{version: {json.dumps(value)}, {extra}}}\n")
    snmp = load_inventory([path]).targets[0].snmp
    assert snmp is not None and snmp.version is expected


@pytest.mark.parametrize(("name", "expected"), [
    ("MD5", SnmpAuthProtocol.MD5), ("sha", SnmpAuthProtocol.SHA),
    ("SHA1", SnmpAuthProtocol.SHA), ("SHA224", SnmpAuthProtocol.SHA224),
    ("sha-384", SnmpAuthProtocol.SHA384), ("SHA_512", SnmpAuthProtocol.SHA512)])
def test_auth_protocol_spellings(write_yaml: WriteYaml, name: str,
                                 expected: SnmpAuthProtocol) -> None:
    path = write_yaml(f"hosts:\n  a: {{snmp: {{user: u, auth_protocol: {name}, "
                      "auth_key: env:A}}\n")
    snmp = load_inventory([path]).targets[0].snmp
    assert snmp is not None and snmp.auth_protocol is expected


@pytest.mark.parametrize(("name", "expected"), [
    ("DES", SnmpPrivProtocol.DES), ("aes", SnmpPrivProtocol.AES128),
    ("AES128", SnmpPrivProtocol.AES128), ("AES-192", SnmpPrivProtocol.AES192),
    ("aes256", SnmpPrivProtocol.AES256), ("AES-256-C", SnmpPrivProtocol.AES256_CISCO)])
def test_priv_protocol_spellings(write_yaml: WriteYaml, name: str,
                                 expected: SnmpPrivProtocol) -> None:
    path = write_yaml(f"hosts:\n  a: {{snmp: {{user: u, auth_protocol: SHA, auth_key: env:A, "
                      f"priv_protocol: {name}, priv_key: env:P}}}}\n")
    snmp = load_inventory([path]).targets[0].snmp
    assert snmp is not None and snmp.priv_protocol is expected


# (yaml, line, key, fragments of the problem)
ERRORS = {
    "unknown key": ("hosts:\n  a:\n    snmp:\n      comunity: env:C\n", 4,
                    "hosts.a.snmp.comunity", ["did you mean 'community'", "priv_key"]),
    "not a mapping": ("hosts:\n  a: {snmp: v3}\n", 2, "hosts.a.snmp",
                      ["expected a mapping, got a string"]),
    "literal community": ("hosts:\n  a:\n    snmp: {community: public}\n", 3,
                          "hosts.a.snmp.community", ["literal secrets are not allowed"]),
    "literal key": ("defaults:\n  snmp:\n    auth_key: s3cret-Value\n", 3,
                    "defaults.snmp.auth_key", ["literal secrets are not allowed"]),
    "bad version": ("hosts:\n  a: {snmp: {version: 2, community: env:C}}\n", 2,
                    "hosts.a.snmp.version", ["expected an SNMP version 1, 2c or 3, got 2"]),
    "bad auth protocol": ("hosts:\n  a: {snmp: {auth_protocol: SHA-1024}}\n", 2,
                          "hosts.a.snmp.auth_protocol", ["expected one of MD5, SHA,",
                                                         "'SHA-1024'"]),
    "bad priv protocol": ("hosts:\n  a: {snmp: {priv_protocol: 3DES}}\n", 2,
                          "hosts.a.snmp.priv_protocol", ["AES-256-C", "'3DES'"]),
    "bad port": ("hosts:\n  a: {snmp: {port: 0}}\n", 2, "hosts.a.snmp.port",
                 ["expected an integer 1-65535, got 0"]),
    "empty user": ("hosts:\n  a: {snmp: {user: ''}}\n", 2, "hosts.a.snmp.user",
                   ["non-empty string"]),
    "neither user nor community": ("hosts:\n  a:\n    snmp: {port: 1161}\n", 3,
                                   "hosts.a.snmp.version",
                                   ["host 'a'", "needs a user (SNMPv3, preferred)"]),
    "v3 without user": ("hosts:\n  a: {snmp: {version: 3, auth_protocol: SHA, "
                        "auth_key: env:A}}\n", 2, "hosts.a.snmp.user",
                        ["host 'a': SNMPv3 needs a user"]),
    "v3 with community": ("defaults:\n  snmp: {community: env:C}\nhosts:\n  a:\n"
                          "    snmp: {version: 3, user: u}\n", 5, "hosts.a.snmp.community",
                          ["for versions 1 and 2c", "community: null"]),
    "v2c without community": ("hosts:\n  a: {snmp: {version: 2c}}\n", 2,
                              "hosts.a.snmp.community", ["version 2c needs a community"]),
    "v2c with a user": ("hosts:\n  a: {snmp: {version: 2c, community: env:C, user: u}}\n", 2,
                        "hosts.a.snmp.user", ["user is for SNMPv3", "version 2c"]),
    "key without protocol": ("hosts:\n  a: {snmp: {user: u, auth_key: env:A}}\n", 2,
                             "hosts.a.snmp.auth_protocol",
                             ["auth_protocol and auth_key go together"]),
    "protocol without key": ("hosts:\n  a: {snmp: {user: u, auth_protocol: SHA, "
                             "auth_key: env:A, priv_protocol: AES}}\n", 2,
                             "hosts.a.snmp.priv_key", ["priv_key is missing"]),
    "privacy without auth": ("hosts:\n  a: {snmp: {user: u, priv_protocol: AES, "
                             "priv_key: env:P}}\n", 2, "hosts.a.snmp.auth_key",
                             ["privacy needs authentication too (authPriv)"]),
    "snmp transport without block": ("hosts:\n  a:\n    transport: snmp\n", 2,
                                     "hosts.a.snmp", ["transport snmp needs an snmp: block"]),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_errors_name_file_line_key_and_target(write_yaml: WriteYaml, case: str) -> None:
    text, line, key, fragments = ERRORS[case]
    path = write_yaml(text)
    with pytest.raises(InventoryError) as info:
        load_inventory([path])
    exc = info.value
    assert (exc.file, exc.line, exc.key) == (str(path), line, key)
    assert str(exc).startswith(f"{path}: line {line} ({key}): ")
    for fragment in fragments:
        assert fragment in exc.problem
    assert "s3cret-Value" not in str(exc) and "public" not in str(exc)


def test_error_for_an_inherited_block_points_at_the_host(write_yaml: WriteYaml) -> None:
    base = write_yaml("defaults:\n  snmp: {version: 3}\n", "base.yaml")
    hosts = write_yaml("hosts:\n  sw9: {address: 192.0.2.9}\n", "hosts.yaml")
    with pytest.raises(InventoryError) as info:
        load_inventory([base, hosts])
    assert (info.value.file, info.value.line) == (str(hosts), 2)
    assert "host 'sw9': SNMPv3 needs a user" in str(info.value)


def test_summary_shows_snmp_references_only(write_yaml: WriteYaml,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNMP_AUTH", "resolved-auth-secret")
    path = write_yaml("""
        hosts:
          sw1:
            address: 192.0.2.10
            transport: snmp
            snmp: {user: cmdb, auth_protocol: SHA, auth_key: env:SNMP_AUTH,
                   priv_protocol: AES-256, priv_key: env:SNMP_PRIV}
          web1: {address: 192.0.2.11}
        """)
    sw1, web1 = (target_summary(t) for t in load_inventory([path]).targets)
    assert sw1["snmp"] == {
        "version": "3", "community": None, "user": "cmdb", "auth_protocol": "SHA",
        "auth_key": "env:SNMP_AUTH", "priv_protocol": "AES-256", "priv_key": "env:SNMP_PRIV",
        "context": None, "port": 161}
    assert "snmp" not in web1
    assert "resolved-auth-secret" not in json.dumps(sw1)
