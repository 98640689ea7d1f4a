/* An AF_XDP binder for the minimal relay: the lever issue 12 asked to measure.
 * It does what raw_binder does on the wire side (one datagram, one frame, to
 * SOCKET_DIR/raw_to_beam.sock; datagrams to SOCKET_DIR/beam_to_raw.sock go
 * onto the link) through an AF_XDP socket on queue 0 instead of AF_PACKET
 * rings: libxdp's default program redirects every frame on the link to it, so
 * the kernel's own stack no longer sees them. On veth it runs in copy mode
 * (veth has no zero-copy AF_XDP). No privilege dropping, no lanes, no
 * counters: a measuring tool, not a product.
 *
 *   xdp_binder IFACE SOCKET_DIR      then start echo_logic SOCKET_DIR ADDRESS */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_common.h"
#include <xdp/xsk.h>

enum { frame_size = 2048, frame_count = 8192, ring_size = 2048 }; /* batch: daemon_common.h's */

static volatile sig_atomic_t stopping = 0;
static void stop(int sig) { (void)sig; stopping = 1; }

static int write_link_file(const char* dir, const char* iface) {
  struct ifreq req = {0};
  strncpy(req.ifr_name, iface, IFNAMSIZ - 1);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int rc = ioctl(fd, SIOCGIFHWADDR, &req);
  close(fd);
  if (rc != 0) return -1;
  char path[512];
  snprintf(path, sizeof path, "%s/link", dir);
  FILE* f = fopen(path, "w");
  if (!f) return -1;
  const unsigned char* m = (const unsigned char*)req.ifr_hwaddr.sa_data;
  fprintf(f, "mac=%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
  return fclose(f);
}

/* Transmit frames not in flight: a stack of UMEM addresses. */
static uint64_t free_tx[frame_count / 2];
static unsigned free_tx_count = 0;

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s IFACE SOCKET_DIR\n", argv[0]);
    return 2;
  }
  const char* iface = argv[1];
  const char* dir = argv[2];
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  mkdir(dir, 0755);
  if (write_link_file(dir, iface) != 0) {
    fprintf(stderr, "xdp_binder: cannot read %s's MAC or write %s/link: %s\n", iface, dir, strerror(errno));
    return 1;
  }

  void* area = mmap(NULL, (size_t)frame_size * frame_count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) return perror("xdp_binder: mmap"), 1;
  struct xsk_ring_prod fill, tx;
  struct xsk_ring_cons completion, rx;
  struct xsk_umem* umem = NULL;
  struct xsk_umem_config umem_config = {.fill_size = ring_size, .comp_size = ring_size, .frame_size = frame_size,
                                        .frame_headroom = 0, .flags = 0};
  int rc = xsk_umem__create(&umem, area, (uint64_t)frame_size * frame_count, &fill, &completion, &umem_config);
  if (rc) return fprintf(stderr, "xdp_binder: xsk_umem__create: %s\n", strerror(-rc)), 1;
  struct xsk_socket* xsk = NULL;
  struct xsk_socket_config config = {.rx_size = ring_size, .tx_size = ring_size, .bind_flags = XDP_USE_NEED_WAKEUP};
  rc = xsk_socket__create(&xsk, iface, 0, umem, &rx, &tx, &config);
  if (rc) return fprintf(stderr, "xdp_binder: xsk_socket__create on %s: %s\n", iface, strerror(-rc)), 1;
  int xsk_fd = xsk_socket__fd(xsk);

  /* The first half of UMEM receives, the second half transmits. */
  uint32_t at;
  if (xsk_ring_prod__reserve(&fill, ring_size, &at) != ring_size) return fputs("xdp_binder: fill ring\n", stderr), 1;
  for (unsigned i = 0; i < ring_size; ++i) *xsk_ring_prod__fill_addr(&fill, at + i) = (uint64_t)i * frame_size;
  xsk_ring_prod__submit(&fill, ring_size);
  for (unsigned i = 0; i < frame_count / 2; ++i) free_tx[free_tx_count++] = (uint64_t)(frame_count / 2 + i) * frame_size;

  struct sockaddr_un here = unix_address(dir, "beam_to_raw.sock");
  struct sockaddr_un logic = unix_address(dir, "raw_to_beam.sock");
  unlink(here.sun_path);
  int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (bind(sock, (struct sockaddr*)&here, sizeof here) != 0) return perror("xdp_binder: bind"), 1;
  notify_ready();

  struct mmsghdr messages[batch];
  struct iovec vectors[batch];
  uint64_t taken[batch];
  unsigned long long relayed = 0, injected = 0;
  struct pollfd fds[2] = {{.fd = xsk_fd, .events = POLLIN}, {.fd = sock, .events = POLLIN}};
  while (!stopping) {
    if (poll(fds, 2, 200) <= 0) continue;
    /* Frames from the link, to the logic server, their slots straight back to the fill ring. */
    uint32_t rx_at;
    unsigned n = xsk_ring_cons__peek(&rx, batch, &rx_at);
    if (n) {
      for (unsigned i = 0; i < n; ++i) {
        const struct xdp_desc* d = xsk_ring_cons__rx_desc(&rx, rx_at + i);
        taken[i] = xsk_umem__extract_addr(d->addr);
        vectors[i] = (struct iovec){xsk_umem__get_data(area, d->addr), d->len};
        messages[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &logic, .msg_namelen = sizeof logic,
                                                   .msg_iov = &vectors[i], .msg_iovlen = 1}};
      }
      int sent = sendmmsg(sock, messages, n, MSG_DONTWAIT);
      if (sent > 0) relayed += (unsigned)sent;
      xsk_ring_cons__release(&rx, n);
      uint32_t fill_at;
      while (xsk_ring_prod__reserve(&fill, n, &fill_at) != n) {}
      for (unsigned i = 0; i < n; ++i) *xsk_ring_prod__fill_addr(&fill, fill_at + i) = taken[i];
      xsk_ring_prod__submit(&fill, n);
    }
    /* Sent frames' slots back to the free stack. */
    uint32_t done_at;
    unsigned done = xsk_ring_cons__peek(&completion, ring_size, &done_at);
    for (unsigned i = 0; i < done; ++i) free_tx[free_tx_count++] = *xsk_ring_cons__comp_addr(&completion, done_at + i);
    if (done) xsk_ring_cons__release(&completion, done);
    /* Replies from the logic server, read straight into transmit slots. */
    unsigned room = free_tx_count < batch ? free_tx_count : batch;
    if (room) {
      for (unsigned i = 0; i < room; ++i) {
        uint64_t addr = free_tx[free_tx_count - 1 - i];
        vectors[i] = (struct iovec){xsk_umem__get_data(area, addr), frame_size};
        messages[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &vectors[i], .msg_iovlen = 1}};
      }
      int got = recvmmsg(sock, messages, room, MSG_DONTWAIT, NULL);
      if (got > 0) {
        uint32_t tx_at;
        if (xsk_ring_prod__reserve(&tx, (unsigned)got, &tx_at) == (unsigned)got) {
          for (int i = 0; i < got; ++i) {
            struct xdp_desc* d = xsk_ring_prod__tx_desc(&tx, tx_at + (unsigned)i);
            d->addr = free_tx[--free_tx_count];
            d->len = messages[i].msg_len;
          }
          xsk_ring_prod__submit(&tx, (unsigned)got);
          injected += (unsigned)got;
        }
        if (xsk_ring_prod__needs_wakeup(&tx)) sendto(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
      }
    }
    if (xsk_ring_prod__needs_wakeup(&fill)) recvfrom(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
  }
  fprintf(stderr, "xdp_binder: %llu frames relayed, %llu injected\n", relayed, injected);
  xsk_socket__delete(xsk);
  xsk_umem__delete(umem);
  unlink(here.sun_path);
  return 0;
}
