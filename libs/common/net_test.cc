#include "libs/common/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace poolops::net {
namespace {

TEST(Net, AFreePortIsFreeUntilSomeoneListens) {
  absl::StatusOr<uint16_t> port = FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_GT(*port, 0);
  EXPECT_FALSE(LoopbackPortInUse(*port));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(*port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  EXPECT_TRUE(LoopbackPortInUse(*port));
  ::close(fd);
}

// The listener's owner is read from /proc: this process owns a socket it
// listens on, and no other process does; a port nobody listens on has no
// owner.
TEST(Net, TheListenersOwnerIsKnown) {
  absl::StatusOr<uint16_t> port = FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_FALSE(ListensOnLoopback(::getpid(), *port));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(*port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_FALSE(ListensOnLoopback(::getpid(), *port));  // bound, not listening
  ASSERT_EQ(::listen(fd, 1), 0);
  EXPECT_TRUE(ListensOnLoopback(::getpid(), *port));
  EXPECT_FALSE(ListensOnLoopback(::getppid(), *port));
  ::close(fd);
  EXPECT_FALSE(ListensOnLoopback(::getpid(), *port));
}

}  // namespace
}  // namespace poolops::net
