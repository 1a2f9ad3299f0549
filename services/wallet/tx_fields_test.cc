#include "services/wallet/tx_fields.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace poolops::wallet {
namespace {

using ::testing::HasSubstr;

TEST(TxFieldsTest, TypeFollowsTheFeeFields) {
  TxFields f;
  f.chain_id = "1";
  f.nonce = "0";
  f.gas = "21000";
  f.gas_price = "1";
  absl::StatusOr<eth::Transaction> tx = ParseTxFields(f);
  ASSERT_TRUE(tx.ok()) << tx.status();
  EXPECT_EQ(tx->type, eth::Transaction::Type::kLegacy);
  EXPECT_FALSE(tx->to.has_value()) << "empty to = creation";
  EXPECT_TRUE(tx->value.IsZero());

  TxFields g;
  g.chain_id = "0x1";
  g.nonce = "3";
  g.to = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  g.gas = "21000";
  g.max_fee_per_gas = "10";
  g.max_priority_fee_per_gas = "1";
  tx = ParseTxFields(g);
  ASSERT_TRUE(tx.ok()) << tx.status();
  EXPECT_EQ(tx->type, eth::Transaction::Type::kEip1559);
  EXPECT_EQ(tx->chain_id, eth::U256(1));
  EXPECT_EQ(tx->to->ToChecksum(), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

  g.type = TxFields::Type::kEip1559;
  g.max_priority_fee_per_gas = "";
  EXPECT_THAT(ParseTxFields(g).status().message(),
              HasSubstr("max_priority_fee_per_gas is required"));
  f.type = TxFields::Type::kEip1559;
  EXPECT_EQ(ParseTxFields(f).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TxFieldsTest, LimitsAndRequiredFields) {
  TxFields f;
  f.chain_id = "1";
  f.gas = "21000";
  f.gas_price = "1";
  EXPECT_THAT(ParseTxFields(f).status().message(),
              HasSubstr("transaction.nonce is required"));
  f.nonce = "18446744073709551616";  // 2^64
  EXPECT_THAT(ParseTxFields(f).status().message(),
              HasSubstr("transaction.nonce"));
  f.nonce = "1";
  f.gas = "0";
  EXPECT_THAT(ParseTxFields(f).status().message(),
              HasSubstr("transaction.gas"));
  f.gas = "21000";
  f.gas_price = "";
  EXPECT_THAT(ParseTxFields(f).status().message(),
              HasSubstr("transaction.gas_price is required"));
  f.gas_price = "1";
  f.data = std::string(eth::Transaction::kMaxDataBytes, '\0');
  EXPECT_TRUE(ParseTxFields(f).ok());
  f.data.push_back('\0');
  EXPECT_THAT(ParseTxFields(f).status().message(),
              HasSubstr("transaction.data"));
}

}  // namespace
}  // namespace poolops::wallet
