"""Every bad inventory gets an InventoryError naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory import InventoryError, load_inventory
from tests.inventory.conftest import WriteYaml


def _error(*paths: Path, max_cidr_targets: int = 4096) -> InventoryError:
    with pytest.raises(InventoryError) as info:
        load_inventory(list(paths), max_cidr_targets=max_cidr_targets)
    return info.value


def _assert_error(exc: InventoryError, path: Path, line: int | None, key: str | None,
                  *fragments: str) -> None:
    assert (exc.file, exc.line, exc.key) == (str(path), line, key)
    prefix = ": ".join(p for p in (str(path), exc.location) if p)
    assert str(exc) == f"{prefix}: {exc.problem}"
    for fragment in fragments:
        assert fragment in exc.problem


# (yaml, line, key, fragments of the problem)
CASES = {
    "bad port": ("hosts:\n  web01:\n    address: 10.0.0.5\n    port: abc\n",
                 4, "hosts.web01.port", ["expected an integer 1-65535, got 'abc'"]),
    "port out of range": ("defaults: {port: 70000}\n", 1, "defaults.port", ["70000"]),
    "bool is not a port": ("hosts:\n  a: {port: true}\n", 2, "hosts.a.port", ["got True"]),
    "unknown host key": ("hosts:\n  a: {adress: x}\n", 2, "hosts.a.adress",
                         ["unknown key 'adress'", "did you mean 'address'",
                          "allowed: address, credentials, groups, platform, port"]),
    "unknown top key": ("hosts: {}\nhostz: {}\n", 2, "hostz", ["unknown key 'hostz'"]),
    "unknown group key": ("groups:\n  web: {address: x}\n", 2, "groups.web.address",
                          ["unknown key 'address'", "parents"]),
    "unknown defaults key": ("defaults:\n  groups: [a]\n", 2, "defaults.groups",
                             ["unknown key 'groups'"]),
    "unknown credentials key": ("defaults:\n  credentials:\n    pasword: env:X\n",
                                3, "defaults.credentials.pasword",
                                ["did you mean 'password'", "key_passphrase"]),
    "tags not a list": ("hosts:\n  a: {tags: web}\n", 2, "hosts.a.tags",
                        ["expected a list of strings, got a string"]),
    "tag not a string": ("hosts:\n  a:\n    tags:\n      - web\n      - 42\n", 5, "hosts.a.tags[1]",
                         ["expected a non-empty string, got 42"]),
    "site not a string": ("groups:\n  dc: {site: [a]}\n", 2, "groups.dc.site",
                          ["expected a non-empty string"]),
    "role empty": ("hosts:\n  a: {role: ''}\n", 2, "hosts.a.role", ["non-empty string"]),
    "bad transport": ("defaults:\n  transport: telnet\n", 2, "defaults.transport",
                      ["expected a transport (snmp, ssh), got 'telnet'"]),
    "bad platform": ("hosts:\n  a: {platform: 'cisco ios'}\n", 2, "hosts.a.platform",
                     ["platform name", "'cisco ios'"]),
    "host not a mapping": ("hosts:\n  a: [x]\n", 2, "hosts.a", ["expected a mapping, got a list"]),
    "unknown group": ("groups:\n  web: {}\nhosts:\n  a: {groups: [web, db]}\n",
                      4, "hosts.a.groups[1]", ["unknown group 'db'", "known groups: web"]),
    "unknown parent": ("groups:\n  web:\n    parents: [dc9]\n", 3, "groups.web.parents[0]",
                       ["unknown group 'dc9'"]),
    "group cycle": ("groups:\n  a: {parents: [b]}\n  b: {parents: [c]}\n  c: {parents: [a]}\n",
                    4, "groups.c.parents", ["group cycle: a -> b -> c -> a"]),
    "self parent": ("groups:\n  a: {parents: [a]}\n", 2, "groups.a.parents",
                    ["group cycle: a -> a"]),
    "duplicate host in one file": ("hosts:\n  a: {}\n  b: {}\n  a: {}\n", 4, "hosts.a",
                                   ["duplicate key 'a' (first at line 2)"]),
    "duplicate key in host": ("hosts:\n  a:\n    port: 22\n    port: 23\n", 4, "hosts.a.port",
                              ["duplicate key 'port'"]),
    "not a mapping": ("- a\n- b\n", 1, None, ["expected a mapping", "got a list"]),
    "nothing defined": ("{}\n", 1, None, ["defines nothing"]),
    "yaml syntax": ("hosts:\n  a: {port: 22\n  b: {}\n", 3, None, ["invalid YAML"]),
    "bad indentation": ("hosts:\n  a: {}\n b: {}\n", 3, None, ["invalid YAML"]),
    "non-string key": ("hosts:\n  123: {}\n", 2, "hosts", ["key '123'", "quote it"]),
    "merge key": ("hosts:\n  a: &a {port: 22}\n  b: {<<: *a}\n", 3, "hosts.b",
                  ["merge keys"]),
    "date in vars": ("hosts:\n  a:\n    vars: {since: 2024-01-01}\n", 3, "hosts.a.vars.since",
                     ["type date", "quote it"]),
    "unsafe tag": ("hosts:\n  a: {vars: {x: !!python/name:os.system ''}}\n", 2,
                   "hosts.a.vars.x", ["cannot read value"]),
    "recursive alias": ("hosts:\n  a: {vars: &v {x: *v}}\n", 2, "hosts.a.vars.x",
                        ["recursive YAML alias"]),
    "bad cidr": ("hosts:\n  lab: {address: 10.0.0.5/24}\n", 2, "hosts.lab.address",
                 ["not a valid CIDR range", "host bits set"]),
    "address with space": ("hosts:\n  a: {address: 'a b'}\n", 2, "hosts.a.address",
                           ["whitespace"]),
    "relative key_file": ("defaults:\n  credentials: {key_file: keys/id}\n", 2,
                          "defaults.credentials.key_file", ["absolute path or ~/path"]),
    "cidr collides with host": ("hosts:\n  lab-10.0.0.1: {}\n  lab: {address: 10.0.0.0/30}\n",
                                3, "hosts.lab.address",
                                ["'lab-10.0.0.1'", "already used by host 'lab-10.0.0.1'"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_error_names_file_line_and_key(write_yaml: WriteYaml, case: str) -> None:
    text, line, key, fragments = CASES[case]
    path = write_yaml(text)
    _assert_error(_error(path), path, line, key, *fragments)


def test_message_format_matches_the_documented_example(write_yaml: WriteYaml) -> None:
    path = write_yaml("hosts:\n  web01:\n    port: abc\n")
    assert str(_error(path)) == (
        f"{path}: line 3 (hosts.web01.port): expected an integer 1-65535, got 'abc'")


def test_empty_file(write_yaml: WriteYaml) -> None:
    path = write_yaml("# only a comment\n")
    _assert_error(_error(path), path, None, None, "file is empty")


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    _assert_error(_error(path), path, None, None, "cannot read file", "No such file")


def test_same_file_twice(write_yaml: WriteYaml) -> None:
    path = write_yaml("hosts:\n  a: {}\n")
    _assert_error(_error(path, path), path, None, None, "given twice")


def test_no_files() -> None:
    assert str(_error()) == "no inventory files given"


def test_single_path_instead_of_list_is_a_type_error(write_yaml: WriteYaml) -> None:
    with pytest.raises(TypeError, match="list of paths"):
        load_inventory(str(write_yaml("hosts:\n  a: {}\n")))


def test_duplicate_host_across_files(write_yaml: WriteYaml) -> None:
    first = write_yaml("hosts:\n  web01: {}\n", "a.yaml")
    second = write_yaml("hosts:\n  db01: {}\n  web01: {address: 10.0.0.9}\n", "b.yaml")
    _assert_error(_error(first, second), second, 3, "hosts.web01",
                  f"host 'web01' is already defined in {first} line 2")


def test_group_defined_in_two_files(write_yaml: WriteYaml) -> None:
    first = write_yaml("groups:\n  web: {}\n", "a.yaml")
    second = write_yaml("groups:\n\n  web: {role: x}\n", "b.yaml")
    _assert_error(_error(first, second), second, 3, "groups.web",
                  f"group 'web' is already defined in {first} line 2")


def test_different_defaults_in_two_files(write_yaml: WriteYaml) -> None:
    first = write_yaml("defaults: {port: 22}\n", "a.yaml")
    second = write_yaml("hosts: {}\ndefaults: {port: 2222}\n", "b.yaml")
    _assert_error(_error(first, second), second, 2, "defaults",
                  f"defaults differ from those in {first} line 1")


def test_cidr_cap_names_host_and_count(write_yaml: WriteYaml) -> None:
    path = write_yaml("""
        hosts:
          small: {address: 10.0.0.0/29}
          big:
            address: 10.1.0.0/28
        """)
    # Each range fits under the cap on its own; together they do not.
    _assert_error(_error(path, max_cidr_targets=15), path, 4, "hosts.big.address",
                  "host 'big'", "expands to 14 targets", "20 from CIDR ranges",
                  "max_cidr_targets=15")


def test_huge_ipv6_range_fails_fast_without_enumerating(write_yaml: WriteYaml) -> None:
    path = write_yaml('hosts:\n  v6: {address: "2001:db8::/64"}\n')
    _assert_error(_error(path), path, 2, "hosts.v6.address",
                  f"expands to {2**64 - 1} targets")


def test_alias_bomb_is_stopped(write_yaml: WriteYaml) -> None:
    levels = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for prev, name in zip("abcde", "bcdef", strict=True):
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    path = write_yaml("\n".join(levels) + "\n")
    assert "alias bomb" in _error(path).problem
