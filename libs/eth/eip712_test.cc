#include "libs/eth/eip712.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/eth/hex.h"
#include "libs/eth/keccak.h"
#include "libs/eth/secp256k1.h"
#include "nlohmann/json.hpp"

namespace poolops::eth::eip712 {
namespace {

using json = nlohmann::json;

std::string H(const Hash32& h) { return ToHex(h); }

// The "Ether Mail" example from EIP-712.
json EtherMail() {
  return json::parse(R"({
    "types": {
      "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"}],
      "Person": [
        {"name": "name", "type": "string"},
        {"name": "wallet", "type": "address"}],
      "Mail": [
        {"name": "from", "type": "Person"},
        {"name": "to", "type": "Person"},
        {"name": "contents", "type": "string"}]
    },
    "primaryType": "Mail",
    "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
               "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
    "message": {
      "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
      "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
      "contents": "Hello, Bob!"
    }
  })");
}

TEST(Eip712Test, EtherMailDigestAndSignature) {
  absl::StatusOr<Digests> d = HashTypedData(EtherMail());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(
      H(d->domain_separator),
      "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
  EXPECT_EQ(
      H(d->struct_hash),
      "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
  EXPECT_EQ(
      H(d->digest),
      "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
  EXPECT_EQ(d->primary_type, "Mail");
  EXPECT_EQ(d->domain.name, "Ether Mail");
  EXPECT_EQ(d->domain.version, "1");
  EXPECT_EQ(d->domain.chain_id, "1");
  EXPECT_EQ(d->domain.verifying_contract,
            "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC");

  Hash32 key = Keccak(std::string_view("cow"));
  RecoverableSignature sig = *SignDigest(key, d->digest);
  EXPECT_EQ(sig.recovery_id + 27, 28);
  EXPECT_EQ(
      ToHex(sig.r),
      "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d");
  EXPECT_EQ(
      ToHex(sig.s),
      "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562");
  EXPECT_EQ(RecoverAddress(d->digest, sig.ToRsv())->ToChecksum(),
            "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
}

TEST(Eip712Test, EncodeTypeSortsDependencies) {
  json j = EtherMail();
  EXPECT_EQ(*EncodeType(j["types"], "Mail"),
            "Mail(Person from,Person to,string contents)Person(string "
            "name,address wallet)");
  EXPECT_FALSE(EncodeType(j["types"], "Nope").ok());
}

TEST(Eip712Test, DomainTypeDerivedWhenAbsent) {
  json j = EtherMail();
  j["types"].erase("EIP712Domain");
  absl::StatusOr<Digests> d = HashTypedData(j);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(
      H(d->digest),
      "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
  // Key order in the JSON does not matter; the canonical order is used.
  json reordered = j;
  reordered["domain"] = json::parse(
      R"({"verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
          "chainId": "0x1", "version": "1", "name": "Ether Mail"})");
  EXPECT_EQ(HashTypedData(reordered)->digest, d->digest);
  json unknown = j;
  unknown["domain"]["color"] = "red";
  absl::StatusOr<Digests> bad = HashTypedData(unknown);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("domain.color"),
            std::string::npos);
}

// Workerpool order JSON per PROTOCOL §D.1/§D.2 and vectors from §F.2.
std::string WorkerpoolOrder(int chain_id, std::string_view hub) {
  return R"({
    "types": {
      "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"}],
      "WorkerpoolOrder": [
        {"name": "workerpool", "type": "address"},
        {"name": "workerpoolprice", "type": "uint256"},
        {"name": "volume", "type": "uint256"},
        {"name": "tag", "type": "bytes32"},
        {"name": "category", "type": "uint256"},
        {"name": "trust", "type": "uint256"},
        {"name": "apprestrict", "type": "address"},
        {"name": "datasetrestrict", "type": "address"},
        {"name": "requesterrestrict", "type": "address"},
        {"name": "salt", "type": "bytes32"}]
    },
    "primaryType": "WorkerpoolOrder",
    "domain": {"name": "iExecODB", "version": "5.0.0", "chainId": )" +
         std::to_string(chain_id) + R"(, "verifyingContract": ")" +
         std::string(hub) +
         R"("},
    "message": {
      "workerpool": "0x01a7015B8F7C437A945dCDd84E9Dd9ad647bc1Db",
      "workerpoolprice": "1000", "volume": "5",
      "tag": "0x0000000000000000000000000000000000000000000000000000000000000003",
      "category": "0", "trust": "0",
      "apprestrict": "0x0000000000000000000000000000000000000000",
      "datasetrestrict": "0x0000000000000000000000000000000000000000",
      "requesterrestrict": "0x0000000000000000000000000000000000000000",
      "salt": "0x1111111111111111111111111111111111111111111111111111111111111111"
    }
  })";
}

