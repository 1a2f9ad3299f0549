#include "libs/ethrpc/json_rpc_codec.h"

#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "libs/eth/hex.h"

namespace poolops::chain {
namespace {

using nlohmann::json;

// Error(string) with "nope": selector, offset 0x20, length 4, padded bytes.
constexpr char kNopeRevert[] =
    "0x08c379a0"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "6e6f706500000000000000000000000000000000000000000000000000000000";

TEST(EncodeRequestTest, IsJsonRpc2) {
  json j =
      json::parse(EncodeRequest({"eth_getBalance", {"0xab", "latest"}}, 7));
  EXPECT_EQ(j["jsonrpc"], "2.0");
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["method"], "eth_getBalance");
  EXPECT_EQ(j["params"], json({"0xab", "latest"}));
}

TEST(EncodeBatchTest, NumbersIdsInOrder) {
  json j = json::parse(
      EncodeBatch({{"a", json::array()}, {"b", json::array()}}, 10));
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["id"], 10);
  EXPECT_EQ(j[1]["id"], 11);
  EXPECT_EQ(j[1]["method"], "b");
}

TEST(ParseResponseTest, Result) {
  auto r = ParseResponse(R"({"jsonrpc":"2.0","id":3,"result":"0x1"})", 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<json>(*r), "0x1");
}

TEST(ParseResponseTest, NullResultIsAResult) {
  auto r = ParseResponse(R"({"jsonrpc":"2.0","id":3,"result":null})", 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::get<json>(*r).is_null());
}

TEST(ParseResponseTest, ErrorObject) {
  auto r = ParseResponse(
      R"({"jsonrpc":"2.0","id":3,"error":{"code":-32000,"message":"nonce too low","data":{"x":1}}})",
      3);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& e = std::get<JsonRpcError>(*r);
  EXPECT_EQ(e.code, -32000);
  EXPECT_EQ(e.message, "nonce too low");
  EXPECT_EQ(e.data, json({{"x", 1}}));
}

TEST(ParseResponseTest, ErrorWithNullIdIsAccepted) {
  auto r = ParseResponse(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}})",
      3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<JsonRpcError>(*r).code, -32700);
}

struct BadCase {
  const char* name;
  const char* body;
  const char* expected;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class ParseResponseBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParseResponseBadTest, IsInvalidArgument) {
  auto r = ParseResponse(GetParam().body, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(GetParam().expected), std::string::npos)
      << r.status();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseResponseBadTest,
    ::testing::Values(
        BadCase{"NotJson", "<html>502 Bad Gateway</html>", "not JSON"},
        BadCase{"Empty", "", "not JSON"},
        BadCase{"Truncated", R"({"jsonrpc":"2.0","id":3,"res)", "not JSON"},
        BadCase{"Array", "[]", "not a JSON object"},
        BadCase{"NoVersion", R"({"id":3,"result":1})", "jsonrpc"},
        BadCase{"OldVersion", R"({"jsonrpc":"1.0","id":3,"result":1})",
                "jsonrpc"},
        BadCase{"WrongId", R"({"jsonrpc":"2.0","id":4,"result":1})",
                "does not match"},
        BadCase{"StringId", R"({"jsonrpc":"2.0","id":"3","result":1})",
                "not an integer"},
        BadCase{"FloatId", R"({"jsonrpc":"2.0","id":3.0,"result":1})",
                "not an integer"},
        BadCase{"HugeId",
                R"({"jsonrpc":"2.0","id":18446744073709551615,"result":1})",
                "not an integer"},
        BadCase{"NoId", R"({"jsonrpc":"2.0","result":1})", "no \"id\""},
        BadCase{"NullIdResult", R"({"jsonrpc":"2.0","id":null,"result":1})",
                "null"},
        BadCase{"MissingResult", R"({"jsonrpc":"2.0","id":3})", "neither"},
        BadCase{
            "Both",
            R"({"jsonrpc":"2.0","id":3,"result":1,"error":{"code":1,"message":"x"}})",
            "both"},
        BadCase{"ErrorNotObject", R"({"jsonrpc":"2.0","id":3,"error":"boom"})",
                "not an object"},
        BadCase{
            "ErrorCodeFloat",
            R"({"jsonrpc":"2.0","id":3,"error":{"code":1.5,"message":"x"}})",
            "code"},
        BadCase{"ErrorNoMessage",
                R"({"jsonrpc":"2.0","id":3,"error":{"code":1}})", "message"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ParseResponseTest, RefusesBodiesOverTheCap) {
  std::string body =
      R"({"jsonrpc":"2.0","id":3,"result":")" + std::string(2000, 'a') + "\"}";
  auto r = ParseResponse(body, 3, /*max_bytes=*/1024);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exceeds the cap"), std::string::npos);
}

TEST(ParseResponseTest, RefusesDeepNesting) {
  std::string body = R"({"jsonrpc":"2.0","id":3,"result":)" +
                     std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = ParseResponse(body, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested"), std::string::npos);
}

TEST(ParseBatchResponseTest, ReordersById) {
  auto r = ParseBatchResponse(
      R"([{"jsonrpc":"2.0","id":11,"result":"b"},
          {"jsonrpc":"2.0","id":10,"error":{"code":-32601,"message":"no such method"}}])",
      10, 2);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<JsonRpcError>((*r)[0]).code, -32601);
  EXPECT_EQ(std::get<json>((*r)[1]), "b");
}

