#!/usr/bin/env python3
"""campaign_vpk.py OUT [--without MAP]: writes the addon VPK (version 1, protocols.md §4.5) of a small custom
campaign, "Dark Wood": its mission file names dw_01_path ("The Path") and dw_02_cabin ("The Cabin"), and it
holds those maps and dw_bonus, a map of no campaign. --without leaves a map's .bsp out while the mission file
still names it: a broken addon, whose map is listed but cannot be loaded."""
import argparse
import struct

MISSION = b'''"mission"
{
    "DisplayTitle" "Dark Wood"
    "modes" { "coop" { "1" { "Map" "dw_01_path" "DisplayName" "The Path" }
                       "2" { "Map" "dw_02_cabin" "DisplayName" "The Cabin" } } }
}
'''

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--without", action="append", default=[])
args = parser.parse_args()

maps = [(name, b"VBSP") for name in ("dw_01_path", "dw_02_cabin", "dw_bonus") if name not in args.without]
files = {("bsp", "maps"): maps, ("txt", "missions"): [("darkwood", MISSION)]}
tree, data = b"", b""
for (ext, path), entries in files.items():
    tree += ext.encode() + b"\0" + path.encode() + b"\0"
    for name, content in entries:
        tree += name.encode() + b"\0" + struct.pack("<IHHIIH", 0, 0, 0x7FFF, len(data), len(content), 0xFFFF)
        data += content
    tree += b"\0\0"
tree += b"\0"
with open(args.out, "wb") as out:
    out.write(struct.pack("<III", 0x55AA1234, 1, len(tree)) + tree + data)
