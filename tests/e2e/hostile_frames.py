#!/usr/bin/python3
"""Sends malformed and random frames at the stack and reports any reply.

usage: hostile_frames.py IFACE STACK_MAC STACK_IP CLIENT_IP RANDOM_COUNT
Prints one JSON line: {"sent": N, "replies": [summaries of frames from STACK_MAC]}.
Runs inside the client namespace of a lab; sends nowhere else.
"""
import json
import os
import random
import sys
import time

from scapy.all import ARP, BOOTP, DHCP, ICMP, IP, UDP, AsyncSniffer, Dot1Q, Ether, Raw, conf, sendp

conf.verb = 0


def crafted(me, stack_mac, stack_ip, client_ip):
    eth = Ether(src=me, dst=stack_mac)
    echo = IP(src=client_ip, dst=stack_ip) / ICMP(id=7, seq=1) / b"hostile"
    good = bytes(eth / echo)
    arp = bytes(Ether(src=me, dst="ff:ff:ff:ff:ff:ff") /
                ARP(hwsrc=me, psrc=client_ip, pdst=stack_ip))
    frames = []
    # Truncated headers at every length: Ethernet, IPv4, ICMP, ARP.
    frames += [good[:n] for n in range(14, len(good))]
    frames += [arp[:n] for n in range(14, 42)]
    # Lying IPv4 lengths and header lengths.
    for total in (0, 19, 21, 1500, 65535):
        frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip, len=total) / ICMP() / b"x"))
    for ihl in (0, 1, 4, 15):
        frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip, ihl=ihl) / ICMP() / b"x"))
    frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip, version=6) / ICMP()))
    # Bad checksums.
    frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip, chksum=0x1234) / ICMP()))
    frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip) / ICMP(chksum=0x1234) / b"x"))
    frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip) / UDP(dport=9, chksum=0x1234) / b"x"))
    # UDP length lies.
    for ulen in (0, 7, 200):
        frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip) / UDP(dport=9, len=ulen) / b"abc"))
    # Fragments of an echo request (no reassembly: never answered).
    frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip, flags="MF") / ICMP() / (b"f" * 64)))
    frames.append(bytes(eth / IP(src=client_ip, dst=stack_ip, frag=100) / Raw(b"g" * 64)))
    # Sources that must never be answered: group MACs, our own MAC, bad IPs.
    for src in ("ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", stack_mac):
        frames.append(bytes(Ether(src=src, dst=stack_mac) / echo))
        frames.append(bytes(Ether(src=src, dst="ff:ff:ff:ff:ff:ff") /
                            ARP(hwsrc=me, psrc=client_ip, pdst=stack_ip)))
    for ip_src in ("0.0.0.0", "255.255.255.255", "224.0.0.1", "10.77.0.255"):
        frames.append(bytes(eth / IP(src=ip_src, dst=stack_ip) / ICMP()))
    # ARP oddities: replies, other hardware types, gratuitous claims of our address.
    frames.append(bytes(Ether(src=me, dst=stack_mac) / ARP(op=2, hwsrc=me, psrc=client_ip, pdst=stack_ip)))
    frames.append(bytes(Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / ARP(hwtype=6, psrc=client_ip, pdst=stack_ip)))
    frames.append(bytes(Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=me, psrc=stack_ip, pdst=stack_ip)))
    # Three stacked VLAN tags, and a tag with nothing after it.
    frames.append(bytes(eth / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / echo))
    frames.append(bytes(Ether(src=me, dst=stack_mac, type=0x8100) / b"\x00"))
    return frames + dhcp_crafted(me)


def dhcp_frame(me, message):
    return bytes(Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") /
                 UDP(sport=68, dport=67) / Raw(message))


