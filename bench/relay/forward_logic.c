/* The minimal router's logic server: the floor etherbeam's router is measured
 * against (bench/router_rate.py's `floor` peer). Two raw_binders, two socket
 * pairs, the same wire protocol as etherbeam (one datagram, one frame), but
 * no actors, no routes, no neighbour resolution, no counters: every IPv4 frame
 * from one link leaves on the other, to the one host there, with its TTL
 * decremented (RFC 1624 checksum update); everything else is dropped. Frames
 * are read in batches (recvmmsg), rewritten in place and sent in batches
 * (sendmmsg).
 *
 *   forward_logic DIR_A HOST_MAC_A DIR_B HOST_MAC_B
 *
 * HOST_MAC_X is the MAC of the host on link X (frames for it go there); the
 * router's own MAC on each link is the one raw_binder writes to DIR_X/link.
 * The hosts need a static neighbour entry for the router: it answers no ARP.
 * Reports readiness with sd_notify's protocol, as the daemons do. */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_common.h"

static volatile sig_atomic_t stopping = 0;
static void stop(int sig) { (void)sig; stopping = 1; }

static int parse_mac(const char* text, uint8_t mac[6]) {
  return sscanf(text, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) == 6
           ? 0 : -1;
}

struct link {
  int in, out;
  uint8_t own_mac[6], host_mac[6];
  struct sockaddr_un here;
};

static int open_link(struct link* l, const char* dir, const char* host_mac) {
  if (parse_mac(host_mac, l->host_mac) != 0) {
    fprintf(stderr, "forward_logic: %s is not a MAC address\n", host_mac);
    return -1;
  }
  if (read_link_mac(dir, l->own_mac) != 0) {
    fprintf(stderr, "forward_logic: no mac= in %s/link; start raw_binder first\n", dir);
    return -1;
  }
  l->here = unix_address(dir, "raw_to_beam.sock");
  struct sockaddr_un binder = unix_address(dir, "beam_to_raw.sock");
  unlink(l->here.sun_path);
  l->in = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  l->out = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (bind(l->in, (struct sockaddr*)&l->here, sizeof l->here) != 0 ||
      connect(l->out, (struct sockaddr*)&binder, sizeof binder) != 0) {
    perror("forward_logic: binding or connecting a socket pair");
    return -1;
  }
  return 0;
}

/* Readies the frame for the other link in place; 0 when it is not forwarded. */
static int forward(uint8_t* f, size_t len, const struct link* to) {
  if (len < 34 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4 || f[22] <= 1) return 0;
  memcpy(f, to->host_mac, 6);
  memcpy(f + 6, to->own_mac, 6);
  --f[22]; /* TTL: the checksum word holding it drops by 0x0100 */
  uint32_t sum = (uint32_t)(f[24] << 8 | f[25]) + 0x0100;
  sum = (sum & 0xffff) + (sum >> 16);
  f[24] = (uint8_t)(sum >> 8), f[25] = (uint8_t)sum;
  return 1;
}

static unsigned long long relay(struct frame_batch* b, const struct link* from, const struct link* to) {
  int n = recvmmsg(from->in, b->in_msg, batch, MSG_DONTWAIT, NULL);
  for (int i = 0; i < n; ++i)
    if (forward(b->frames[i], b->in_msg[i].msg_len, to)) frame_batch_queue(b, i, b->in_msg[i].msg_len);
  return frame_batch_send(b, to->out);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s DIR_A HOST_MAC_A DIR_B HOST_MAC_B\n", argv[0]);
    return 2;
  }
  struct link link_a, link_b;
  if (open_link(&link_a, argv[1], argv[2]) != 0 || open_link(&link_b, argv[3], argv[4]) != 0) return 1;
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  notify_ready();
  static struct frame_batch batch_of_frames;
  frame_batch_init(&batch_of_frames);
  unsigned long long forwarded = 0;
  struct pollfd fds[2] = {{.fd = link_a.in, .events = POLLIN}, {.fd = link_b.in, .events = POLLIN}};
  while (!stopping) {
    if (poll(fds, 2, 200) <= 0) continue; /* the timeout: to notice SIGTERM */
    if (fds[0].revents) forwarded += relay(&batch_of_frames, &link_a, &link_b);
    if (fds[1].revents) forwarded += relay(&batch_of_frames, &link_b, &link_a);
  }
  fprintf(stderr, "forward_logic: %llu frames forwarded\n", forwarded);
  unlink(link_a.here.sun_path);
  unlink(link_b.here.sun_path);
  return 0;
}
