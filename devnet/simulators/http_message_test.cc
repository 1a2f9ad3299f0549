#include "devnet/simulators/http_message.h"

#include <gtest/gtest.h>

#include "devnet/simulators/http_client.h"

namespace poolops::sim {
namespace {

TEST(HttpMessageTest, ParsesRequestHead) {
  auto r = ParseRequestHead(
      "POST /workers/ping?walletAddress=0xab&x=1 HTTP/1.1\r\nHost: h\r\n"
      "Content-Length: 2\r\nAuthorization:  Bearer t ");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/workers/ping");
  EXPECT_EQ(QueryParam(r->query, "walletAddress"), "0xab");
  EXPECT_EQ(r->headers["content-length"], "2");
  EXPECT_EQ(r->headers["authorization"], "Bearer t");
  EXPECT_FALSE(ParseRequestHead("garbage").ok());
}

TEST(HttpMessageTest, ResponseRoundTrip) {
  auto r = ParseResponse(SerializeResponse({404, "text/plain", "gone"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->body, "gone");
  EXPECT_FALSE(ParseResponse("HTTP/1.1 200 OK").ok());
}

TEST(HttpUrlTest, ParsesHttpOnly) {
  auto u = ParseHttpUrl("http://core:13000/metrics");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "core");
  EXPECT_EQ(u->port, 13000);
  EXPECT_EQ(u->path, "/metrics");
  EXPECT_EQ(ParseHttpUrl("http://h")->port, 80);
  EXPECT_FALSE(ParseHttpUrl("https://h").ok());
  EXPECT_FALSE(ParseHttpUrl("http://h:99999").ok());
}

}  // namespace
}  // namespace poolops::sim
