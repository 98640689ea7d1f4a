#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora: every frame of the lab captures in
tests/data/*.pcap, plus the hand-crafted malformed frames of the hostile-frames
end-to-end test, each cut down to the layer a target reads.

usage: make_seeds.py OUTDIR     (OUTDIR/<target>/<sha1 of the input>)
"""
import hashlib
import os
import pathlib
import struct
import sys

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"
VLAN_TPIDS = (0x8100, 0x88A8)


# The decoder target's first byte names the link type (frame_decoder.hpp's link_type).
DECODER_LINKS = {1: b"\x00", 113: b"\x01", 276: b"\x02", 12: b"\x03", 101: b"\x03"}


def pcap_link(path):
    data = path.read_bytes()
    magic = struct.unpack_from("<I", data)[0]
    return struct.unpack_from("<I" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">I", data, 20)[0]


def pcap_frames(path):
    data = path.read_bytes()
    magic = struct.unpack_from("<I", data)[0]
    order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    at = 24
    while at + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(order + "IIII", data, at)
        at += 16
        yield data[at:at + caplen]
        at += caplen


def crafted_frames():
    """The malformed frames the hostile-frames test sends; empty without scapy."""
    try:
        sys.path.insert(0, str(HERE.parent / "e2e"))
        import hostile_frames
    except ImportError:
        return []
    return hostile_frames.crafted("02:00:00:00:00:01", "ce:89:d7:ed:bc:38", "10.77.0.2", "10.77.0.1")


def layers(frame):
    """(target, input) for every layer of `frame` some target reads."""
    yield "frame_reply", b"\x00" + frame  # as captured
    yield "frame_reply", b"\x01" + frame  # checksums repaired after each mutation
    yield "ethernet", frame
    yield "decoder", DECODER_LINKS[1] + frame
    yield "offloaded_checksum", frame
    yield "tcp_segmentation", b"\x05\xdc" + frame  # MTU 1500
    yield "tcp_segmentation", b"\x02\x00" + frame  # MTU 580: more, smaller segments
    header, ethertype = 14, None
    if len(frame) >= 14:
        ethertype = struct.unpack_from("!H", frame, 12)[0]
        while ethertype in VLAN_TPIDS and len(frame) >= header + 4:
            ethertype = struct.unpack_from("!H", frame, header + 2)[0]
            header += 4
    payload = frame[header:]
    if ethertype == 0x0806:
        yield "arp", payload
    if ethertype != 0x0800 or len(payload) < 20:
        return
    yield "ipv4", payload
    yield "firewall", payload
    ihl = (payload[0] & 0x0F) * 4
    total = struct.unpack_from("!H", payload, 2)[0]
    body = payload[ihl:max(ihl, min(total, len(payload)))]
    if payload[9] == 1:
        yield "icmpv4", body
    elif payload[9] == 17:
        yield "udp", payload[12:20] + body  # source and destination, then the datagram
        if len(body) >= 8 and 67 in struct.unpack_from("!HH", body, 0):
            yield "dhcp", body[8:]


def fragment_seeds(folder):
    """The fragments of lab_fragments.pcap as ipv4_fragments reads them (an MTU
    byte, then each IPv4 packet behind its length): in order, reversed, doubled."""
    packets = [f[14:] for f in pcap_frames(DATA / "lab_fragments.pcap")]
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for mtu_byte, order in ((179, packets), (10, packets[::-1]), (0, packets[:3] + packets[:3])):
        data = bytes([mtu_byte]) + b"".join(struct.pack("!H", len(p)) + p for p in order)
        path = folder / hashlib.sha1(data).hexdigest()
        if not path.exists():
            path.write_bytes(data)
            written += 1
    return written


def rules_seeds(folder):
    """The documented rules file, and each of its chains alone."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (DATA.parent.parent / "docs" / "firewall.example.rules").read_bytes()
    pieces = [text] + [b"chain" + c for c in text.split(b"chain")[1:]]
    for data in pieces:
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return len(pieces)


def main():
    out = pathlib.Path(sys.argv[1])
    captures = sorted(DATA.glob("*.pcap"))
    frames = [f for p in captures if pcap_link(p) == 1 for f in pcap_frames(p)] + crafted_frames()
    # Captures of other links feed the decoder only (with their link type).
    cooked = [("decoder", DECODER_LINKS[pcap_link(p)] + f) for p in captures if pcap_link(p) != 1
              for f in pcap_frames(p)]
    written = 0
    for target, data in [seed for frame in frames for seed in layers(frame)] + cooked:
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / hashlib.sha1(data).hexdigest()
        if not path.exists():
            path.write_bytes(data)
            written += 1
    written += fragment_seeds(out / "ipv4_fragments")
    written += rules_seeds(out / "firewall_rules")
    print(f"make_seeds: {len(frames)} frames, {written} seed inputs under {out}")


if __name__ == "__main__":
    main()
