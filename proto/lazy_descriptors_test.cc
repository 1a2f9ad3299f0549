// poolops_proto_lazy (poolctl's copy of the generated code): nothing is
// registered at start-up, and a message's first use registers its file and
// its imports, so reflection and the JSON mapping work as with protoc's code.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "poolops/monitor/v1/monitor.pb.h"
#include "poolops/wallet/v1/wallet.pb.h"

namespace {

using google::protobuf::DescriptorPool;

TEST(LazyDescriptorsTest, NothingAtStartUpThenTheFileOnFirstUse) {
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  // One test per process: the order below is the point.
  ASSERT_EQ(pool->FindMessageTypeByName("poolops.wallet.v1.Wallet"), nullptr);
  ASSERT_EQ(pool->FindMessageTypeByName("poolops.monitor.v1.PoolTargets"),
            nullptr);

  poolops::wallet::v1::Wallet wallet;
  wallet.set_name("owner");
  wallet.set_address("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  ASSERT_TRUE(
      google::protobuf::util::MessageToJsonString(wallet, &text, options).ok());
  EXPECT_NE(text.find("\"name\":\"owner\""), std::string::npos) << text;
  EXPECT_NE(pool->FindMessageTypeByName("poolops.wallet.v1.Wallet"), nullptr);
  // Another file stays unregistered until one of its messages is used.
  EXPECT_EQ(pool->FindMessageTypeByName("poolops.monitor.v1.PoolTargets"),
            nullptr);

  poolops::monitor::v1::PoolTargets targets;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"pool":"p1","workers":[{"name":"w1"}]})", &targets)
                  .ok());
  EXPECT_EQ(targets.workers(0).name(), "w1");
  EXPECT_NE(pool->FindMessageTypeByName("poolops.monitor.v1.PoolTargets"),
            nullptr);
}

}  // namespace
