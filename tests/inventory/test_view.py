from __future__ import annotations

import json

import pytest

from inventory import load_inventory, target_summary
from tests.inventory.conftest import WriteYaml


def test_summary_shows_references_never_secrets(write_yaml: WriteYaml,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMDB_SSH_PASSWORD", "resolved-secret-value")
    path = write_yaml("""
        defaults:
          credentials:
            username: cmdb
            password: env:CMDB_SSH_PASSWORD
            key_file: /etc/cmdb/id_ed25519
            key_passphrase: file:/etc/cmdb/pass
        groups:
          web: {site: dc1, role: server, tags: [web]}
        hosts:
          web01: {address: 10.0.0.5, port: 2222, groups: [web], vars: {files: [/etc/a]}}
        """)
    summary = target_summary(load_inventory([path]).targets[0])
    assert summary == {
        "name": "web01", "address": "10.0.0.5", "platform": "linux", "transport": "ssh",
        "port": 2222, "site": "dc1", "role": "server", "tags": ["web"], "groups": ["web"],
        "credentials": {"username": "cmdb", "password": "env:CMDB_SSH_PASSWORD",
                        "key_file": "/etc/cmdb/id_ed25519",
                        "key_passphrase": "file:/etc/cmdb/pass"},
        "vars": {"files": ["/etc/a"]},
    }
    assert "resolved-secret-value" not in json.dumps(summary)


def test_summary_of_bare_target_is_json(write_yaml: WriteYaml) -> None:
    summary = target_summary(load_inventory([write_yaml("hosts:\n  a:\n")]).targets[0])
    assert json.loads(json.dumps(summary))["credentials"] == {
        "username": None, "password": None, "key_file": None, "key_passphrase": None}
