#include "libs/eth/abi.h"

#include "gtest/gtest.h"
#include "libs/eth/hex.h"

namespace poolops::eth::abi {
namespace {

std::vector<Type> Types(std::initializer_list<std::string_view> texts) {
  std::vector<Type> out;
  for (std::string_view t : texts) {
    absl::StatusOr<Type> parsed = ParseType(t);
    EXPECT_TRUE(parsed.ok()) << t << ": " << parsed.status();
    out.push_back(parsed.value_or(Type()));
  }
  return out;
}

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }
Value U(uint64_t v) { return Value::Uint(v); }

// Decodes the call body and re-encodes it: must reproduce the input.
void ExpectDecodeRoundTrip(const std::vector<Type>& types, const Bytes& call) {
  ByteView body = ByteView(call).subspan(4);
  absl::StatusOr<std::vector<Value>> decoded = Decode(types, body);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  absl::StatusOr<Bytes> again = Encode(types, *decoded);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, Bytes(body.begin(), body.end()));
}

// Examples from the Solidity ABI specification.
TEST(AbiTest, SpecBaz) {
  Bytes call = *EncodeCall("baz(uint32,bool)", {U(69), Value::Bool(true)});
  EXPECT_EQ(ToHex(call),
            "0xcdcd77c0"
            "0000000000000000000000000000000000000000000000000000000000000045"
            "0000000000000000000000000000000000000000000000000000000000000001");
  ExpectDecodeRoundTrip(Types({"uint32", "bool"}), call);
  std::vector<Value> v =
      *Decode(Types({"uint32", "bool"}), ByteView(call).subspan(4));
  EXPECT_EQ(std::get<U256>(v[0].v), U256(69));
  EXPECT_TRUE(std::get<bool>(v[1].v));
}

TEST(AbiTest, SpecSam) {
  Bytes call = *EncodeCall("sam(bytes,bool,uint256[])",
                           {Value::Blob(B("dave")), Value::Bool(true),
                            Value::List({U(1), U(2), U(3)})});
  EXPECT_EQ(ToHex(call),
            "0xa5643bf2"
            "0000000000000000000000000000000000000000000000000000000000000060"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "00000000000000000000000000000000000000000000000000000000000000a0"
            "0000000000000000000000000000000000000000000000000000000000000004"
            "6461766500000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000003");
  std::vector<Type> types = Types({"bytes", "bool", "uint256[]"});
  ExpectDecodeRoundTrip(types, call);
  std::vector<Value> v = *Decode(types, ByteView(call).subspan(4));
  EXPECT_EQ(std::get<Bytes>(v[0].v), B("dave"));
  EXPECT_EQ(std::get<std::vector<Value>>(v[2].v).size(), 3u);
}

