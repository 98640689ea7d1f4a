#!/usr/bin/python3
"""A PXE ROM's (or iPXE's) DHCP DISCOVER, made with scapy, for test_netboot.py.
Run in the lab's client namespace:

    pxe_client.py IFACE MAC ARCH [USER_CLASS]

Sends a DISCOVER as a PXE ROM does (vendor class "PXEClient:Arch:NNNNN:UNDI:003016",
client architecture, asking for 66 and 67) and prints the OFFER's boot fields as JSON.
"""
import json
import random
import sys

from scapy.all import BOOTP, DHCP, IP, UDP, Ether, conf, srp1

conf.verb = 0
conf.checkIPaddr = False  # the reply comes from the server's address, not the broadcast we sent to


def text(value):
    if isinstance(value, bytes):
        return value.rstrip(b"\0").decode()
    return value


def main():
    iface, mac, arch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    user_class = sys.argv[4] if len(sys.argv) > 4 else None
    options = [("message-type", "discover"),
               ("vendor_class_id", f"PXEClient:Arch:{arch:05d}:UNDI:003016".encode()),
               (93, arch.to_bytes(2, "big")),
               ("param_req_list", [1, 3, 43, 60, 66, 67])]
    if user_class:
        options.append((77, user_class.encode()))  # as iPXE sends it: the text, no RFC 3004 length
    xid = random.getrandbits(32)
    request = (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
               / UDP(sport=68, dport=67)
               / BOOTP(chaddr=bytes.fromhex(mac.replace(":", "")), xid=xid, flags=0x8000)
               / DHCP(options=options + ["end"]))
    reply = srp1(request, iface=iface, timeout=5, filter="udp and port 68")
    if reply is None:
        sys.exit("no OFFER")
    opts = {o[0]: o[1] for o in reply[DHCP].options if isinstance(o, tuple)}
    print(json.dumps({"yiaddr": reply[BOOTP].yiaddr, "siaddr": reply[BOOTP].siaddr,
                      "file": text(reply[BOOTP].file), "sname": text(reply[BOOTP].sname),
                      "66": text(opts.get("tftp_server_name")), "67": text(opts.get("boot-file-name")),
                      "60": text(opts.get("vendor_class_id")), "router": opts.get("router")}))


if __name__ == "__main__":
    main()
