#include "libs/eth/transaction.h"

#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "nlohmann/json.hpp"

namespace poolops::eth {
namespace {

using json = nlohmann::json;

constexpr char kKey46[] =
    "0x4646464646464646464646464646464646464646464646464646464646464646";

Bytes Key46() { return *FromHexFixed(kKey46, 32); }
U256 Dec(std::string_view s) { return *U256::FromDecimal(s); }

// The example from EIP-155.
Transaction Eip155Example() {
  Transaction tx;
  tx.type = Transaction::Type::kLegacy;
  tx.chain_id = 1;
  tx.nonce = 9;
  tx.gas_price = Dec("20000000000");
  tx.gas = 21000;
  tx.to = *Address::Parse("0x3535353535353535353535353535353535353535");
  tx.value = Dec("1000000000000000000");
  return tx;
}

// r is the EIP's published decimal r = 185154612643733513732000026658530286124
// 51056578545711640558177340181847433846 in hex; ethers v6 produces the same.
constexpr char kEip155Signed[] =
    "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0"
    "b6"
    "b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa"
    "63"
    "6276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";

TEST(TransactionTest, Eip155Example) {
  Transaction tx = Eip155Example();
  ASSERT_TRUE(tx.Validate().ok());
  EXPECT_EQ(
      ToHex(tx.SigningHash()),
      "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
  RecoverableSignature sig = *SignDigest(Key46(), tx.SigningHash());
  EXPECT_EQ(ToHex(tx.EncodeSigned(sig)), kEip155Signed);
}

// Type 2 vector: the same fields signed by ethers v6 (Wallet.signTransaction).
Transaction Eip1559Example() {
  Transaction tx;
  tx.type = Transaction::Type::kEip1559;
  tx.chain_id = 134;
  tx.nonce = 7;
  tx.to = *Address::Parse("0x3535353535353535353535353535353535353535");
  tx.value = Dec("1234567890123456789");
  tx.data = {0xde, 0xad, 0xbe, 0xef};
  tx.gas = 100000;
  tx.max_fee_per_gas = Dec("30000000000");
  tx.max_priority_fee_per_gas = Dec("2000000000");
  return tx;
}

constexpr char kEip1559Signed[] =
    "0x02f87981860784773594008506fc23ac00830186a0943535353535353535353535353535"
    "35"
    "3535353535881122"
    "10f47de9811584deadbeefc080a051fd3b4fae3b5ad8431c88e93b660dcd04"
    "d6b0844cd85f1f166d53ab50f7ab64a07375d54667dd7d4a9d915f2fe26a73bbf3c6467f39"
    "76"
    "e80e37444822f8ce39f8";

TEST(TransactionTest, Eip1559MatchesEthers) {
  Transaction tx = Eip1559Example();
  ASSERT_TRUE(tx.Validate().ok());
  EXPECT_EQ(
      ToHex(tx.SigningHash()),
      "0x29b1c9e9e3e11bf79552f3cc5f57c9fabf330be8e8fa34a25cb873ab6732fec6");
  RecoverableSignature sig = *SignDigest(Key46(), tx.SigningHash());
  EXPECT_EQ(ToHex(tx.EncodeSigned(sig)), kEip1559Signed);
}

TEST(TransactionTest, Eip1559ContractCreationMatchesEthers) {
  Transaction tx;
  tx.type = Transaction::Type::kEip1559;
  tx.chain_id = 1;
  tx.gas = 53000;
  tx.data = {0x60, 0x00};
  tx.max_fee_per_gas = 1;
  tx.max_priority_fee_per_gas = 1;
  RecoverableSignature sig = *SignDigest(Key46(), tx.SigningHash());
  Bytes raw = tx.EncodeSigned(sig);
  EXPECT_EQ(ToHex(raw),
            "0x02f8500180010182cf088080826000c001a0a11a2d7c317937d385bc29b26960"
            "4fe9d4c4"
            "6dbc1184e4b92e8414490c0ebc26a066d3e96ffc5fe0c226a94c56b567cea2f32f"
            "8eba52de"
            "3564cf529805c4573a50");
  SignedTransaction decoded = *DecodeSigned(raw);
  EXPECT_FALSE(decoded.tx.to.has_value());
  EXPECT_EQ(
      ToHex(decoded.hash),
      "0x42b6f6f6b2ca8ddcd4c9eb270c9ff18eee0e1ad1b0df6617d78f2b4cfc5bd209");
}

void ExpectSameTx(const Transaction& a, const Transaction& b) {
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.chain_id, b.chain_id);
  EXPECT_EQ(a.nonce, b.nonce);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.gas, b.gas);
  EXPECT_EQ(a.gas_price, b.gas_price);
  EXPECT_EQ(a.max_fee_per_gas, b.max_fee_per_gas);
  EXPECT_EQ(a.max_priority_fee_per_gas, b.max_priority_fee_per_gas);
}

TEST(TransactionTest, DecodeSignedRoundTripBothTypes) {
  const Address sender =
      *Address::Parse("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
  for (const char* hex : {kEip155Signed, kEip1559Signed}) {
    Bytes raw = *FromHex(hex);
    absl::StatusOr<SignedTransaction> s = DecodeSigned(raw);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->from, sender);
    EXPECT_EQ(s->tx.EncodeSigned(s->signature), raw);
    ExpectSameTx(s->tx,
                 hex == kEip155Signed ? Eip155Example() : Eip1559Example());
  }
  EXPECT_EQ(
      ToHex(DecodeSigned(*FromHex(kEip1559Signed))->hash),
      "0x86e99095e351f5f432954550b3ce1794d46e3bc71b11ae289b94b4ffc087ed4f");
}

TEST(TransactionTest, PreEip155LegacyDecodesWithChainZero) {
  Transaction tx = Eip155Example();
  tx.chain_id = 0;
  RecoverableSignature sig = *SignDigest(Key46(), tx.SigningHash());
  Bytes raw = tx.EncodeSigned(sig);
  SignedTransaction s = *DecodeSigned(raw);
  EXPECT_TRUE(s.tx.chain_id.IsZero());
  EXPECT_EQ(s.from, *AddressOf(Key46()));
  EXPECT_EQ(s.tx.EncodeSigned(s.signature), raw);
}

TEST(TransactionTest, DecodeRejectsGarbageTruncatedAndWrongType) {
  Bytes legacy = *FromHex(kEip155Signed);
  Bytes typed = *FromHex(kEip1559Signed);
  EXPECT_FALSE(DecodeSigned({}).ok());
  EXPECT_FALSE(DecodeSigned(*FromHex("0xdeadbeef")).ok());
  EXPECT_FALSE(DecodeSigned(*FromHex("0xc0")).ok());
  for (size_t cut : {1, 10, 50}) {
    EXPECT_FALSE(
        DecodeSigned(ByteView(legacy).subspan(0, legacy.size() - cut)).ok());
    EXPECT_FALSE(
        DecodeSigned(ByteView(typed).subspan(0, typed.size() - cut)).ok());
  }
  // Same bytes with a corrupted r that is not the x of any curve point.
  EXPECT_FALSE(
      DecodeSigned(
          *FromHex(
              "0xf86c098504a817c80082520894353535353535353535353535353535353535"
              "3535880de0b6b3a76400008025a028ef61340cd1ef4b8b3e4c53c6e2d64fff4b"
              "6a2aa3e7fdbe89a3e4c6e1c5b0f9a067cbe9d8997f761aecb703304b3800ccf5"
              "55c9f3dc64214b297fb1966a3b6d83"))
          .ok());
  Bytes trailing = legacy;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeSigned(trailing).ok());
  Bytes type1 = typed;
  type1[0] = 0x01;
  absl::StatusOr<SignedTransaction> wrong_type = DecodeSigned(type1);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(std::string(wrong_type.status().message()).find("type"),
            std::string::npos);
  Bytes type3 = typed;
  type3[0] = 0x03;
  EXPECT_FALSE(DecodeSigned(type3).ok());
  // A legacy body behind a type-2 prefix has the wrong field count.
  Bytes mixed = legacy;
  mixed.insert(mixed.begin(), 0x02);
  EXPECT_FALSE(DecodeSigned(mixed).ok());
}