TEST(AbiTest, SpecF) {
  Bytes call = *EncodeCall(
      "f(uint256,uint32[],bytes10,bytes)",
      {U(0x123), Value::List({U(0x456), U(0x789)}),
       Value::Blob(B("1234567890")), Value::Blob(B("Hello, world!"))});
  EXPECT_EQ(ToHex(call),
            "0x8be65246"
            "0000000000000000000000000000000000000000000000000000000000000123"
            "0000000000000000000000000000000000000000000000000000000000000080"
            "3132333435363738393000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000e0"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000456"
            "0000000000000000000000000000000000000000000000000000000000000789"
            "000000000000000000000000000000000000000000000000000000000000000d"
            "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
  ExpectDecodeRoundTrip(Types({"uint256", "uint32[]", "bytes10", "bytes"}),
                        call);
}

TEST(AbiTest, SpecG) {
  Bytes call = *EncodeCall(
      "g(uint256[][],string[])",
      {Value::List({Value::List({U(1), U(2)}), Value::List({U(3)})}),
       Value::List(
           {Value::Str("one"), Value::Str("two"), Value::Str("three")})});
  EXPECT_EQ(ToHex(call),
            "0x2289b18c"
            "0000000000000000000000000000000000000000000000000000000000000040"
            "0000000000000000000000000000000000000000000000000000000000000140"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000040"
            "00000000000000000000000000000000000000000000000000000000000000a0"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "0000000000000000000000000000000000000000000000000000000000000060"
            "00000000000000000000000000000000000000000000000000000000000000a0"
            "00000000000000000000000000000000000000000000000000000000000000e0"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "6f6e650000000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000003"
            "74776f0000000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000005"
            "7468726565000000000000000000000000000000000000000000000000000000");
  std::vector<Type> types = Types({"uint256[][]", "string[]"});
  ExpectDecodeRoundTrip(types, call);
  std::vector<Value> v = *Decode(types, ByteView(call).subspan(4));
  const auto& strings = std::get<std::vector<Value>>(v[1].v);
  EXPECT_EQ(std::get<std::string>(strings[2].v), "three");
}

// Tuples, signed ints, fixed arrays of dynamic tuples; expected from ethers v6.
TEST(AbiTest, TuplesAndSignedMatchEthers) {
  std::vector<Type> types = Types({"(address,uint256,bytes)[]", "int8",
                                   "int256", "uint8[2]", "(bool,string)[2]"});
  Address who = *Address::Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  U256 minus_one = U256::Max();
  U256 minus_123456789 = U256(0) - U256(123456789);
  std::vector<Value> values = {
      Value::List({Value::List({Value::Addr(who), U(5), Value::Blob({1, 2})})}),
      Value::Uint(minus_one), Value::Uint(minus_123456789),
      Value::List({U(1), U(2)}),
      Value::List({Value::List({Value::Bool(true), Value::Str("x")}),
                   Value::List({Value::Bool(false), Value::Str("")})})};
  Bytes encoded = *Encode(types, values);
  EXPECT_EQ(ToHex(encoded),
            "0x"
            "00000000000000000000000000000000000000000000000000000000000000c0"
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffff8a432eb"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "00000000000000000000000000000000000000000000000000000000000001a0"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000020"
            "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
            "0000000000000000000000000000000000000000000000000000000000000005"
            "0000000000000000000000000000000000000000000000000000000000000060"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0102000000000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000040"
            "00000000000000000000000000000000000000000000000000000000000000c0"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000040"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "7800000000000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000000"
            "0000000000000000000000000000000000000000000000000000000000000040"
            "0000000000000000000000000000000000000000000000000000000000000000");
  absl::StatusOr<std::vector<Value>> decoded = Decode(types, encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*Encode(types, *decoded), encoded);
  EXPECT_EQ(std::get<U256>((*decoded)[1].v), minus_one);
}

TEST(AbiTest, ParseTypeCanonicalForms) {
  EXPECT_EQ(ParseType("uint")->ToString(), "uint256");
  EXPECT_EQ(ParseType("int")->ToString(), "int256");
  EXPECT_EQ(ParseType("((address,uint),uint8,bytes)[3][]")->ToString(),
            "((address,uint256),uint8,bytes)[3][]");
  EXPECT_EQ(ParseType("bytes32")->kind, Type::Kind::kFixedBytes);
  EXPECT_TRUE(ParseType("string[2]")->IsDynamic());
  EXPECT_FALSE(ParseType("(uint8,bytes4)[2]")->IsDynamic());
  EXPECT_TRUE(ParseType("(uint8,bytes)")->IsDynamic());
  for (const char* bad :
       {"", "uint7", "uint264", "uint0", "int08", "bytes0", "bytes33", "foo",
        "uint256[", "uint256[0]", "uint256[x]", "(uint256", "(uint256,)",
        "uint256 ", "address[01]", "(,)", "uint256[99999999999999999999]"})
    EXPECT_FALSE(ParseType(bad).ok()) << bad;
  std::string deep(40, '(');
  deep += "uint8" + std::string(40, ')');
  EXPECT_FALSE(ParseType(deep).ok());
}

TEST(AbiTest, SelectorAndCanonicalSignature) {
  std::array<uint8_t, 4> sel = Selector("transfer(address,uint256)");
  EXPECT_EQ(ToHex(sel), "0xa9059cbb");
  Bytes call =
      *EncodeCall("transfer(address,uint)", {Value::Addr(Address()), U(1)});
  EXPECT_EQ(ToHex(ByteView(call).subspan(0, 4)), "0xa9059cbb");
  EXPECT_EQ(ToHex(*EncodeCall("owner()", {})), "0x8da5cb5b");
  EXPECT_FALSE(EncodeCall("owner", {}).ok());
  EXPECT_FALSE(EncodeCall("(uint256)", {U(1)}).ok());
  EXPECT_FALSE(EncodeCall("f(uint256)[]", {U(1)}).ok());
}

TEST(AbiTest, EncodeRejectsMismatches) {
  auto err = [](std::initializer_list<std::string_view> t,
                std::vector<Value> v) {
    absl::StatusOr<Bytes> out = Encode(Types(t), v);
    EXPECT_FALSE(out.ok());
    return out.ok() ? std::string() : std::string(out.status().message());
  };
  EXPECT_NE(err({"uint8"}, {U(256)}).find("argument[0]"), std::string::npos);
  EXPECT_NE(
      err({"bool", "address"}, {Value::Bool(true), U(1)}).find("argument[1]"),
      std::string::npos);
  err({"uint256"}, {});
  err({"bytes4"}, {Value::Blob({1, 2, 3})});
  err({"string"}, {Value::Blob({1})});
  err({"uint256[2]"}, {Value::List({U(1)})});
  err({"(uint256,bool)"}, {Value::List({U(1)})});
  err({"int8"}, {U(128)});                            // not sign-extended
  err({"int8"}, {Value::Uint(U256(0) - U256(129))});  // below -128
  EXPECT_TRUE(Encode(Types({"int8"}), {Value::Uint(U256(0) - U256(128))}).ok());
  EXPECT_TRUE(Encode(Types({"int8"}), {U(127)}).ok());
  EXPECT_TRUE(Encode(Types({"uint8"}), {U(255)}).ok());
}

Bytes Word(std::string_view hex_tail) {
  std::string h(64 - hex_tail.size(), '0');
  h += hex_tail;
  return *FromHex(h);
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A large static tuple before a dynamic value: the heads are 4 words, not
// 2 x 3 (found by abi_fuzz).
TEST(AbiTest, DecodesAStaticTupleBeforeADynamicValue) {
  std::vector<Type> types = {*ParseType("(address,bytes8,bytes1)"),
                             *ParseType("bytes")};
  std::vector<Value> values = {
      Value::List({Value::Addr(Address()), Value::Blob(Bytes(8, 0)),
                   Value::Blob(Bytes(1, 0))}),
      Value::Blob({})};
  absl::StatusOr<Bytes> encoded = Encode(types, values);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(encoded->size(), 160u);
  absl::StatusOr<std::vector<Value>> back = Decode(types, *encoded);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*Encode(types, *back), *encoded);
  // One byte short is still refused.
  Bytes cut(encoded->begin(), encoded->end() - 1);
  EXPECT_FALSE(Decode(types, cut).ok());
}

TEST(AbiTest, DecodeRejectsHostileInput) {
  auto rejected = [](std::initializer_list<std::string_view> t,
                     const Bytes& data) {
    return !Decode(Types(t), data).ok();
  };
  EXPECT_TRUE(rejected({"uint256"}, Bytes(31)));      // short
  EXPECT_TRUE(rejected({"uint8"}, Word("100")));      // dirty bits
  EXPECT_TRUE(rejected({"int8"}, Word("80")));        // not sign-extended
  EXPECT_FALSE(rejected({"int8"}, Bytes(32, 0xff)));  // -1
  EXPECT_TRUE(rejected({"bool"}, Word("2")));
  EXPECT_TRUE(rejected({"address"}, Word("1" + std::string(40, '0'))));
  EXPECT_TRUE(
      rejected({"bytes2"}, *FromHex("0102" + std::string(58, '0') + "01")));
  EXPECT_TRUE(rejected({"bytes"}, Word("40")));  // offset past end
  EXPECT_TRUE(
      rejected({"bytes"}, Cat({Word("20"), Word("21")})));  // length past end
  EXPECT_TRUE(rejected({"bytes"},
                       Cat({Word("20"), Word("1"), Word("0101")})));  // padding
  EXPECT_TRUE(
      rejected({"bytes"}, Cat({Word("20"), Bytes(32, 0xff)})));  // huge length
  EXPECT_TRUE(rejected({"bytes"}, Bytes(32, 0xff)));             // huge offset
  EXPECT_TRUE(rejected({"uint256[]"}, Cat({Word("20"), Word("ffffffff")})));
  EXPECT_TRUE(rejected({"uint256[100]"}, Bytes(64)));
  EXPECT_FALSE(rejected({"bytes"}, Cat({Word("20"), Word("1"),
                                        Word("01" + std::string(62, '0'))})));
}

// Offsets that all alias one array would decode to n^k values from O(n)
// bytes; the element budget must stop that.
TEST(AbiTest, DecodeBoundsAliasedExpansion) {
  const uint64_t n = 200;
  Hash32 len = U256(n).ToBytesBE();
  Hash32 offset = U256(32 * n).ToBytesBE();  // skips the n offset words
  Bytes data = Word("20");
  for (int level = 0; level < 2; ++level) {  // outer, then middle array
    data.insert(data.end(), len.begin(), len.end());
    for (uint64_t i = 0; i < n; ++i)
      data.insert(data.end(), offset.begin(), offset.end());
  }
  data.insert(data.end(), len.begin(), len.end());  // inner uint256[n]
  data.resize(data.size() + 32 * n, 0);
  absl::StatusOr<std::vector<Value>> v = Decode(Types({"uint256[][][]"}), data);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(std::string(v.status().message()).find("size limit"),
            std::string::npos)
      << v.status();
}

TEST(AbiTest, EmptyTuplesAreRefused) {
  // An empty tuple takes no bytes: an array of them could decode to any
  // number of values from a few bytes.
  EXPECT_FALSE(ParseType("()").ok());
  EXPECT_FALSE(ParseType("()[]").ok());
  EXPECT_FALSE(ParseType("(uint8,())").ok());
  Type empty;
  empty.kind = Type::Kind::kTuple;
  Type array;
  array.kind = Type::Kind::kArray;
  array.children.push_back(empty);
  EXPECT_FALSE(Decode({array}, Cat({Word("20"), Word("ff")})).ok());
  EXPECT_TRUE(Decode({}, Bytes()).ok());
  EXPECT_FALSE(Encode({empty}, {Value::List({})}).ok());
  Type no_element;
  no_element.kind = Type::Kind::kFixedArray;
  EXPECT_FALSE(Encode({no_element}, {Value::List({})}).ok());
  EXPECT_FALSE(Decode({no_element}, Bytes(64)).ok());
}

TEST(AbiTest, NestingIsCapped) {
  std::string deep = "uint8";
  for (int i = 0; i < 20; ++i) deep = "(" + deep + ")[1]";  // 40 levels
  EXPECT_FALSE(ParseType(deep).ok());
  std::string ok = "uint8";
  for (int i = 0; i < 10; ++i) ok = "(" + ok + ")[1]";
  EXPECT_TRUE(ParseType(ok).ok());
}

}  // namespace
}  // namespace poolops::eth::abi
