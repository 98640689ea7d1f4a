/* The minimal relay's logic server: the floor etherbeam is measured against.
 * Same socket pair and wire protocol as etherbeam (one datagram, one frame),
 * but no actors, no dispatch, no counters: frames are read in batches
 * (recvmmsg), ICMP echo requests and ARP requests for one address are turned
 * into replies in place, and the replies go back in batches (sendmmsg).
 *
 *   echo_logic SOCKET_DIR ADDRESS [dhcp]   e.g. echo_logic /run/etherbeam 10.77.0.2
 *
 * With `dhcp` it also answers DHCP as a stateless server with no leases and no
 * disk (bench/dhcp_rate.py's `relay-dhcp`): the ceiling a DHCP generator and
 * this relay reach on the machine, above which no server can be measured.
 *
 * Binds SOCKET_DIR/raw_to_beam.sock, sends to SOCKET_DIR/beam_to_raw.sock and
 * answers with the MAC raw_binder writes to SOCKET_DIR/link. Reports readiness
 * with sd_notify's protocol, as the daemons do. Untagged frames only. */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_common.h"

static volatile sig_atomic_t stopping = 0;
static void stop(int sig) { (void)sig; stopping = 1; }

/* RFC 1624: the checksum after one 16-bit word changes from `old` to `new`. */
static uint16_t checksum_adjusted(uint16_t sum, uint16_t old, uint16_t new) {
  uint32_t s = (uint16_t)~sum + (uint16_t)~old + new;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

/* Turns the frame into its reply in place; returns its length, 0 for no reply. */
static size_t answer(uint8_t* f, size_t len, const uint8_t mac[6], uint32_t ip) {
  if (len < 42) return 0;
  uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
  if (type == 0x0806) { /* ARP request for our address */
    if (f[20] != 0 || f[21] != 1 || memcmp(f + 38, &ip, 4) != 0) return 0;
    memcpy(f, f + 6, 6);
    memcpy(f + 6, mac, 6);
    f[21] = 2;
    memcpy(f + 32, f + 22, 10); /* target := sender */
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, &ip, 4);
    return 42;
  }
  if (type != 0x0800 || (f[14] >> 4) != 4 || f[23] != 1) return 0;
  size_t ihl = (size_t)(f[14] & 0x0f) * 4;
  if (len < 14 + ihl + 8 || memcmp(f + 30, &ip, 4) != 0 || f[14 + ihl] != 8) return 0;
  memcpy(f, f + 6, 6);
  memcpy(f + 6, mac, 6);
  memcpy(f + 30, f + 26, 4); /* destination := source; the IP checksum is unchanged */
  memcpy(f + 26, &ip, 4);
  uint8_t* icmp = f + 14 + ihl;
  uint16_t sum = (uint16_t)(icmp[2] << 8 | icmp[3]);
  sum = checksum_adjusted(sum, 0x0800, 0x0000); /* type 8 -> 0 */
  icmp[0] = 0;
  icmp[2] = (uint8_t)(sum >> 8);
  icmp[3] = (uint8_t)sum;
  return len;
}

