/* What the relay's C programs share with each other: the socket pair's
 * addresses under SOCKET_DIR, the MAC raw_binder writes to SOCKET_DIR/link,
 * sd_notify's READY=1, as the daemons say it, and a batch of frames read with
 * one recvmmsg and answered in place with one sendmmsg. */
#ifndef ETHERBEAM_BENCH_RELAY_DAEMON_COMMON_H
#define ETHERBEAM_BENCH_RELAY_DAEMON_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static inline struct sockaddr_un unix_address(const char* dir, const char* name) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof a.sun_path, "%s/%s", dir, name);
  return a;
}

/* The interface's MAC from the `mac=` line of DIR/link; 0 when found. */
static inline int read_link_mac(const char* dir, uint8_t mac[6]) {
  char path[512], line[128];
  snprintf(path, sizeof path, "%s/link", dir);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  int found = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "mac=%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) == 6)
      found = 0;
  fclose(f);
  return found;
}

enum { batch = 64, frame_room = 2048 };

struct frame_batch {
  uint8_t frames[batch][frame_room];
  struct iovec in_vec[batch], out_vec[batch];
  struct mmsghdr in_msg[batch], out_msg[batch];
  int ready; /* frames queued to send */
};

static inline void frame_batch_init(struct frame_batch* b) {
  for (int i = 0; i < batch; ++i) {
    b->in_vec[i] = (struct iovec){b->frames[i], frame_room};
    b->in_msg[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &b->in_vec[i], .msg_iovlen = 1}};
  }
  b->ready = 0;
}

/* Queues the first `len` bytes of frames[i] to be sent. */
static inline void frame_batch_queue(struct frame_batch* b, int i, size_t len) {
  b->out_vec[b->ready] = (struct iovec){b->frames[i], len};
  b->out_msg[b->ready] = (struct mmsghdr){.msg_hdr = {.msg_iov = &b->out_vec[b->ready], .msg_iovlen = 1}};
  ++b->ready;
}

/* Sends what is queued to `fd` without waiting; returns how many went. */
static inline unsigned frame_batch_send(struct frame_batch* b, int fd) {
  int sent = b->ready ? sendmmsg(fd, b->out_msg, (unsigned)b->ready, MSG_DONTWAIT) : 0;
  b->ready = 0;
  return sent > 0 ? (unsigned)sent : 0;
}

static inline void notify_ready(void) {
  const char* path = getenv("NOTIFY_SOCKET");
  if (!path) return;
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  sendto(fd, "READY=1", 7, 0, (struct sockaddr*)&a, sizeof a);
  close(fd);
}

#endif
