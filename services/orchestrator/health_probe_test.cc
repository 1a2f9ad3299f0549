// The direct probe of a core's /metrics, over the HTTP client, against a
// tiny server on 127.0.0.1.
#include "services/orchestrator/health_probe.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/fake_http_client.h"
#include "libs/common/fake_http_server.h"
#include "libs/common/net.h"

namespace poolops::orchestrator {
namespace {

using poolops::test::HttpOk;
using poolops::test::HttpRequest;
using poolops::test::TestHttpServer;

TEST(DirectHealthProbeTest, ReadsTheCoresMetrics) {
  std::string asked;
  TestHttpServer core([&asked](const HttpRequest& r) {
    asked = r.headers.substr(0, r.headers.find("\r\n"));
    return HttpOk(R"({"aliveWorkers":2,"aliveTotalCpu":5})");
  });
  absl::StatusOr<CoreMetrics> m =
      NewDirectHealthProbe()->Core("127.0.0.1", core.port());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->alive_workers, 2);
  EXPECT_EQ(m->alive_total_cpu, 5);
  EXPECT_EQ(asked, "GET /metrics HTTP/1.1");
}

TEST(DirectHealthProbeTest, AnErrorStatusOrNoServerIsUnavailable) {
  TestHttpServer core([](const HttpRequest&) {
    return std::string("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
  });
  absl::StatusOr<CoreMetrics> busy =
      NewDirectHealthProbe()->Core("127.0.0.1", core.port());
  EXPECT_TRUE(absl::IsUnavailable(busy.status())) << busy.status();
  EXPECT_NE(std::string(busy.status().message()).find("HTTP 503"),
            std::string::npos);
  absl::StatusOr<uint16_t> closed = net::FreeLoopbackPort();
  ASSERT_TRUE(closed.ok());
  absl::StatusOr<CoreMetrics> none =
      NewDirectHealthProbe()->Core("127.0.0.1", *closed);
  EXPECT_TRUE(absl::IsUnavailable(none.status())) << none.status();
  EXPECT_NE(std::string(none.status().message())
                .find(absl::StrCat("127.0.0.1:", *closed)),
            std::string::npos);
}

// A core that accepts and never answers ends within the probe's timeout.
TEST(DirectHealthProbeTest, ASilentCoreEndsWithinTheTimeout) {
  TestHttpServer core([](const HttpRequest&) { return std::string(); });
  const absl::Time start = absl::Now();
  absl::StatusOr<CoreMetrics> m = NewDirectHealthProbe(absl::Milliseconds(300))
                                      ->Core("127.0.0.1", core.port());
  EXPECT_TRUE(absl::IsUnavailable(m.status())) << m.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

// What the probe asks of the client: the core's /metrics (IPv6 in
// brackets), the probe's timeout for the connect too, a bounded body.
TEST(DirectHealthProbeTest, AsksTheClientForABoundedGetOfMetrics) {
  auto web = std::make_shared<poolops::test::FakeHttpClient>();
  web->Push("http://[::1]:7001/metrics",
            poolops::test::FakeHttpClient::Answer(
                200, R"({"aliveWorkers":1,"aliveTotalCpu":1})"));
  web->Push(
      "http://core.lan:7001/metrics",
      poolops::test::FakeHttpClient::Fail(absl::DeadlineExceededError("late")));
  auto probe = NewDirectHealthProbe(absl::Seconds(2), web);
  absl::StatusOr<CoreMetrics> v6 = probe->Core("::1", 7001);
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->alive_workers, 1);
  absl::StatusOr<CoreMetrics> late = probe->Core("core.lan", 7001);
  EXPECT_TRUE(absl::IsUnavailable(late.status())) << late.status();
  EXPECT_EQ(late.status().message(), "core.lan:7001: late");
  const std::vector<http::Request> all = web->sent();
  ASSERT_EQ(all.size(), 2u);
  const http::Request& sent = all[0];
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.timeout, absl::Seconds(2));
  EXPECT_EQ(sent.connect_timeout, absl::Seconds(2));
  EXPECT_EQ(sent.max_response_bytes, size_t{1} << 20);
}

}  // namespace
}  // namespace poolops::orchestrator