static uint16_t ip_header_checksum(const uint8_t* h) {
  uint32_t s = 0;
  for (int i = 0; i < 20; i += 2) s += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

/* DHCP without state: DISCOVER -> OFFER of an address derived from the
 * client's MAC, REQUEST -> ACK of the address asked for. Replies go to the
 * relay agent when there is one (perfdhcp acts as one), else broadcast; UDP
 * checksum 0 (allowed in IPv4). Returns the reply's length. */
static size_t answer_dhcp(uint8_t* f, size_t len, const uint8_t mac[6], uint32_t ip) {
  if (len < 14 + 20 + 8 + 240 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 17) return 0;
  size_t ihl = (size_t)(f[14] & 0x0f) * 4;
  const uint8_t* udp = f + 14 + ihl;
  if (ihl < 20 || len < 14 + ihl + 8 + 240 || udp[2] != 0 || udp[3] != 67) return 0;
  uint8_t* bootp = f + 14 + ihl + 8;
  size_t bootp_len = len - (size_t)(bootp - f);
  if (bootp[0] != 1) return 0;
  int type = 0;
  uint32_t requested = 0;
  for (size_t i = 240; i < bootp_len && bootp[i] != 255;) {
    if (bootp[i] == 0) { ++i; continue; }
    if (i + 1 >= bootp_len || i + 2 + bootp[i + 1] > bootp_len) break;
    if (bootp[i] == 53 && bootp[i + 1] == 1) type = bootp[i + 2];
    if (bootp[i] == 50 && bootp[i + 1] == 4) memcpy(&requested, bootp + i + 2, 4);
    i += 2 + (size_t)bootp[i + 1];
  }
  uint32_t offered;
  if (type == 1) {
    uint32_t h = 2166136261u; /* FNV-1a over chaddr: 10.77.1.0 + h mod 65024 */
    for (int i = 0; i < 6; ++i) h = (h ^ bootp[28 + i]) * 16777619u;
    offered = htonl(0x0a4d0100u + h % 0xfe00u);
  } else if (type == 3 && requested) {
    offered = requested;
  } else {
    return 0;
  }
  uint32_t relay;
  memcpy(&relay, bootp + 24, 4); /* giaddr */
  uint8_t to_mac[6];
  memcpy(to_mac, relay ? f + 6 : bootp + 28, 6);
  uint8_t* out = f + 42;
  memmove(out, bootp, 240); /* header, chaddr, sname, file, magic cookie */
  out[0] = 2;
  out[3] = 0;
  memset(out + 8, 0, 2);   /* secs */
  memset(out + 12, 0, 4);  /* ciaddr */
  memcpy(out + 16, &offered, 4);
  memcpy(out + 20, &ip, 4); /* siaddr */
  uint8_t* o = out + 240;
  const uint32_t lease = htonl(3600), mask = htonl(0xffff0000u);
  *o++ = 53, *o++ = 1, *o++ = type == 1 ? 2 : 5;
  *o++ = 54, *o++ = 4, memcpy(o, &ip, 4), o += 4;
  *o++ = 51, *o++ = 4, memcpy(o, &lease, 4), o += 4;
  *o++ = 1, *o++ = 4, memcpy(o, &mask, 4), o += 4;
  *o++ = 255;
  size_t used = (size_t)(o - out), payload = used < 300 ? 300 : used;
  memset(o, 0, payload - used);
  memcpy(f, to_mac, 6);
  memcpy(f + 6, mac, 6);
  uint8_t* h = f + 14;
  size_t ip_len = 20 + 8 + payload;
  const uint8_t header[20] = {0x45, 0, (uint8_t)(ip_len >> 8), (uint8_t)ip_len, 0, 0, 0, 0, 64, 17, 0, 0,
                              0, 0, 0, 0, 255, 255, 255, 255};
  memcpy(h, header, 20);
  memcpy(h + 12, &ip, 4);
  if (relay) memcpy(h + 16, &relay, 4);
  uint16_t sum = ip_header_checksum(h);
  h[10] = (uint8_t)(sum >> 8), h[11] = (uint8_t)sum;
  uint8_t* u = f + 34;
  const uint8_t udp_header[8] = {0, 67, 0, relay ? 67 : 68, (uint8_t)((8 + payload) >> 8), (uint8_t)(8 + payload), 0, 0};
  memcpy(u, udp_header, 8);
  return 14 + ip_len;
}

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && strcmp(argv[3], "dhcp") == 0)) {
    fprintf(stderr, "usage: %s SOCKET_DIR ADDRESS [dhcp]\n", argv[0]);
    return 2;
  }
  uint32_t ip;
  if (inet_pton(AF_INET, argv[2], &ip) != 1) {
    fprintf(stderr, "echo_logic: %s is not an IPv4 address\n", argv[2]);
    return 2;
  }
  const int with_dhcp = argc == 4;
  uint8_t mac[6];
  if (read_link_mac(argv[1], mac) != 0) {
    fprintf(stderr, "echo_logic: no mac= in %s/link; start raw_binder first\n", argv[1]);
    return 1;
  }
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  struct sockaddr_un here = unix_address(argv[1], "raw_to_beam.sock");
  struct sockaddr_un binder = unix_address(argv[1], "beam_to_raw.sock");
  unlink(here.sun_path);
  int in = socket(AF_UNIX, SOCK_DGRAM, 0), out = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (bind(in, (struct sockaddr*)&here, sizeof here) != 0 || connect(out, (struct sockaddr*)&binder, sizeof binder) != 0) {
    perror("echo_logic: binding or connecting the socket pair");
    return 1;
  }
  struct timeval tick = {.tv_sec = 0, .tv_usec = 200000}; /* to notice SIGTERM */
  setsockopt(in, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  notify_ready();

  static struct frame_batch b;
  frame_batch_init(&b);
  unsigned long long answered = 0;
  while (!stopping) {
    int n = recvmmsg(in, b.in_msg, batch, MSG_WAITFORONE, NULL);
    if (n <= 0) continue;
    for (int i = 0; i < n; ++i) {
      size_t len = answer(b.frames[i], b.in_msg[i].msg_len, mac, ip);
      if (!len && with_dhcp) len = answer_dhcp(b.frames[i], b.in_msg[i].msg_len, mac, ip);
      if (len) frame_batch_queue(&b, i, len);
    }
    answered += frame_batch_send(&b, out);
  }
  fprintf(stderr, "echo_logic: %llu replies sent\n", answered);
  unlink(here.sun_path);
  return 0;
}
