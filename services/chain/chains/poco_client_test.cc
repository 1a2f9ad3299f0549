// PoCo reads against a real devnet (anvil + PoCo 5.5.0), checked against the
// values the iExec SDK and the PoCo sources give for this deployment.
#include "services/chain/chains/poco_client.h"

#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "services/chain/chains/devnet_gateway_test_support.h"

namespace poolops::chain {
namespace {

using testing::DevnetGateway;

TEST(PocoClientDevnet, ReadsTheHub) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  PocoClient& poco = d.session().poco();
  absl::StatusOr<OrderDomainInfo> domain = poco.Domain();
  ASSERT_TRUE(domain.ok()) << domain.status();
  EXPECT_EQ(domain->name, "iExecODB");
  EXPECT_EQ(domain->version, "5.0.0");
  EXPECT_EQ(domain->chain_id, 65535u);
  EXPECT_EQ(domain->verifying_contract, d.state().deployment.hub);
  absl::StatusOr<eth::Address> registry = poco.WorkerpoolRegistry();
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ(registry->ToChecksum(),
            "0xf5059a5D33d5853360D16C683c16e67980206f36");
  EXPECT_EQ(poco.Token().status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<Category>> cats = poco.Categories();
  ASSERT_TRUE(cats.ok()) << cats.status();
  ASSERT_EQ(cats->size(), 5u);
  EXPECT_EQ((*cats)[0].name, "XS");
}

TEST(PocoClientDevnet, PredictsTheWorkerpoolAddressOfTheVector) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  absl::StatusOr<eth::Address> predicted = d.session().poco().PredictWorkerpool(
      *eth::Address::Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
      "my-workerpool");
  ASSERT_TRUE(predicted.ok()) << predicted.status();
  EXPECT_EQ(predicted->ToChecksum(),
            "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db");
  EXPECT_FALSE(*d.session().poco().IsRegisteredWorkerpool(*predicted));
  EXPECT_EQ(d.session().poco().GetWorkerpool(*predicted).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PocoClientDevnet, VerifiesTheOrderSignatureVector) {
  POOLOPS_REQUIRE_NPM_ASSETS();
  DevnetGateway d;
  ASSERT_TRUE(d.Start().ok());
  // §F.2-style vector: the devnet-domain order signed by 0x7099...79C8.
  eth::Hash32 hash;
  eth::Bytes h = *eth::FromHexFixed(
      "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0", 32);
  std::copy(h.begin(), h.end(), hash.begin());
  eth::Bytes sign = *eth::FromHex(
      "0x85d59b08d31b369f6f8c8bbf55266e3ed2b43fd63bbda49e13928f7b12993615677fcf"
      "f53b2a3f2191d00231bae59c4c5aeb291714ec9d3bc22c30d4156cfb8c1c");
  eth::Address owner =
      *eth::Address::Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  EXPECT_TRUE(*d.session().poco().VerifySignature(owner, hash, sign));
  EXPECT_FALSE(*d.session().poco().VerifySignature(d.Address(2), hash, sign));
  EXPECT_TRUE(d.session().poco().ViewConsumed(hash)->IsZero());
}

}  // namespace
}  // namespace poolops::chain
