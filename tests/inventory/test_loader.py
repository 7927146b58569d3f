"""Happy paths: inheritance, merge order, CIDR expansion, several files."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory import Credentials, RefKind, SecretRef, Target, load_inventory
from tests.inventory.conftest import WriteYaml

FULL = """
defaults:
  platform: linux
  transport: ssh
  port: 22
  tags: [managed]
  credentials:
    username: cmdb
    key_file: ~/.ssh/id_ed25519
    password: env:CMDB_SSH_PASSWORD
    key_passphrase: file:/etc/cmdb/pass
  vars: {config_files: [/etc/app.conf], ntp: {servers: [a], prefer: a}}
groups:
  dc1: {site: dc1, role: infra, tags: [dc1, managed]}
  web:
    parents: [dc1]
    role: server
    port: 2200
    tags: [web]
    credentials: {username: webadmin}
    vars: {ntp: {prefer: b}, app: {name: shop}}
hosts:
  web01:
    address: 10.0.0.5
    groups: [web]
    tags: [web, prod]
    credentials: {password: env:WEB01_PW}
    vars: {app: {version: "4.2"}}
  db01: {}
"""


def _one(path: Path, name: str) -> Target:
    target = load_inventory([path]).by_name(name)
    assert target is not None
    return target


def test_host_without_settings_gets_defaults(write_yaml: WriteYaml) -> None:
    db01 = _one(write_yaml(FULL), "db01")
    assert db01 == Target(
        name="db01", address="db01", platform="linux", transport="ssh", port=22,
        site=None, role=None, tags=("managed",), groups=(),
        credentials=Credentials(
            username="cmdb", password=SecretRef(RefKind.ENV, "CMDB_SSH_PASSWORD"),
            key_file=str(Path("~/.ssh/id_ed25519").expanduser()),
            key_passphrase=SecretRef(RefKind.FILE, "/etc/cmdb/pass")),
        vars={"config_files": ["/etc/app.conf"], "ntp": {"servers": ["a"], "prefer": "a"}})


def test_scalars_later_wins_defaults_group_parent_host(write_yaml: WriteYaml) -> None:
    web01 = _one(write_yaml(FULL), "web01")
    assert web01.address == "10.0.0.5"
    assert web01.site == "dc1"          # from the parent group
    assert web01.role == "server"       # child group beats parent
    assert web01.port == 2200           # group beats defaults
    assert web01.groups == ("dc1", "web")


def test_tags_union_order_preserving_deduplicated(write_yaml: WriteYaml) -> None:
    assert _one(write_yaml(FULL), "web01").tags == ("managed", "dc1", "web", "prod")


def test_credentials_merge_key_by_key(write_yaml: WriteYaml) -> None:
    creds = _one(write_yaml(FULL), "web01").credentials
    assert creds.username == "webadmin"
    assert creds.password == SecretRef(RefKind.ENV, "WEB01_PW")
    assert creds.key_passphrase == SecretRef(RefKind.FILE, "/etc/cmdb/pass")
    assert creds.key_file == str(Path.home() / ".ssh/id_ed25519")


def test_vars_deep_merge(write_yaml: WriteYaml) -> None:
    assert _one(write_yaml(FULL), "web01").vars == {
        "config_files": ["/etc/app.conf"],
        "ntp": {"servers": ["a"], "prefer": "b"},
        "app": {"name": "shop", "version": "4.2"},
    }


def test_vars_not_shared_between_targets(write_yaml: WriteYaml) -> None:
    inv = load_inventory([write_yaml(FULL)])
    assert inv.targets[0].vars["config_files"] is not inv.targets[1].vars["config_files"]


def test_parents_first_in_listed_order_each_once(write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        groups:
          base: {role: base, tags: [base]}
          a: {parents: [base], role: a, tags: [a]}
          b: {parents: [base], role: b, tags: [b]}
          c: {parents: [b, a], tags: [c]}
        hosts:
          h1: {groups: [a, b]}
          h2: {groups: [c]}
        """)
    inv = load_inventory([path])
    h1, h2 = inv.targets
    assert (h1.groups, h1.role, h1.tags) == (("base", "a", "b"), "b", ("base", "a", "b"))
    assert (h2.groups, h2.role, h2.tags) == (("base", "b", "a", "c"), "a", ("base", "b", "a", "c"))


def test_null_clears_inherited_values(write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        defaults:
          port: 22
          site: hq
          credentials: {username: cmdb, password: env:PW}
        hosts:
          keyonly: {port: null, site: null, credentials: {password: null}}
        """)
    target = _one(path, "keyonly")
    assert (target.port, target.site) == (None, None)
    assert target.credentials == Credentials(username="cmdb")


def test_model_defaults_when_nothing_set(write_yaml: WriteYaml) -> None:
    target = _one(write_yaml("hosts:\n  bare:\n"), "bare")
    assert target == Target(name="bare", address="bare")


def test_cidr_v4_slash30_excludes_network_and_broadcast(write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        groups:
          web: {role: server}
        hosts:
          lab: {address: 192.0.2.0/30, groups: [web], port: 2022}
        """)
    inv = load_inventory([path])
    assert [(t.name, t.address) for t in inv.targets] == [
        ("lab-192.0.2.1", "192.0.2.1"), ("lab-192.0.2.2", "192.0.2.2")]
    assert all(t.role == "server" and t.port == 2022 and t.groups == ("web",)
               for t in inv.targets)


@pytest.mark.parametrize(("cidr", "expected"), [
    ("192.0.2.7/32", ["192.0.2.7"]),
    ("192.0.2.6/31", ["192.0.2.6", "192.0.2.7"]),
    ("2001:db8::/126", ["2001:db8::1", "2001:db8::2", "2001:db8::3"]),
    ("2001:db8::1/128", ["2001:db8::1"]),
])
def test_cidr_expansion(write_yaml: WriteYaml, cidr: str, expected: list[str]) -> None:
    inv = load_inventory([write_yaml(f'hosts:\n  lab: {{address: "{cidr}"}}\n')])
    assert [t.address for t in inv.targets] == expected
    assert [t.name for t in inv.targets] == [f"lab-{a}" for a in expected]


def test_cidr_cap_counts_expanded_targets_only(write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        hosts:
          plain: {}
          lab: {address: 192.0.2.0/29}
        """)
    assert len(load_inventory([path], max_cidr_targets=6).targets) == 7


def test_several_files_are_merged(write_yaml: WriteYaml) -> None:
    shared = write_yaml("""
        defaults: {port: 22}
        groups:
          web: {role: server}
        """, "shared.yaml")
    site = write_yaml("""
        defaults: {port: 22}
        hosts:
          web01: {groups: [web]}
        """, "site.yaml")
    inv = load_inventory([shared, site])
    assert inv.sources == (str(shared), str(site))
    assert [(t.name, t.role, t.port) for t in inv.targets] == [("web01", "server", 22)]


def test_anchors_and_aliases_are_allowed(write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        hosts:
          a: {vars: {files: &files [/etc/a, /etc/b]}}
          b: {vars: {files: *files}}
        """)
    assert load_inventory([path]).targets[1].vars == {"files": ["/etc/a", "/etc/b"]}


def test_platform_is_any_identifier(write_yaml: WriteYaml) -> None:
    path = write_yaml("hosts:\n  sw1: {platform: cisco_ios, address: sw1.example.net}\n")
    target = _one(path, "sw1")
    assert (target.platform, target.address) == ("cisco_ios", "sw1.example.net")