constexpr char kOwnerKey[] =
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

std::string SignHex(const Hash32& digest) {
  Bytes key = *FromHexFixed(kOwnerKey, 32);
  return ToHex(SignDigest(key, digest)->ToRsv());
}

TEST(Eip712Test, WorkerpoolOrderBellecour) {
  absl::StatusOr<Digests> d = HashTypedDataJson(
      WorkerpoolOrder(134, "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(
      H(d->struct_hash),
      "0x70fe9fb70a6c745bc1e4744c4112c4af4a54a88323e89df8651bf1a127641ee1");
  EXPECT_EQ(
      H(d->domain_separator),
      "0xf2cbd98a556869939d25b73c3fa68ba45f19932f8c9a06f744c98290ed9ef860");
  EXPECT_EQ(
      H(d->digest),
      "0x0efc05f72f5ca5d3fd7937bfc6ec4541a2356eb1ebfd95447149e62aee65427e");
  EXPECT_EQ(
      SignHex(d->digest),
      "0x125c7dd4d439ddf4071f0bcde3f6fa1819c7bbb5a0efb60f52098df22000dfee"
      "63ee5aa28dc5194072e9f73e325bf4d16c16b4c73f628957c8b11996e564bada1b");
  EXPECT_EQ(d->domain.chain_id, "134");
}

TEST(Eip712Test, WorkerpoolOrderDevnet) {
  absl::StatusOr<Digests> d = HashTypedDataJson(
      WorkerpoolOrder(65535, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(
      H(d->struct_hash),
      "0x70fe9fb70a6c745bc1e4744c4112c4af4a54a88323e89df8651bf1a127641ee1");
  EXPECT_EQ(
      H(d->domain_separator),
      "0x43b39b9bae4626586b43f564008fb47d1abf9a99821dac41d1d2bc443b34d8cd");
  EXPECT_EQ(
      H(d->digest),
      "0x71e55ea2e6e16cb0957a6ba82b1604a3820240487fc287ecdf9f490ab1f5c0c0");
  EXPECT_EQ(
      SignHex(d->digest),
      "0x85d59b08d31b369f6f8c8bbf55266e3ed2b43fd63bbda49e13928f7b12993615"
      "677fcff53b2a3f2191d00231bae59c4c5aeb291714ec9d3bc22c30d4156cfb8c1c");
  EXPECT_EQ(d->domain.verifying_contract,
            "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
}

TEST(Eip712Test, WorkerpoolOrderTypeHashes) {
  json j = json::parse(
      WorkerpoolOrder(134, "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"));
  EXPECT_EQ(
      H(Keccak(*EncodeType(j["types"], "WorkerpoolOrder"))),
      "0xaa3429fb281b34691803133d3d978a75bb77c617ed6bc9aa162b9b30920022bb");
  EXPECT_EQ(
      H(Keccak(*EncodeType(j["types"], "EIP712Domain"))),
      "0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f");
  // The close operation wraps the order (PROTOCOL §F.2 operation digest).
  json op = j;
  op["domain"]["chainId"] = 65535;
  op["domain"]["verifyingContract"] =
      "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
  op["types"]["WorkerpoolOrderOperation"] = json::parse(
      R"([{"name": "order", "type": "WorkerpoolOrder"},
          {"name": "operation", "type": "uint256"}])");
  op["primaryType"] = "WorkerpoolOrderOperation";
  op["message"] = json{{"order", j["message"]}, {"operation", 1}};
  EXPECT_EQ(
      H(Keccak(*EncodeType(op["types"], "WorkerpoolOrderOperation"))),
      "0x322d980b7d7a6a1f7c39ff0c5445da6ae1d8e0393ff0dd468c8be3e2c8644388");
  absl::StatusOr<Digests> d = HashTypedData(op);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(
      H(d->digest),
      "0x79b08c4326f07e7de719d0c5a210a6aaeb6fa0fea30d5ebfa5f97a0ec8a46a78");
}

// Market challenge per PROTOCOL §D.5 and vector §F.3.
TEST(Eip712Test, MarketAuthChallenge) {
  absl::StatusOr<Digests> d = HashTypedDataJson(R"({
    "types": {
      "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"}],
      "Challenge": [{"name": "challenge", "type": "string"}]
    },
    "domain": {"name": "iExec Gateway", "version": "1", "chainId": "134"},
    "primaryType": "Challenge",
    "message": {"challenge": "Sign this message to log into iExec Gateway: abcdefghijklmnopqrstuvwxyz012345"}
  })");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(
      H(d->digest),
      "0xc5ee7fb42e0da8066e9bb45484d32d97aef9278dd6246c83184a29d6e0526148");
  EXPECT_EQ(
      SignHex(d->digest),
      "0xebec90a2a38d02391e03315d0593c7891cb7f94754274ac4a728dcbaab07a06c"
      "04a95b17c6bb05a36ad622d92c22c20090edc232c22eedad05b28bdcb922e7311c");
  EXPECT_EQ(d->domain.verifying_contract, "");
  EXPECT_EQ(d->domain.chain_id, "134");
}

