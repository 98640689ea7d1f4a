#!/usr/bin/python3
"""DHCP clients that misbehave, made with scapy, for test_dhcp_attacks.py.
Run in the lab's client namespace:

    dhcp_tricks.py flood IFACE COUNT RATE      DISCOVERs from random MACs, never a REQUEST
    dhcp_tricks.py dora IFACE MAC [HOSTNAME_HEX] [decline]
                                               a whole DORA (with that host name), then
                                               optionally a DECLINE of the address; prints it
    dhcp_tricks.py repeat IFACE MAC COUNT      COUNT DISCOVERs from one MAC, back to back
    dhcp_tricks.py offer-then-decline IFACE MAC
                                               DISCOVER, then DECLINE of the offered address
"""
import os
import random
import sys
import time

from scapy.all import BOOTP, DHCP, IP, UDP, Ether, conf, sendp, srp1

conf.verb = 0
conf.checkIPaddr = False  # replies come from the server's address, not the broadcast we sent to


def frame(mac, options, xid, yiaddr="0.0.0.0"):
    chaddr = bytes.fromhex(mac.replace(":", ""))
    return (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
            / UDP(sport=68, dport=67) / BOOTP(chaddr=chaddr, xid=xid, flags=0x8000, ciaddr="0.0.0.0")
            / DHCP(options=options + ["end"]))


def option(reply, name):
    for o in reply[DHCP].options:
        if isinstance(o, tuple) and o[0] == name:
            return o[1]
    return None


def exchange(iface, request):
    reply = srp1(request, iface=iface, timeout=3, filter="udp and port 68")
    if reply is None:
        sys.exit("no answer")
    return reply


def offer(iface, mac, xid, extra=()):
    o = exchange(iface, frame(mac, [("message-type", "discover"), *extra], xid))
    return o[BOOTP].yiaddr, option(o, "server_id")


def main():
    mode, iface = sys.argv[1], sys.argv[2]
    xid = random.getrandbits(32)
    if mode == "flood":
        count, rate = int(sys.argv[3]), float(sys.argv[4])
        frames = [frame("02:%02x:%02x:%02x:%02x:%02x" % tuple(os.urandom(5)), [("message-type", "discover")],
                        random.getrandbits(32)) for _ in range(count)]
        start = time.monotonic()
        for i, f in enumerate(frames):
            sendp(f, iface=iface)
            time.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))  # pacing, not synchronisation
        print("done", flush=True)
        return
    mac = sys.argv[3]
    if mode == "repeat":
        sendp([frame(mac, [("message-type", "discover")], xid) for _ in range(int(sys.argv[4]))], iface=iface)
        print("done")
        return
    if mode == "offer-then-decline":
        address, server = offer(iface, mac, xid)
        sendp(frame(mac, [("message-type", "decline"), ("requested_addr", address), ("server_id", server)],
                    xid), iface=iface)
        print(address)
        return
    if mode == "dora":
        extra = [("hostname", bytes.fromhex(sys.argv[4]))] if len(sys.argv) > 4 and sys.argv[4] != "-" else []
        address, server = offer(iface, mac, xid, extra)
        ack = exchange(iface, frame(mac, [("message-type", "request"), ("requested_addr", address),
                                          ("server_id", server), *extra], xid))
        if option(ack, "message-type") != 5:
            sys.exit(f"no ACK: {ack.summary()}")
        if "decline" in sys.argv[5:]:
            sendp(frame(mac, [("message-type", "decline"), ("requested_addr", address), ("server_id", server)],
                        xid), iface=iface)
        print(address)
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
