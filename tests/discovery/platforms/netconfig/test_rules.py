"""The rules as data: every volatile rule drops its example line and keeps a similar real
configuration line; every secret rule is exercised by its platform's fixture config; lines
that only look secret are left alone."""

from __future__ import annotations

import pytest

from discovery.platforms.netconfig.redact import PLACEHOLDER, redact_config
from discovery.platforms.netconfig.rules import RULES, rules_for
from tests.discovery.platforms.netconfig.cases import case_dirs, platform_of, raw_config

_PROMPTS = {
    "prompt_command_echo": ("rtr1.example.com#show running-config", "show running-config"),
    "prompt": ("rtr1(config)#", "hostname rtr1"),
    "pager": (" --More-- ", " description --More-- uplink"),
}
_VRP_PROMPTS = {
    "prompt_command_echo": ("<HUAWEI>display current-configuration",
                            " display-name current"),
    "prompt": ("[~HUAWEI]", "sysname HUAWEI"),
    "pager": ("  ---- More ----", " description ---- More ---- uplink"),
}
# platform -> rule -> (a line it drops, a similar line it must keep)
VOLATILE: dict[str, dict[str, tuple[str, str]]] = {
    "cisco_ios": {
        "building_configuration": ("Building configuration...", "description Building A"),
        "current_configuration_bytes": ("Current configuration : 4233 bytes",
                                        "! Current configuration is approved"),
        "last_configuration_change": (
            "! Last configuration change at 10:20:30 UTC Mon Mar 1 2021 by admin",
            " description Last configuration change at noon"),
        "nvram_last_updated": ("! NVRAM config last updated at 10:21:00 UTC Mon Mar 1 2021",
                               "boot config nvram:startup-config"),
        "no_change_since_restart": ("! No configuration change since last restart",
                                    " description No configuration change since last restart"),
        "ntp_clock_period": ("ntp clock-period 17179865", "ntp server 192.0.2.123"),
        **_PROMPTS,
    },
    "cisco_nxos": {
        "command_header": ("!Command: show running-config", "feature bash-shell"),
        "last_done_at": ("!Running configuration last done at: Fri Oct 24 13:54:06 2025",
                         "  description Running configuration last done"),
        "time": ("!Time: Sat Oct 25 01:02:16 2025", "clock timezone UTC 0 0"),
        **_PROMPTS,
    },
    "arista_eos": {
        "command_header": ("! Command: show running-config",
                           "! device: leaf1 (DCS-7050TX-64, EOS-4.27.2F)"),
        "time": ("! Time: Mon Mar  1 10:00:00 2021", "clock timezone UTC"),
        "startup_last_modified": ("! Startup-config last modified at Sat May 17 05:57:25 2025 "
                                  "by root", "! boot system flash:/EOS-4.27.2F.swi"),
        **_PROMPTS,
    },
    "juniper_junos": {
        "last_commit": ("## Last commit: 2021-03-01 10:00:00 UTC by admin",
                        "version 20.4R3.8;"),
        "last_changed": ("## Last changed: 2021-03-01 10:00:00 UTC",
                         '    description "Last changed: never";'),
        "prompt_command_echo": ("admin@mx1> show configuration",
                                "set system login message show"),
        "prompt": ("admin@mx1>", "set system host-name mx1"),
        "routing_engine_banner": ("{master:0}", "    interface ge-0/0/0.0 {"),
        "pager": ("---(more 45%)---", '    description "---(more)--- text";'),
    },
    "huawei_vrp": {
        "last_updated": ("!Last configuration was updated at 2021-03-01 10:20:30+00:00 by admin",
                         "!Software Version V200R010C00SPC600"),
        "last_saved": ("!Last configuration was saved at 2021-03-01 10:21:00+00:00",
                       " description Last configuration was saved"),
        **_VRP_PROMPTS,
    },
    "hp_comware": dict(_VRP_PROMPTS),
}


def test_every_volatile_rule_has_examples() -> None:
    declared = {p: {r.name for r in rules.volatile} for p, rules in RULES.items()}
    assert declared == {p: set(examples) for p, examples in VOLATILE.items()}


@pytest.mark.parametrize(("platform", "rule", "drop", "keep"), [
    (p, name, drop, keep) for p, examples in VOLATILE.items()
    for name, (drop, keep) in examples.items()])
def test_volatile_rule(platform: str, rule: str, drop: str, keep: str) -> None:
    (found,) = [r for r in rules_for(platform).volatile if r.name == rule]
    assert found.drops(drop)
    assert not found.drops(keep)
    assert not rules_for(platform).is_volatile(keep)


# Secret forms that are not part of a running configuration (other config-like outputs).
OTHER_OUTPUTS = {
    # `show boot-config` (the real recording in ../shared has one such line)
    "arista_eos": ["Aboot password (encrypted): $1$Inv3nted$Ab00tPassw0rd"],
}


@pytest.mark.parametrize("platform", sorted(RULES))
def test_every_secret_rule_is_exercised_by_a_fixture(platform: str) -> None:
    lines = [line for d in case_dirs() if platform_of(d) == platform
             for line in raw_config(d).splitlines()] + OTHER_OUTPUTS.get(platform, [])
    unused = [rule.name for rule in rules_for(platform).secrets
              if not any(rule.pattern.search(line) for line in lines)]
    assert unused == []


@pytest.mark.parametrize(("platform", "line"), [
    ("cisco_ios", "username guest nopassword"),
    ("cisco_ios", "service password-encryption"),
    ("cisco_ios", "key chain KC-OSPF"),
    ("cisco_ios", "ntp server 192.0.2.123 key 1"),
    ("cisco_ios", " set community 64500:200 additive"),
    ("cisco_ios", " standby 1 authentication md5 key-chain HSRP-KC"),
    ("cisco_ios", "ip ospf authentication message-digest"),
    ("cisco_nxos", "snmp-server host 192.0.2.20 use-vrf management"),
    ("cisco_nxos", "snmp-server host 192.0.2.20 source-interface mgmt0"),
    ("arista_eos", "username guest nopassword"),
    ("juniper_junos", "    authentication-order [ radius password ];"),
    ("juniper_junos", "    community CUST members 64500:100;"),
    ("juniper_junos", "            authentication-key-chain KC-BGP;"),
    ("huawei_vrp", "snmp-agent community complexity-check disable"),
    ("huawei_vrp", " authentication-mode password"),
    ("hp_comware", " ospf authentication-mode md5"),
    ("hp_comware", " authorization-attribute user-role network-admin"),
])
def test_lines_that_only_look_secret_are_kept(platform: str, line: str) -> None:
    redacted = redact_config(platform, line, b"k")
    assert redacted.text == line + "\n" and redacted.fingerprints == {}


def test_other_outputs_are_redacted() -> None:
    for platform, lines in OTHER_OUTPUTS.items():
        for line in lines:
            redacted = redact_config(platform, line, b"k")
            assert redacted.text.count(PLACEHOLDER) == 1 and "Inv3nted" not in redacted.text


def test_a_junos_community_is_secret_only_under_snmp() -> None:
    text = "snmp {\n    community Inv3ntedC {\n    }\n}\nx {\n    community Y {\n    }\n}\n"
    redacted = redact_config("juniper_junos", text, b"k")
    assert redacted.text.count(PLACEHOLDER) == 1 and "community Y {" in redacted.text
