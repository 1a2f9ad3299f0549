#include "libs/common/secure_bytes.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace poolops {
namespace {

TEST(SecureBytesTest, HoldsCopiesAndMoves) {
  SecureBytes a = SecureBytes::FromString("secret");
  EXPECT_EQ(a.str(), "secret");
  SecureBytes b = std::move(a);
  EXPECT_TRUE(
      a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(b.str(), "secret");
  SecureBytes c(4);
  EXPECT_EQ(c.size(), 4u);
  for (size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c.data()[i], 0);
  c = std::move(b);
  EXPECT_EQ(c.str(), "secret");
  EXPECT_EQ(c.view().size(), 6u);
}

TEST(SecureBytesTest, WipeReleasesNow) {
  SecureBytes a = SecureBytes::FromString("key material");
  a.Wipe();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.data(), nullptr);
  a.Wipe();  // twice is harmless
  SecureBytes empty;
  EXPECT_TRUE(empty.empty());
  SecureBytes zero(size_t{0});
  EXPECT_EQ(zero.data(), nullptr);
  EXPECT_TRUE(SecureBytes::FromString("").empty());
}

// The VmFlags line of /proc/self/smaps for the mapping holding `p`.
std::string VmFlagsOf(const void* p) {
  auto address = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    // Mapping headers look like "7f12a000-7f12b000 rw-p 00000000 00:00 0".
    unsigned long lo = 0, hi = 0;  // NOLINT(runtime/int): sscanf's %lx
    char dash = 0;
    if (std::sscanf(line.c_str(), "%lx%c%lx", &lo, &dash, &hi) == 3 &&
        dash == '-') {
      inside = lo <= address && address < hi;
      continue;
    }
    if (inside && absl::StartsWith(line, "VmFlags:")) return line + " ";
  }
  return "";
}

// Whether this process may lock a page at all (root without CAP_IPC_LOCK in
// a container, or RLIMIT_MEMLOCK, can forbid it).
bool CanLockAPage() {
  long page = sysconf(_SC_PAGESIZE);
  void* p = mmap(nullptr, page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  bool locked = mlock(p, page) == 0;
  munmap(p, page);
  return locked;
}

TEST(SecureBytesTest, ExcludedFromCoreDumpsAndLockedWhenAllowed) {
  SecureBytes key = SecureBytes::FromString("0123456789abcdef");
  std::string flags = VmFlagsOf(key.data());
  ASSERT_FALSE(flags.empty()) << "no smaps entry for the key";
  EXPECT_TRUE(absl::StrContains(flags, " dd ")) << flags;  // MADV_DONTDUMP
  if (CanLockAPage()) {
    EXPECT_TRUE(absl::StrContains(flags, " lo ")) << flags;  // mlock
  }
}

// Runs in a death-test child: allocates with RLIMIT_MEMLOCK at 0.
void AllocateWithoutMemlockAndExit() {
  rlimit none{0, 0};
  setrlimit(RLIMIT_MEMLOCK, &none);
  SecureBytes big(size_t{16} << 20);
  big.data()[big.size() - 1] = 7;
  SecureBytes small = SecureBytes::FromString("pw");
  bool ok = big.data()[big.size() - 1] == 7 && small.str() == "pw";
  big.Wipe();
  _exit(ok ? 0 : 1);
}

TEST(SecureBytesTest, WorksWhenMlockIsRefused) {
  // mlock fails (unless CAP_IPC_LOCK) and the bytes must still be usable. In
  // a child so the limit does not leak into other tests.
  EXPECT_EXIT(AllocateWithoutMemlockAndExit(), testing::ExitedWithCode(0), "");
}

TEST(SecureBytesTest, WipeStringZeroesTheBufferInPlace) {
  std::string secret(100, 'p');  // on the heap, not in the SSO buffer
  secret.resize(40);             // stale bytes past size() too
  const char* buffer = secret.data();
  const size_t capacity = secret.capacity();
  { ScopedWipe wipe(&secret); }
  EXPECT_TRUE(secret.empty());
  EXPECT_EQ(secret.data(), buffer) << "wiped in place, not reallocated";
  EXPECT_EQ(std::string_view(buffer, capacity), std::string(capacity, '\0'));
}

}  // namespace
}  // namespace poolops