def dhcp_crafted(me):
    """DHCP messages no server may answer: truncated, lying, overloaded, or not a request."""
    chaddr = bytes.fromhex(me.replace(":", ""))
    good = bytes(BOOTP(chaddr=chaddr, xid=0x1234) / DHCP(options=[("message-type", "discover"), "end"]))
    header = bytearray(good[:240])
    frames = [dhcp_frame(me, good[:n]) for n in range(0, 240, 6)]  # truncated BOOTP

    def with_header(change, options=b"\xff"):
        h = bytearray(header)
        change(h)
        return dhcp_frame(me, bytes(h) + options)

    def set_bytes(at, value):
        return lambda h: h.__setitem__(slice(at, at + len(value)), value)

    frames.append(with_header(set_bytes(236, b"\x63\x82\x53\x00")))  # magic cookie
    frames.append(with_header(set_bytes(0, b"\x03")))                  # op neither request nor reply
    frames.append(with_header(set_bytes(1, b"\x06")))                  # token ring
    frames.append(with_header(set_bytes(2, b"\x10")))                  # hlen 16
    keep = lambda h: None  # noqa: E731
    for options in (b"\x35\x01\x01\x0c\xc8a",        # host name runs past the end
                    b"\x35\x01\x01\x0c",              # a code with no length
                    b"\x35\x01\x09\xff",              # message type 9
                    b"\x35\x02\x01\x01\xff",          # message type of two bytes
                    b"\x0c\x03abc\xff",                # no message type: BOOTP, not DHCP
                    b"\x35\x01\x01\x34\x01\x07\xff",  # overload 7
                    b"\x35\x01\x01\x34\x02\x01\x01\xff",  # overload of two bytes
                    b"\x35\x01\x01\x33\x02\x00\x01\xff",  # lease time of two bytes
                    b"\x35\x01\x01\x32\x05\x01\x02\x03\x04\x05\xff"):  # requested address of 5 bytes
        frames.append(with_header(keep, options))
    # Overload into a file area whose last option runs off its end.
    frames.append(with_header(lambda h: h.__setitem__(slice(232, 236), b"\x0c\x40ab"), b"\x35\x01\x01\x34\x01\x01\xff"))
    # Well-formed, but replies or server messages: not for a server to answer.
    as_reply = set_bytes(0, b"\x02")
    for options in (b"\x35\x01\x02\xff", b"\x35\x01\x05\x3d\x00\x0c\x00\xff",
                    b"\x35\x01\x01\x34\x01\x03\xff"):
        frames.append(with_header(as_reply, options))
    return frames


def main():
    iface, stack_mac, stack_ip, client_ip, random_count = sys.argv[1:6]
    me = open(f"/sys/class/net/{iface}/address").read().strip()
    frames = crafted(me, stack_mac, stack_ip, client_ip)
    rng = random.Random(2026)
    for _ in range(int(random_count)):
        dst = bytes.fromhex(stack_mac.replace(":", "")) if rng.random() < 0.7 else b"\xff" * 6
        ethertype = rng.choice([b"\x08\x00", b"\x08\x06", b"\x81\x00", os.urandom(2)])
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
        frames.append(dst + bytes.fromhex(me.replace(":", "")) + ethertype + body)
    # Only what the stack sends: frames we spoof with its MAC are seen leaving too.
    def from_stack(p):
        if p.haslayer(ARP):
            return p[ARP].op == 2 and p[ARP].psrc == stack_ip
        return p.haslayer(IP) and p[IP].src == stack_ip

    sniffer = AsyncSniffer(iface=iface, store=True, lfilter=from_stack)
    sniffer.start()
    sendp([Ether(f) for f in frames], iface=iface)
    # A known-good echo and DHCP DISCOVER last: their replies show every earlier
    # frame was handled, on the per-frame path and on the DHCP path.
    sendp(Ether(src=me, dst=stack_mac) / IP(src=client_ip, dst=stack_ip) / ICMP(id=0xbeef, seq=1), iface=iface)
    chaddr = bytes.fromhex(me.replace(":", ""))
    sendp(Ether(dhcp_frame(me, bytes(BOOTP(chaddr=chaddr, xid=0xbeefcafe) /
                                     DHCP(options=[("message-type", "discover"), "end"])))), iface=iface)

    def is_sentinel_reply(p):
        return ((p.haslayer(ICMP) and p[ICMP].id == 0xbeef) or
                (p.haslayer(BOOTP) and p[BOOTP].xid == 0xbeefcafe))

    deadline = time.time() + 10
    while time.time() < deadline and sum(1 for p in sniffer.results or [] if is_sentinel_reply(p)) < 2:
        time.sleep(0.05)  # scapy's sniffer has no event to wait on
    replies = sniffer.stop()
    unexpected = [p.summary() for p in replies if not is_sentinel_reply(p)]
    got_sentinel = sum(1 for p in replies if is_sentinel_reply(p)) == 2
    # Linux removes a VLAN tag before any packet socket sees the frame, and
    # drops the frame when fewer than 6 bytes follow the Ethernet header
    # (skb_vlan_untag pulls VLAN_HLEN + 2): those never reach the binder.
    cut_tags = sum(1 for f in frames if f[12:14] in (b"\x81\x00", b"\x88\xa8") and len(f) < 20)
    print(json.dumps({"sent": len(frames) + 2, "cut_vlan_tags": cut_tags, "replies": unexpected,
                      "sentinel_answered": got_sentinel}))


if __name__ == "__main__":
    main()