// Arrays of structs, nested arrays, bytes, bytesN, signed ints, salt domain;
// expected values from ethers v6 TypedDataEncoder.
constexpr char kComplex[] = R"({
  "types": {
    "Item": [{"name": "id", "type": "int16"}, {"name": "blob", "type": "bytes"},
             {"name": "flags", "type": "bool[2]"}],
    "Bag": [{"name": "owner", "type": "address"}, {"name": "items", "type": "Item[]"},
            {"name": "grid", "type": "uint8[][]"}, {"name": "label", "type": "string"},
            {"name": "small", "type": "bytes4"}, {"name": "neg", "type": "int256"}]
  },
  "primaryType": "Bag",
  "domain": {"name": "Test", "chainId": 1,
             "salt": "0xabababababababababababababababababababababababababababababababab"},
  "message": {
    "owner": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "items": [{"id": -300, "blob": "0x", "flags": [true, false]},
              {"id": "32767", "blob": "0xdeadbeef", "flags": [false, false]}],
    "grid": [[1, "0x2"], [], [255]],
    "label": "h\u00e9llo",
    "small": "0x01020304",
    "neg": "-57896044618658097711785492504343953926634992332820282019728792003956564819968"
  }
})";

TEST(Eip712Test, ComplexTypesMatchEthers) {
  absl::StatusOr<Digests> d = HashTypedDataJson(kComplex);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(
      H(d->domain_separator),
      "0x38bc87d79a1fb73a52a70509bb2984a14c5ce8a75dbb61d9fe95cebf86433478");
  EXPECT_EQ(
      H(d->struct_hash),
      "0xb7c590641d432011face876328abf0d4d05a25e702dc273273fe025aa05a4a2d");
  EXPECT_EQ(
      H(d->digest),
      "0x6b65ffff8e1d654dccd60c3aac0077eee6474221e25de59df03125adc4eacd80");
  EXPECT_EQ(*EncodeType(json::parse(kComplex)["types"], "Bag"),
            "Bag(address owner,Item[] items,uint8[][] grid,string label,bytes4 "
            "small,int256 neg)Item(int16 id,bytes blob,bool[2] flags)");
}

std::string ErrorOf(const json& j) {
  absl::StatusOr<Digests> d = HashTypedData(j);
  EXPECT_FALSE(d.ok());
  if (d.ok()) return "";
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(d.status().message());
}

TEST(Eip712Test, RejectsBadValuesNamingTheField) {
  json base = json::parse(kComplex);
  auto with = [&](const std::string& pointer, json value) {
    json j = base;
    j[json::json_pointer(pointer)] = std::move(value);
    return ErrorOf(j);
  };
  auto has = [](const std::string& msg, std::string_view part) {
    return msg.find(part) != std::string::npos;
  };
  EXPECT_TRUE(has(with("/message/items/0/id", 32768), "message.items[0].id"));
  EXPECT_TRUE(has(with("/message/items/0/id", "-32769"), "out of range"));
  EXPECT_TRUE(has(with("/message/grid/0/0", 256), "message.grid[0][0]"));
  EXPECT_TRUE(has(with("/message/grid/0/0", -1), "negative"));
  EXPECT_TRUE(has(with("/message/grid/0/0", 1.5), "integer"));
  EXPECT_TRUE(has(with("/message/grid/0/0", "1e3"), "grid"));
  EXPECT_TRUE(
      has(with("/message/items/0/flags", json::array({true})), "expected 2"));
  EXPECT_TRUE(has(with("/message/items/0/flags/0", 1), "true or false"));
  EXPECT_TRUE(has(with("/message/small", "0x010203"), "expected 4 bytes"));
  EXPECT_TRUE(has(with("/message/small", "01020304"), "0x-hex"));
  EXPECT_TRUE(has(with("/message/items/1/blob", "0xabc"), "odd"));
  EXPECT_TRUE(
      has(with("/message/owner", "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"),
          "checksum"));
  EXPECT_TRUE(has(with("/message/owner", 5), "message.owner"));
  EXPECT_TRUE(has(with("/message/label", 5), "expected a string"));
  EXPECT_TRUE(has(with("/message/neg",
                       "-578960446186580977117854925043439539266349923328202820"
                       "19728792003956564819969"),
                  "out of range"));
  EXPECT_TRUE(has(with("/message/neg",
                       "5789604461865809771178549250434395392663499233282028201"
                       "9728792003956564819968"),
                  "out of range"));
  EXPECT_TRUE(has(with("/message/items", json::object()), "expected an array"));
  EXPECT_TRUE(has(with("/domain/chainId", -1), "domain.chainId"));
  EXPECT_TRUE(has(with("/domain/salt", "0x01"), "domain.salt"));
  json missing = base;
  missing["message"].erase("label");
  EXPECT_TRUE(has(ErrorOf(missing), "message.label: missing"));
}

