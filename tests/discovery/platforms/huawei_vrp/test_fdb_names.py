"""Port names in the VRP `fdb` collector: short names (`GE0/0/1`) are expanded to the
long form S-series switches use, except names the device itself lists in `display
interface brief` (CloudEngine calls its ports `GE1/0/1` natively)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmdb.schema import Facts, ForwardingEntry
from discovery.platforms.huawei_vrp.fdb import native_names, parse, port_name
from discovery.recording import read_case
from discovery.transports.base import CommandOutput

S5720 = Path(__file__).resolve().parents[3] / "fixtures" / "huawei_vrp" / "fdb" / "s5720"
SHARED = (Path(__file__).resolve().parents[4].parent / "shared" / "fixtures" / "cli"
          / "huawei_vrp" / "display_interface_brief")
# The layout of the real recordings below, with CloudEngine's native port names (from
# the CloudEngine command reference).
CE_BRIEF = """\
PHY: Physical
*down: administratively down
^down: standby
(l): loopback
(s): spoofing
(b): BFD down
(e): ETHOAM down
InUti/OutUti: input utility/output utility
Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors
Eth-Trunk1                  up    up        0.01%  0.01%          0          0
  GE1/0/1                   up    up        0.01%  0.01%          0          0
GE0/0/1                     up    up        0.01%  0.01%          0          0
10GE1/0/49                  up    up        0.02%  0.01%          0          0
Vlanif10                    up    up           --     --          0          0
"""


def test_a_native_short_name_is_kept_and_others_expanded() -> None:
    native = native_names(CE_BRIEF)
    assert {"GE1/0/1", "GE0/0/1", "10GE1/0/49", "Eth-Trunk1"} <= native
    assert port_name("GE0/0/1", native) == "GE0/0/1"
    assert port_name("XGE0/0/2", native) == "XGigabitEthernet0/0/2"
    assert port_name("GE0/0/1", frozenset()) == "GigabitEthernet0/0/1"


def ports_of(facts: Facts) -> set[str | None]:
    return {n.interface for n in facts.nodes if isinstance(n, ForwardingEntry)}


def test_the_listing_decides_the_names_of_both_tables() -> None:
    outputs = dict(read_case(S5720))
    expanded = ports_of(parse(outputs))
    outputs["ports"] = CommandOutput("display interface brief", CE_BRIEF, "", 0)
    native = ports_of(parse(outputs))
    assert "GigabitEthernet0/0/1" in expanded and "GE0/0/1" not in expanded
    assert "GE0/0/1" in native and "GigabitEthernet0/0/1" not in native


def test_an_unreadable_listing_only_loses_the_refinement() -> None:
    assert native_names("this is not an interface listing\n%%%\n") == frozenset()
    assert native_names(None) == frozenset()


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/fixtures/cli not present")
def test_real_listings_give_their_interface_names() -> None:
    for raw in sorted(SHARED.glob("*.raw")):
        names = native_names(raw.read_text(encoding="utf-8", errors="replace"))
        first = next(line.split()[0] for line in raw.read_text().splitlines()
                     if line.startswith(("Aux", "Cellular", "Eth", "Giga", "GE")))
        assert first in names, raw.name
