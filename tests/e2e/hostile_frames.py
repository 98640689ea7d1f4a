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

from scapy.all import ARP, ICMP, IP, UDP, AsyncSniffer, Dot1Q, Ether, Raw, conf, sendp

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
    # A known-good echo last: its reply shows every earlier frame was handled.
    sendp(Ether(src=me, dst=stack_mac) / IP(src=client_ip, dst=stack_ip) / ICMP(id=0xbeef, seq=1), iface=iface)
    deadline = time.time() + 10
    while time.time() < deadline and not any(p.haslayer(ICMP) and p[ICMP].id == 0xbeef for p in sniffer.results or []):
        time.sleep(0.05)
    replies = sniffer.stop()
    unexpected = [p.summary() for p in replies if not (p.haslayer(ICMP) and p[ICMP].id == 0xbeef)]
    got_sentinel = any(p.haslayer(ICMP) and p[ICMP].id == 0xbeef for p in replies)
    # Linux removes a VLAN tag before any packet socket sees the frame, and
    # drops the frame when fewer than 6 bytes follow the Ethernet header
    # (skb_vlan_untag pulls VLAN_HLEN + 2): those never reach the binder.
    cut_tags = sum(1 for f in frames if f[12:14] in (b"\x81\x00", b"\x88\xa8") and len(f) < 20)
    print(json.dumps({"sent": len(frames) + 1, "cut_vlan_tags": cut_tags, "replies": unexpected,
                      "sentinel_answered": got_sentinel}))


if __name__ == "__main__":
    main()