TEST(ParseBatchResponseTest, SingleErrorObjectAppliesToAll) {
  auto r = ParseBatchResponse(
      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch too large"}})",
      10, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(std::get<JsonRpcError>((*r)[2]).message, "batch too large");
}

TEST(ParseBatchResponseTest, RejectsDefects) {
  const char* ok1 = R"({"jsonrpc":"2.0","id":10,"result":1})";
  for (std::string body : {
           std::string("[") + ok1 + "]",              // short
           std::string("[") + ok1 + "," + ok1 + "]",  // dup
           std::string("[") + ok1 +
               R"(,{"jsonrpc":"2.0","id":12,"result":1}])",  // foreign
           std::string("[") + ok1 +
               R"(,{"jsonrpc":"2.0","id":11}])",                    // no result
           std::string(R"({"jsonrpc":"2.0","id":10,"result":1})"),  // not array
           std::string("\"x\""),
       }) {
    auto r = ParseBatchResponse(body, 10, 2);
    EXPECT_FALSE(r.ok()) << body;
  }
}

TEST(ErrorToStatusTest, RevertWithErrorStringIsFailedPreconditionWithReason) {
  JsonRpcError e{3, "execution reverted", kNopeRevert};
  absl::Status s = ErrorToStatus(e);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "execution reverted: nope [code 3]");
  std::optional<JsonRpcError> back = GetJsonRpcError(s);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->code, 3);
  EXPECT_EQ(back->data, kNopeRevert);
}

TEST(ErrorToStatusTest, ReasonNotRepeatedWhenTheNodeGaveIt) {
  JsonRpcError e{3, "execution reverted: nope", kNopeRevert};
  EXPECT_EQ(ErrorToStatus(e).message(), "execution reverted: nope [code 3]");
}

TEST(ErrorToStatusTest, RevertDataShapes) {
  // Nested object (hardhat style) and "Reverted 0x..." (Nethermind style).
  JsonRpcError nested{-32000, "VM Exception: revert",
                      json{{"data", kNopeRevert}}};
  EXPECT_NE(ErrorToStatus(nested).message().find(": nope"), std::string::npos);
  JsonRpcError prefixed{-32015, "VM execution error.",
                        std::string("Reverted ") + kNopeRevert};
  EXPECT_EQ(RevertData(prefixed).size(), 100u);
}

TEST(ErrorToStatusTest, Panic) {
  std::string data = "0x4e487b71" + std::string(62, '0') + "11";
  JsonRpcError e{3, "execution reverted", data};
  EXPECT_EQ(ErrorToStatus(e).message(),
            "execution reverted: panic 0x11 (arithmetic overflow or underflow) "
            "[code 3]");
}

TEST(ErrorToStatusTest, CustomErrorAndMalformedErrorString) {
  auto custom = DecodeRevertReason(*eth::FromHex("0xdeadbeef0102"));
  EXPECT_EQ(*custom, "custom error 0xdeadbeef with 2 bytes of arguments");
  auto bad = DecodeRevertReason(*eth::FromHex("0x08c379a000ff"));
  EXPECT_EQ(*bad, "Error(string) with a malformed payload");
  EXPECT_FALSE(DecodeRevertReason({}).has_value());
}

TEST(ErrorToStatusTest, CodeMapping) {
  EXPECT_EQ(ErrorToStatus({-32601, "method not found", nullptr}).code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(ErrorToStatus({-32602, "invalid params", nullptr}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorToStatus({-32603, "internal", nullptr}).code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(ErrorToStatus({-32000, "nonce too low", nullptr}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorToStatus({-32005, "limit exceeded", nullptr}).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorToStatus({42, "odd", nullptr}).code(),
            absl::StatusCode::kUnknown);
  EXPECT_TRUE(IsRetryableRpcError({-32005, "limit exceeded", nullptr}));
  EXPECT_TRUE(IsRetryableRpcError({-32000, "Too Many Requests", nullptr}));
  EXPECT_FALSE(IsRetryableRpcError({-32000, "nonce too low", nullptr}));
}

TEST(ErrorToStatusTest, HostileMessagesAreSanitizedAndBounded) {
  absl::Status s = ErrorToStatus(
      {1, "line\nbreak\x1b[31m" + std::string(5000, 'x'), nullptr});
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_NE(s.message().find("\\x0a"), std::string::npos);
  EXPECT_LT(s.message().size(), 1200u);
}

TEST(PrefixStatusTest, KeepsCodeAndPayloads) {
  absl::Status s = ErrorToStatus({-32000, "nonce too low", nullptr});
  absl::Status p = PrefixStatus(s, "eth_sendRawTransaction at http://x: ");
  EXPECT_EQ(p.code(), s.code());
  EXPECT_EQ(p.message(),
            "eth_sendRawTransaction at http://x: nonce too low [code -32000]");
  EXPECT_TRUE(GetJsonRpcError(p).has_value());
}

}  // namespace
}  // namespace poolops::chain
