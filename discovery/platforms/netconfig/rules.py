"""What is secret and what is volatile in each network platform's running configuration,
as data (STYLE 7): one `PlatformRules` per platform name.

- A `SecretRule` is a regex searched in one config line (as the device prints it, with
  its indentation); its named group `secret` is the value to redact, the rest of the
  match is the context that says WHAT is configured (and stays in the stored text). A
  rule with a `parent` applies only under a section whose header line matches it (IOS
  `tacacs server` blocks, Junos `snmp { community NAME {`).
- A `VolatileRule` matches a WHOLE line (trailing blanks removed) that changes without
  any configuration change: timestamps, byte counts, command echoes and prompts that
  some captures carry, pager leftovers. Such lines are dropped before storage.
- `end_line` / `balanced_braces` say how a complete capture ends (the sanity check of
  the collector: a truncated config must not become the new version); `error_markers`
  match a first line that is an error message instead of a configuration.

Each rule carries an example line in the comment above it, in the vendor's documented
syntax with invented values (the tests use exactly these forms). What the rules learnt
from: Oxidized's `cmd :secret` blocks, RANCID's scrubbing regexes (as kept by netconan),
the vendors' command references (IOS/IOS-XE, NX-OS, EOS, Junos, VRP, Comware 5/7).
Catch-alls where a vendor marks its own ciphertexts (Junos `## SECRET-DATA`, VRP
`%^%#...%^%#`, Comware `$c$3$...`/`$h$6$...`) redact what a specific rule may miss.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SecretRule:
    name: str
    pattern: re.Pattern[str]
    parent: re.Pattern[str] | None = None


@dataclass(frozen=True)
class VolatileRule:
    name: str
    pattern: re.Pattern[str]

    def drops(self, line: str) -> bool:
        return self.pattern.fullmatch(line) is not None


@dataclass(frozen=True)
class PlatformRules:
    platform: str
    secrets: tuple[SecretRule, ...]
    volatile: tuple[VolatileRule, ...]
    error_markers: tuple[re.Pattern[str], ...]
    end_line: str | None = None
    balanced_braces: bool = False

    def is_volatile(self, line: str) -> bool:
        return any(rule.drops(line) for rule in self.volatile)


def _s(name: str, regex: str, parent: str | None = None) -> SecretRule:
    return SecretRule(name, re.compile(regex), re.compile(parent) if parent else None)


def _v(name: str, regex: str) -> VolatileRule:
    return VolatileRule(name, re.compile(regex))


# Value tokens. TAIL: the rest of the line (IOS keys and passwords may hold spaces and
# are the last word of their command, so taking the tail never leaks a second word).
TAIL = r"(?P<secret>\S(?:.*\S)?)\s*$"
WORD = r'(?P<secret>"[^"]*"|\S+)'
# Junos: a quoted string (backslash escapes) or a bare word, never the closing `;`.
JWORD = r'(?P<secret>"(?:[^"\\]|\\.)*"|[^\s;"]+)'
# VRP ciphertexts are delimited by %^%# (or %@%@, %$%$) and may hold any printable char.
HWORD = r"(?P<secret>%\^%#.*?%\^%#|%@%@.*?%@%@|%\$%\$.*?%\$%\$|\S+)"
# Encryption type before a Cisco-style value: 0 (clear), 5/8/9 (hashes), 6/7 (reversible),
# 3 (NX-OS 3DES); EOS also writes `sha512`.
TYPE = r"(?: (?:[0-9]|sha512))?"

# Shared by IOS, NX-OS and EOS (same syntax on the three).
_CISCO_COMMON = (
    # snmp-server community Inv3nted-Ro-c0mm RO 10
    _s("snmp_community", r"^snmp-server community (?P<secret>\S+)"),
    # snmp-server host 192.0.2.20 informs version 2c Inv3nted-Tr4p-c0mm
    _s("snmp_host_community",
       r"^snmp-server host \S+(?: vrf \S+)?(?: informs| traps)?"
       r"(?: version (?:1|2c|3 (?:auth|noauth|priv)))?"
       r" (?!use-vrf |source-interface |filter-vrf )(?P<secret>\S+)"),
    # snmp-server user ops OPS v3 auth sha Inv3nted-Auth-k3y priv aes 128 Inv3nted-Pr1v-k3y
    _s("snmp_user_auth",
       r"^snmp-server user \S+(?: \S+)*? auth (?:md5|sha(?:-?\d+)?|sha-2 \d+) (?P<secret>\S+)"),
    _s("snmp_user_priv",
       r"^snmp-server user \S+(?: \S+)*? priv(?: (?:des|3des|des56|aes(?:-?\d+)?))?"
       r"(?: (?:128|192|256))? (?P<secret>\S+)"),
    # key chain KC-OSPF / key 1 / key-string 7 Inv3nted-Ch41n ; standby 1 authentication
    # md5 key-string Inv3nted-Hsrp
    _s("key_string", rf"\bkey-string{TYPE} {TAIL}"),
    # ntp authentication-key 1 md5 Inv3nted-Ntp 7 (IOS, NX-OS: type AFTER the key);
    # ntp authentication-key 1 md5 7 Inv3nted-Ntp (EOS: type before)
    _s("ntp_authentication_key", rf"^ntp authentication-key \d+ \S+{TYPE} (?P<secret>\S+)"),
    # ip ospf authentication-key 7 Inv3nted-0spf
    _s("ospf_authentication_key", rf"^\s*ip ospf authentication-key{TYPE} {TAIL}"),
    # ip ospf message-digest-key 1 md5 7 Inv3nted-0spf-md5
    _s("ospf_message_digest_key", rf"^\s*ip ospf message-digest-key \d+ md5{TYPE} {TAIL}"),
)

# IOS and EOS (NX-OS writes HSRP/VRRP authentication inside a block, see below):
# standby 1 authentication text Inv3nted-Fhrp ; vrrp 10 peer authentication text X
# (md5 uses key-string, handled above)
_FHRP_AUTHENTICATION = _s(
    "fhrp_authentication",
    r"^\s*(?:standby|vrrp|glbp)(?: \d+)? (?:peer )?authentication(?: text)?"
    r" (?!md5\b|key-chain\b|ietf-md5\b)(?P<secret>\S+)")

_CISCO_IOS = (
    # enable secret 9 $9$Inv3ntedEnab1e ; enable password 7 Inv3nted-Ena8le-pw
    _s("enable_secret", rf"^enable (?:secret|password)(?: level \d+)?{TYPE} {TAIL}"),
    # username admin privilege 15 secret 9 $9$Inv3ntedAdm1n
    _s("username_secret", rf"^username \S+(?: \S+)*? (?:secret|password){TYPE} {TAIL}"),
    # tacacs-server key 7 Inv3nted-T4cacs ; tacacs-server host 192.0.2.5 key 7 Inv3nted
    _s("tacacs_server_key", rf"^tacacs-server (?:host \S+(?: \S+)*? )?key{TYPE} {TAIL}"),
    # tacacs server TAC1 / key 7 Inv3nted-T4c-blk
    _s("tacacs_block_key", rf"^\s+key{TYPE} {TAIL}", parent=r"^tacacs server \S+"),
    # radius-server host 192.0.2.6 auth-port 1812 acct-port 1813 key 7 Inv3nted-R4d
    _s("radius_server_key", rf"^radius-server (?:host \S+(?: \S+)*? )?key{TYPE} {TAIL}"),
    # radius server RAD1 / key 7 Inv3nted-R4d-blk
    _s("radius_block_key", rf"^\s+key{TYPE} {TAIL}", parent=r"^radius server \S+"),
    # aaa group server tacacs+ G / server-private 192.0.2.5 key 7 Inv3nted-Pr1v4te
    _s("server_private_key", rf"^\s*server-private \S+(?: \S+)*? key{TYPE} {TAIL}"),
    # crypto isakmp key 6 Inv3nted-Isakmp address 192.0.2.7
    _s("isakmp_key",
       rf"^crypto isakmp key{TYPE} (?P<secret>\S+) (?=address |hostname |ipv6 )"),
    # crypto keyring KR1 / pre-shared-key address 192.0.2.9 key Inv3nted-Kr1ng
    _s("pre_shared_key_address",
       rf"\bpre-shared-key (?:address|hostname) \S+(?: \S+)? key{TYPE} {TAIL}"),
    # crypto ikev2 keyring K2 / peer P / pre-shared-key local 6 Inv3nted-Ik3v2
    _s("pre_shared_key",
       rf"\bpre-shared-key(?! (?:address|hostname) )(?: local| remote)?{TYPE} {TAIL}"),
    # dot11 ssid GUEST / wpa-psk ascii 0 Inv3nted-Wp4-psk
    _s("wpa_psk", rf"\bwpa-psk (?:ascii|hex){TYPE} {TAIL}"),
    # router bgp 64500 / neighbor 192.0.2.1 password 7 Inv3nted-Bgp
    _s("bgp_neighbor_password", rf"^\s*neighbor \S+ password{TYPE} {TAIL}"),
    # line vty 0 4 / password 7 Inv3nted-Vty
    _s("line_password", rf"^\s+password{TYPE} {TAIL}"),
    # ip ftp password 7 Inv3nted-Ftp ; ip http client password 7 Inv3nted-Http
    _s("ftp_http_password", rf"^ip (?:ftp|http client) password{TYPE} {TAIL}"),
    # interface Tunnel0 / ip nhrp authentication Inv3nted (DMVPN)
    _s("nhrp_authentication", rf"^\s*ip nhrp authentication {TAIL}"),
    # router isis / area-password Inv3nted-Is1s (also domain-password, isis password)
    _s("isis_password",
       r"^\s*(?:isis password|area-password|domain-password)(?: [0-9])? (?P<secret>\S+)"),
    # interface Dialer1 / ppp chap password 7 Inv3nted-Ppp
    _s("ppp_password", rf"^\s*ppp (?:chap|pap) (?:\S+ )*?password{TYPE} {TAIL}"),
    _FHRP_AUTHENTICATION,
    *_CISCO_COMMON,
)

_CISCO_NXOS = (
    # username admin password 5 $5$Inv3ntedNx0s role network-admin
    _s("username_password", rf"^username \S+ password{TYPE} {WORD}"),
    # tacacs-server key 7 "Inv3nted-Nx-T4c" ; tacacs-server host 192.0.2.5 key 7 "..." port 49
    _s("tacacs_server_key", rf"^tacacs-server (?:host \S+(?: \S+)*? )?key{TYPE} {WORD}"),
    # radius-server host 192.0.2.6 key 7 "Inv3nted-Nx-R4d" authentication accounting
    _s("radius_server_key", rf"^radius-server (?:host \S+(?: \S+)*? )?key{TYPE} {WORD}"),
    # router bgp 64500 / neighbor 192.0.2.1 / password 3 Inv3nted-Nx-Bgp
    _s("neighbor_password", rf"^\s+password{TYPE} {TAIL}"),
    # interface Vlan10 / hsrp 10 / authentication text Inv3nted-Nx-Hsrp
    _s("hsrp_authentication_text", r"^\s+authentication text (?P<secret>\S+)"),
    *_CISCO_COMMON,
)

_ARISTA_EOS = (
    # enable password sha512 $6$Inv3ntedE0s ; enable secret 5 $1$Inv3nted
    _s("enable_secret", rf"^enable (?:secret|password){TYPE} {TAIL}"),
    # username admin privilege 15 role network-admin secret sha512 $6$Inv3ntedAdm1n
    _s("username_secret", rf"^username \S+(?: \S+)*? (?:secret|password){TYPE} {TAIL}"),
    # aaa root secret sha512 $6$Inv3ntedR00t
    _s("aaa_root_secret", rf"^aaa root secret{TYPE} {TAIL}"),
    # boot secret sha512 $6$Inv3ntedAb00t (the Aboot password)
    _s("boot_secret", rf"^boot secret{TYPE} {TAIL}"),
    # `show boot-config`: Aboot password (encrypted): $1$Inv3nted$Ab00t
    _s("aboot_password", rf"^Aboot password \(encrypted\): {TAIL}"),
    # tacacs-server host 192.0.2.5 vrf MGMT key 7 Inv3nted-E0s-T4c
    _s("tacacs_server_key", rf"^tacacs-server (?:host \S+(?: \S+)*? )?key{TYPE} {TAIL}"),
    # radius-server key 7 Inv3nted-E0s-R4d
    _s("radius_server_key", rf"^radius-server (?:host \S+(?: \S+)*? )?key{TYPE} {TAIL}"),
    # router bgp 64500 / neighbor SPINES password 7 Inv3nted-E0s-Bgp
    _s("bgp_neighbor_password", rf"^\s*neighbor \S+ password{TYPE} {TAIL}"),
    # router isis CORE / authentication key 7 Inv3nted-E0s-Is1s
    _s("isis_authentication_key", rf"^\s*(?:isis )?authentication key{TYPE} {TAIL}"),
    _FHRP_AUTHENTICATION,
    *_CISCO_COMMON,
)

_JUNIPER_JUNOS = (
    # encrypted-password "$6$Inv3nted$Junos"; ## SECRET-DATA (also `set ... encrypted-password`)
    _s("encrypted_password", rf"\bencrypted-password {JWORD}"),
    # radius-server 192.0.2.6 { secret "$9$Inv3ntedR4d"; } ; tacplus-server; key-chain keys
    _s("secret", rf"\bsecret {JWORD}"),
    # protocols bgp group IBGP { authentication-key "$9$Inv3ntedBgp"; }
    _s("authentication_key", rf"\bauthentication-key (?!\d+ type ){JWORD}"),
    # system ntp { authentication-key 1 type md5 value "$9$Inv3ntedNtp"; }
    _s("ntp_authentication_key", rf"\bauthentication-key \d+ type \S+ value {JWORD}"),
    # ospf interface ge-0/0/0.0 { authentication { md5 1 key "$9$Inv3nted0spf"; } }
    _s("md5_key", rf"\bmd5 \d+ key {JWORD}"),
    # authentication { simple-password "$9$Inv3ntedS1mple"; }
    _s("simple_password", rf"\bsimple-password {JWORD}"),
    # snmp v3 usm local-engine user ops { authentication-sha { authentication-key ...; } }
    # privacy-aes128 { privacy-key "$9$Inv3ntedPr1v"; }
    _s("privacy_key", rf"\bprivacy-key {JWORD}"),
    # ike policy P { pre-shared-key ascii-text "$9$Inv3ntedPsk"; } (or hexadecimal)
    _s("pre_shared_key", rf"\bpre-shared-key (?:ascii-text|hexadecimal) {JWORD}"),
    # snmp { community Inv3nted-Jnpr-c0mm { authorization read-only; } }
    _s("snmp_community", rf"^\s*community {JWORD} \{{", parent=r"^\s*snmp \{"),
    # set snmp community Inv3nted-Jnpr-c0mm authorization read-only
    _s("snmp_community_set", rf"^set snmp community {JWORD}"),
    # archive-sites { "sftp://backup@192.0.2.30/cfg" password "$9$Inv3ntedArch"; }
    _s("archive_site_password", rf'" password {JWORD}'),
    # Junos marks every secret it shows: `...; ## SECRET-DATA` (catch-all).
    _s("secret_data", r'(?P<secret>"(?:[^"\\]|\\.)*")\s*;\s*## SECRET-DATA$'),
)

_HUAWEI_VRP = (
    # aaa / local-user admin password irreversible-cipher $1a$Inv3nted$ (cipher, simple)
    _s("password_cipher", rf"\bpassword (?:irreversible-cipher|cipher|simple) {HWORD}"),
    # super password level 15 cipher %^%#Inv3nted-Sup3r%^%#
    _s("super_password",
       rf"^\s*super password(?: level \d+)? (?:irreversible-cipher|cipher|simple) {HWORD}"),
    # snmp-agent community read cipher %^%#Inv3nted-Vrp-R0%^%# (write likewise)
    _s("snmp_community",
       rf"^\s*snmp-agent community (?:read|write)(?: (?:cipher|simple))? {HWORD}"),
    # hwtacacs-server template HW / hwtacacs-server shared-key cipher %^%#...%^%#
    # radius-server template RT / radius-server shared-key cipher %^%#...%^%#
    _s("shared_key", rf"\bshared-key(?: (?:cipher|simple))? {HWORD}"),
    # interface GE0/0/1 / ospf authentication-mode md5 1 cipher %^%#...%^%# ; isis
    # authentication-mode md5 cipher ... ; ntp-service authentication-keyid 1
    # authentication-mode md5 cipher ... ; snmp-agent usm-user v3 ops authentication-mode
    # sha cipher ...
    _s("authentication_mode",
       rf"\bauthentication-mode \S+(?: \d+)? (?:cipher|plain|simple) {HWORD}"),
    # snmp-agent usm-user v3 ops privacy-mode aes128 cipher %^%#...%^%#
    _s("privacy_mode", rf"\bprivacy-mode \S+ (?:cipher|simple) {HWORD}"),
    # ike peer P / pre-shared-key cipher %^%#Inv3nted-Vrp-Psk%^%#
    _s("pre_shared_key", rf"\bpre-shared-key(?: (?:cipher|simple))? {HWORD}"),
    # VRP shows every stored secret as %^%#...%^%# (or %@%@...%@%@): catch-all.
    _s("cipher_text", r"(?P<secret>%\^%#.*?%\^%#|%@%@.*?%@%@|%\$%\$.*?%\$%\$)"),
)

_HP_COMWARE = (
    # local-user admin class manage / password hash $h$6$Inv3nted== (cipher, simple);
    # interface Dialer1 / ppp chap password cipher $c$3$Inv3nted==
    _s("password", r"\bpassword (?:hash|cipher|simple) (?P<secret>\S+)"),
    # super password role network-admin hash $h$6$Inv3nted== ; super password level 3 ...
    _s("super_password",
       r"^\s*super password(?: (?:level|role) \S+)? (?:hash|cipher|simple) (?P<secret>\S+)"),
    # snmp-agent community read cipher $c$3$Inv3nted== (Comware 7 RBAC: community simple X
    # user-role network-operator)
    _s("snmp_community",
       r"^\s*snmp-agent community (?:(?:read|write)(?: (?:cipher|simple))?|cipher|simple)"
       r" (?P<secret>\S+)"),
    # snmp-agent usm-user v3 ops OPS cipher authentication-mode sha $c$3$A== privacy-mode
    # aes128 $c$3$P==
    _s("usm_authentication",
       r"^\s*snmp-agent usm-user .*?\bauthentication-mode \S+ (?P<secret>\S+)"),
    _s("usm_privacy", r"^\s*snmp-agent usm-user .*?\bprivacy-mode \S+ (?P<secret>\S+)"),
    # radius scheme RS / key authentication cipher $c$3$Inv3nted== ; primary authentication
    # 192.0.2.6 key cipher $c$3$... ; hwtacacs scheme HS / key authorization simple X
    _s("scheme_key",
       r"\bkey(?: (?:authentication|authorization|accounting))? (?:cipher|simple)"
       r" (?P<secret>\S+)"),
    # interface Vlan-interface10 / ospf authentication-mode md5 1 cipher $c$3$Inv3nted==
    _s("authentication_mode",
       r"\bauthentication-mode \S+(?: \d+)? (?:cipher|plain|simple) (?P<secret>\S+)"),
    # ike keychain K / pre-shared-key address 192.0.2.9 255.255.255.255 key cipher $c$3$..
    _s("pre_shared_key_address",
       r"\bpre-shared-key (?:address|hostname) .*?key (?:cipher|simple) (?P<secret>\S+)"),
    # ike peer P (Comware 5) / pre-shared-key cipher $c$3$Inv3nted==
    _s("pre_shared_key", r"\bpre-shared-key (?:cipher|simple) (?P<secret>\S+)"),
    # Comware writes stored secrets as $c$N$... (reversible) or $h$N$... (hash): catch-all.
    _s("cipher_text", r"(?P<secret>\$[ch]\$\d+\$\S+)"),
)

# Volatile lines. Prompt and command echo, for captures that keep them.
_CLI_PROMPT = (
    # leaf1#show running-config
    _v("prompt_command_echo", r"[\w.:/@()-]+[#>] ?(?:show|sh|more) .*"),
    # leaf1#
    _v("prompt", r"[\w.:/@()-]+[#>]"),
    #  --More--
    _v("pager", r"\s*-{2,4} ?[Mm]ore ?-{2,4}\s*"),
)
_VRP_PROMPT = (
    # <HUAWEI>display current-configuration ; [~HUAWEI]display current-configuration
    _v("prompt_command_echo", r"[<\[][~*]?[\w.:/@()-]+[>\]] ?(?:display|dis) .*"),
    # <HUAWEI>
    _v("prompt", r"[<\[][~*]?[\w.:/@()-]+[>\]]"),
    #   ---- More ----
    _v("pager", r"\s*-{2,4} ?[Mm]ore ?-{2,4}\s*"),
)
_IOS_VOLATILE = (
    # Building configuration...
    _v("building_configuration", r"Building configuration\.\.\."),
    # Current configuration : 1582 bytes
    _v("current_configuration_bytes", r"Current configuration ?: \d+ bytes"),
    # ! Last configuration change at 10:20:30 UTC Mon Mar 1 2021 by admin
    _v("last_configuration_change", r"! Last configuration change at .*"),
    # ! NVRAM config last updated at 10:21:00 UTC Mon Mar 1 2021 by admin
    _v("nvram_last_updated", r"! NVRAM config last updated at .*"),
    # ! No configuration change since last restart
    _v("no_change_since_restart", r"! No configuration change since last restart"),
    # ntp clock-period 17179865 (written by the clock discipline, not by anyone)
    _v("ntp_clock_period", r"ntp clock-period \d+"),
    *_CLI_PROMPT,
)
_NXOS_VOLATILE = (
    # !Command: show running-config
    _v("command_header", r"!Command: .*"),
    # !Running configuration last done at: Fri Oct 24 13:54:06 2025
    _v("last_done_at", r"!Running configuration last done at: .*"),
    # !Time: Sat Oct 25 01:02:16 2025
    _v("time", r"!Time: .*"),
    *_CLI_PROMPT,
)
_EOS_VOLATILE = (
    # ! Command: show running-config
    _v("command_header", r"! Command: .*"),
    # ! Time: Mon Mar  1 10:00:00 2021
    _v("time", r"! Time: .*"),
    # ! Startup-config last modified at Sat May 17 05:57:25 2025 by root
    _v("startup_last_modified", r"! Startup-config last modified at .*"),
    *_CLI_PROMPT,
)
_JUNOS_VOLATILE = (
    # ## Last commit: 2021-03-01 10:00:00 UTC by admin
    _v("last_commit", r"## Last commit: .*"),
    # ## Last changed: 2021-03-01 10:00:00 UTC
    _v("last_changed", r"## Last changed: .*"),
    # admin@mx1> show configuration | display set
    _v("prompt_command_echo", r"\S+@[\w.:/-]+[>#] ?show .*"),
    # admin@mx1>
    _v("prompt", r"\S+@[\w.:/-]+[>#]"),
    # {master:0}
    _v("routing_engine_banner", r"\{(?:master|backup|primary|secondary|linecard)(?::[\w-]+)?\}"),
    # ---(more)---
    _v("pager", r"\s*---\(more(?: \d+%)?\)---\s*"),
)
_VRP_VOLATILE = (
    # !Last configuration was updated at 2024-07-14 04:57:04+00:00 by admin
    _v("last_updated", r"!Last configuration was updated at .*"),
    # !Last configuration was saved at 2024-07-14 04:54:24+00:00 by admin
    _v("last_saved", r"!Last configuration was saved at .*"),
    *_VRP_PROMPT,
)

_CISCO_ERRORS = (re.compile(r"% ?\S"), re.compile(r"\s*\^\s*"), re.compile(r"Syntax error"))
_VRP_ERRORS = (re.compile(r"Error:"), re.compile(r"% ?\S"), re.compile(r"\s*\^\s*"))
_JUNOS_ERRORS = (re.compile(r"error:"), re.compile(r"syntax error"),
                 re.compile(r"unknown command"))

RULES: Mapping[str, PlatformRules] = {
    "cisco_ios": PlatformRules("cisco_ios", _CISCO_IOS, _IOS_VOLATILE, _CISCO_ERRORS,
                               end_line="end"),
    # NX-OS prints no end marker: truncation cannot be told from the text.
    "cisco_nxos": PlatformRules("cisco_nxos", _CISCO_NXOS, _NXOS_VOLATILE, _CISCO_ERRORS),
    "arista_eos": PlatformRules("arista_eos", _ARISTA_EOS, _EOS_VOLATILE, _CISCO_ERRORS,
                                end_line="end"),
    # Hierarchical Junos must close every brace; `display set` output has no marker.
    "juniper_junos": PlatformRules("juniper_junos", _JUNIPER_JUNOS, _JUNOS_VOLATILE,
                                   _JUNOS_ERRORS, balanced_braces=True),
    "huawei_vrp": PlatformRules("huawei_vrp", _HUAWEI_VRP, _VRP_VOLATILE, _VRP_ERRORS,
                                end_line="return"),
    # Comware prints no timestamp in its configuration; only echoes and pager leftovers.
    "hp_comware": PlatformRules("hp_comware", _HP_COMWARE, _VRP_PROMPT, _VRP_ERRORS,
                                end_line="return"),
}


def rules_for(platform: str) -> PlatformRules:
    """The rules of `platform`; ValueError naming the known platforms otherwise."""
    rules = RULES.get(platform)
    if rules is None:
        raise ValueError(f"no running-config rules for platform {platform!r} "
                         f"(known: {', '.join(sorted(RULES))})")
    return rules
