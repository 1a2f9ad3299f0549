#include "services/wallet/kdf_gate.h"

#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace poolops::wallet {
namespace {

TEST(KdfGateTest, RefusesBeyondRunningAndWaiting) {
  KdfGate gate(/*max_running=*/1, /*max_waiting=*/1);
  absl::StatusOr<KdfGate::Ticket> first = gate.Enter("unlock");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(gate.running(), 1);

  // The second waits for the first.
  bool second_ran = false;
  std::thread second([&] {
    absl::StatusOr<KdfGate::Ticket> t = gate.Enter("unlock");
    EXPECT_TRUE(t.ok()) << t.status();
    second_ran = true;
  });
  while (gate.waiting() == 0) absl::SleepFor(absl::Milliseconds(1));

  // A third finds both places taken: refused at once, saying why.
  absl::StatusOr<KdfGate::Ticket> third = gate.Enter("import keystore");
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(third.status().message(),
            "import keystore: too many key derivations at once (1 running, 1 "
            "waiting; each can take a second and 256 MiB); retry shortly");

  { KdfGate::Ticket done = *std::move(first); }  // releases the slot
  second.join();
  EXPECT_TRUE(second_ran);
  EXPECT_EQ(gate.running(), 0);
  EXPECT_EQ(gate.waiting(), 0);
  EXPECT_TRUE(gate.Enter("unlock").ok());
}

}  // namespace
}  // namespace poolops::wallet