TEST(Eip712Test, RejectsBadTypes) {
  json base = json::parse(kComplex);
  auto with_types = [&](json types) {
    json j = base;
    j["types"] = std::move(types);
    return ErrorOf(j);
  };
  json undeclared = base["types"];
  undeclared["Bag"][1]["type"] = "Thing[]";
  EXPECT_NE(with_types(undeclared).find("undeclared"), std::string::npos);
  json cyclic = base["types"];
  cyclic["Item"].push_back({{"name", "bag"}, {"type", "Bag"}});
  EXPECT_NE(with_types(cyclic).find("cyclic"), std::string::npos);
  json self = base["types"];
  self["Item"].push_back({{"name", "next"}, {"type", "Item[]"}});
  EXPECT_NE(with_types(self).find("cyclic"), std::string::npos);
  json dup = base["types"];
  dup["Item"].push_back({{"name", "id"}, {"type", "uint8"}});
  EXPECT_NE(with_types(dup).find("duplicate"), std::string::npos);
  json bad_type = base["types"];
  bad_type["Item"][0]["type"] = "uint7";
  EXPECT_NE(with_types(bad_type).find("uint7"), std::string::npos);
  json bad_array = base["types"];
  bad_array["Item"][0]["type"] = "uint8[x]";
  EXPECT_FALSE(with_types(bad_array).empty());
  EXPECT_FALSE(with_types(json::array()).empty());
  json wrong_primary = base;
  wrong_primary["primaryType"] = "Nope";
  EXPECT_NE(ErrorOf(wrong_primary).find("Nope"), std::string::npos);
  EXPECT_FALSE(HashTypedDataJson("{not json").ok());
  EXPECT_FALSE(HashTypedDataJson("[]").ok());
  EXPECT_FALSE(HashTypedDataJson("{}").ok());
}

TEST(Eip712Test, NumbersAsJsonOrStrings) {
  json a = json::parse(kComplex), b = a, c = a;
  b["message"]["grid"] = json::parse(R"([["1", 2], [], ["0xff"]])");
  c["message"]["items"][1]["id"] = 32767;
  c["domain"]["chainId"] = "1";
  Hash32 expected = HashTypedData(a)->digest;
  EXPECT_EQ(HashTypedData(b)->digest, expected);
  EXPECT_EQ(HashTypedData(c)->digest, expected);
}

TEST(Eip712Test, DeepNestingIsRejectedNotCrashing) {
  json types = json::object();
  for (int i = 0; i < 200; ++i)
    types["T" + std::to_string(i)] =
        json::array({{{"name", "x"}, {"type", "T" + std::to_string(i + 1)}}});
  types["T200"] = json::array({{{"name", "v"}, {"type", "uint8"}}});
  json j = {{"types", types},
            {"primaryType", "T0"},
            {"domain", json::object()},
            {"message", json::object()}};
  EXPECT_FALSE(HashTypedData(j).ok());
  std::string deep_array = "uint8" + std::string(0, ' ');
  for (int i = 0; i < 100; ++i) deep_array += "[]";
  json k = json::parse(kComplex);
  k["types"]["Item"][0]["type"] = deep_array;
  EXPECT_FALSE(HashTypedData(k).ok());
}

TEST(Eip712Test, PersonalMessageDigest) {
  std::string_view hello = "hello";
  EXPECT_EQ(
      H(PersonalMessageDigest(ByteView(
          reinterpret_cast<const uint8_t*>(hello.data()), hello.size()))),
      "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750");
}

}  // namespace
}  // namespace poolops::eth::eip712
