#!/bin/sh
# Rebuilds captured_frames.hpp from the captures beside this script.
# The captures were taken with tcpdump on the server side of a namespace lab
# (client 10.77.0.1, etherbeam 10.77.0.2, kernel 10.77.0.3), with TX checksum
# offload off on the client so that UDP checksums are complete on the wire.
# The DHCP exchanges (lab_dhcp_*.pcap: real clients against dnsmasq) come from
# capture_dhcp.py; the kernel's resets and protocol unreachable
# (lab_kernel_refusals.pcap) from capture_refusals.py.
cd "$(dirname "$0")" || exit 1
exec /usr/bin/python3 ../../scripts/pcap_to_cpp.py \
  echo_request=lab_ping_arp_udp.pcap:1 echo_reply_from_etherbeam=lab_ping_arp_udp.pcap:2 \
  arp_request=lab_ping_arp_udp.pcap:3 echo_request_record_route=lab_ping_arp_udp.pcap:5 \
  fragment_first=lab_ping_arp_udp.pcap:7 fragment_last=lab_ping_arp_udp.pcap:8 \
  udp_datagram=lab_ping_arp_udp.pcap:9 vlan_echo_request=lab_vlan.pcap:1 \
  vlan_arp_request=lab_vlan.pcap:3 kernel_arp_request=lab_kernel_replies.pcap:1 \
  kernel_arp_reply=lab_kernel_replies.pcap:2 kernel_echo_request=lab_kernel_replies.pcap:5 \
  kernel_echo_reply=lab_kernel_replies.pcap:6 \
  dhclient_discover=lab_dhcp_dhclient.pcap:1 dnsmasq_offer_to_dhclient=lab_dhcp_dhclient.pcap:2 \
  dhclient_request=lab_dhcp_dhclient.pcap:3 dnsmasq_ack_to_dhclient=lab_dhcp_dhclient.pcap:4 \
  udhcpc_discover=lab_dhcp_udhcpc.pcap:1 udhcpc_request=lab_dhcp_udhcpc.pcap:3 \
  dnsmasq_ack_to_udhcpc=lab_dhcp_udhcpc.pcap:4 dhcpcd_discover=lab_dhcp_dhcpcd.pcap:1 \
  dhcpcd_request=lab_dhcp_dhcpcd.pcap:3 dhcpcd_inform=lab_dhcp_dhcpcd.pcap:12 \
  dnsmasq_ack_to_dhcpcd_inform=lab_dhcp_dhcpcd.pcap:13 perfdhcp_discover=lab_dhcp_perfdhcp.pcap:1 \
  dnsmasq_offer_to_perfdhcp=lab_dhcp_perfdhcp.pcap:4 perfdhcp_request=lab_dhcp_perfdhcp.pcap:5 \
  syn_to_a_closed_port=lab_kernel_refusals.pcap:1 kernel_reset_to_syn=lab_kernel_refusals.pcap:2 \
  ack_to_a_closed_port=lab_kernel_refusals.pcap:3 kernel_reset_to_ack=lab_kernel_refusals.pcap:4 \
  protocol_253_datagram=lab_kernel_refusals.pcap:5 kernel_protocol_unreachable=lab_kernel_refusals.pcap:6 \
  > captured_frames.hpp