TEST(TransactionTest, DecodeRejectsBadSignatureFields) {
  Transaction tx = Eip155Example();
  RecoverableSignature sig = *SignDigest(Key46(), tx.SigningHash());
  // High s (n - s) is the malleable twin and must be refused.
  U256 n = *U256::FromHex(
      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  RecoverableSignature high = sig;
  high.s = (n - *U256::FromBytesBE(sig.s)).ToBytesBE();
  high.recovery_id ^= 1;
  EXPECT_FALSE(DecodeSigned(tx.EncodeSigned(high)).ok());
  RecoverableSignature zero_r = sig;
  zero_r.r = {};
  EXPECT_FALSE(DecodeSigned(tx.EncodeSigned(zero_r)).ok());
  // v = 36 would mean chain id 0 under EIP-155.
  Transaction chain0 = tx;
  chain0.chain_id = 0;
  Bytes raw = tx.EncodeSigned(sig);
  Bytes bad_v = raw;
  // v is the byte 0x25 (37) just before the r prefix 0xa0.
  for (size_t i = 0; i + 1 < bad_v.size(); ++i)
    if (bad_v[i] == 0x25 && bad_v[i + 1] == 0xa0) {
      bad_v[i] = 0x1d;  // 29: neither 27/28 nor >= 37
      break;
    }
  EXPECT_FALSE(DecodeSigned(bad_v).ok());
}

TEST(TransactionTest, ValidateNamesTheField) {
  auto error = [](const Transaction& tx) {
    return std::string(tx.Validate().message());
  };
  Transaction tx = Eip1559Example();
  tx.chain_id = 0;
  EXPECT_NE(error(tx).find("chainId"), std::string::npos);
  tx = Eip1559Example();
  tx.max_priority_fee_per_gas = tx.max_fee_per_gas + 1;
  EXPECT_NE(error(tx).find("maxPriorityFeePerGas"), std::string::npos);
  tx = Eip1559Example();
  tx.gas_price = 1;
  EXPECT_NE(error(tx).find("gasPrice"), std::string::npos);
  tx = Eip155Example();
  tx.max_fee_per_gas = 1;
  EXPECT_NE(error(tx).find("maxFeePerGas"), std::string::npos);
  tx = Eip155Example();
  tx.data.resize(Transaction::kMaxDataBytes + 1);
  EXPECT_NE(error(tx).find("data"), std::string::npos);
  tx = Eip155Example();
  tx.gas = 0;
  EXPECT_NE(error(tx).find("gas"), std::string::npos);
  tx = Eip155Example();
  tx.gas_price = 0;  // Bellecour runs with free gas
  EXPECT_TRUE(tx.Validate().ok());
}

TEST(TransactionTest, JsonRoundTrip) {
  for (const Transaction& tx : {Eip155Example(), Eip1559Example()}) {
    json j = TransactionToJson(tx);
    absl::StatusOr<Transaction> back = TransactionFromJson(j);
    ASSERT_TRUE(back.ok()) << back.status() << " " << j.dump();
    ExpectSameTx(*back, tx);
  }
  json j = TransactionToJson(Eip155Example());
  EXPECT_EQ(j["type"], 0);
  EXPECT_EQ(j["gasPrice"], "20000000000");
  EXPECT_EQ(j["to"], "0x3535353535353535353535353535353535353535");
  EXPECT_EQ(j["data"], "0x");
}

TEST(TransactionTest, JsonAcceptsHexIntegersAndDefaults) {
  absl::StatusOr<Transaction> tx = TransactionFromJson(json::parse(R"({
    "chainId": 134, "nonce": "0x9", "gas": "21000", "gasPrice": 0
  })"));
  ASSERT_TRUE(tx.ok()) << tx.status();
  EXPECT_EQ(tx->type, Transaction::Type::kLegacy);
  EXPECT_EQ(tx->nonce, U256(9));
  EXPECT_FALSE(tx->to.has_value());
  EXPECT_TRUE(tx->data.empty());
  EXPECT_TRUE(tx->value.IsZero());
  absl::StatusOr<Transaction> t2 = TransactionFromJson(json::parse(R"({
    "type": 2, "chainId": "1", "nonce": 0, "to": null, "data": "0x6000",
    "gas": 53000, "maxFeePerGas": "1", "maxPriorityFeePerGas": "0x1"
  })"));
  ASSERT_TRUE(t2.ok()) << t2.status();
  EXPECT_EQ(t2->type, Transaction::Type::kEip1559);
}

TEST(TransactionTest, JsonRejectsNamingTheField) {
  auto error = [](std::string_view text) {
    absl::StatusOr<Transaction> tx = TransactionFromJson(json::parse(text));
    EXPECT_FALSE(tx.ok()) << text;
    return tx.ok() ? std::string() : std::string(tx.status().message());
  };
  auto has = [](const std::string& m, std::string_view part) {
    return m.find(part) != std::string::npos;
  };
  EXPECT_TRUE(
      has(error(R"({"chainId":1,"nonce":0,"gas":1,"gasPrice":1,"gasLimit":1})"),
          "gasLimit"));
  EXPECT_TRUE(has(error(R"({"nonce":0,"gas":1,"gasPrice":1})"), "chainId"));
  EXPECT_TRUE(has(error(R"({"chainId":1,"gas":1,"gasPrice":1})"), "nonce"));
  EXPECT_TRUE(has(error(R"({"chainId":1,"nonce":0,"gas":1})"), "gasPrice"));
  EXPECT_TRUE(has(
      error(R"({"chainId":1,"nonce":0,"gas":1,"gasPrice":1,"maxFeePerGas":1})"),
      "gasPrice"));
  EXPECT_TRUE(
      has(error(R"({"type":2,"chainId":1,"nonce":0,"gas":1,"gasPrice":1})"),
          "type"));
  EXPECT_TRUE(has(
      error(
          R"({"type":0,"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1,"maxPriorityFeePerGas":1})"),
      "type"));
  EXPECT_TRUE(
      has(error(R"({"type":1,"chainId":1,"nonce":0,"gas":1,"gasPrice":1})"),
          "type"));
  EXPECT_TRUE(has(error(R"({"chainId":1,"nonce":0,"gas":1,"maxFeePerGas":1})"),
                  "maxPriorityFeePerGas"));
  EXPECT_TRUE(
      has(error(R"({"chainId":1,"nonce":-1,"gas":1,"gasPrice":1})"), "nonce"));
  EXPECT_TRUE(
      has(error(R"({"chainId":1,"nonce":1.5,"gas":1,"gasPrice":1})"), "nonce"));
  EXPECT_TRUE(has(error(R"({"chainId":1,"nonce":"abc","gas":1,"gasPrice":1})"),
                  "nonce"));
  EXPECT_TRUE(
      has(error(R"({"chainId":1,"nonce":0,"gas":1,"gasPrice":1,"to":"0x12"})"),
          "to"));
  EXPECT_TRUE(
      has(error(R"({"chainId":1,"nonce":0,"gas":1,"gasPrice":1,"data":"0xz"})"),
          "data"));
  EXPECT_TRUE(
      has(error(R"({"chainId":0,"nonce":0,"gas":1,"gasPrice":1})"), "chainId"));
  EXPECT_TRUE(has(error(R"([1,2])"), "object"));
}

}  // namespace
}  // namespace poolops::eth
