/* What the relay's C programs share with each other: the socket pair's
 * addresses under SOCKET_DIR, and sd_notify's READY=1, as the daemons say it. */
#ifndef ETHERBEAM_BENCH_RELAY_DAEMON_COMMON_H
#define ETHERBEAM_BENCH_RELAY_DAEMON_COMMON_H
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
