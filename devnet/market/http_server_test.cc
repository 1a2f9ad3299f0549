// The market over real HTTP: the adapter on a free loopback port with a
// fake chain, and the poolops-devnet-market binary itself (started and
// stopped by pid).
#include "devnet/market/http_server.h"

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "devnet/market/fake_chain_view.h"
#include "gtest/gtest.h"
#include "libs/common/files.h"
#include "libs/common/process_runner.h"
#include "libs/common/temp_dir_test_support.h"


namespace poolops::market {
namespace {

using nlohmann::json;
using namespace testing;  // NOLINT

json JsonOf(const httplib::Result& r) {
  if (!r) return json();
  EXPECT_NE(r->get_header_value("Content-Type").find("application/json"),
            std::string::npos);
  return json::parse(r->body, nullptr, false);
}

class MarketHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<int> port = server_.Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    server_.ServeInBackground();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }
  std::string Auth() {
    json c = JsonOf(client_->Get(
        (std::string("/challenge?address=") + kOwner + "&chainId=65535")
            .c_str()));
    return AuthHeader(c["data"]);
  }

  FakeChainView chain_;
  OrderBook book_{DevnetDomain()};
  MarketApi api_{{DevnetDomain(), 50}, &chain_, &book_};
  MarketHttpServer server_{&api_};
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(MarketHttpTest, PublishListReadUnpublishOverHttp) {
  json version = JsonOf(client_->Get("/version"));
  EXPECT_EQ(version["ok"], true);

  httplib::Headers auth = {{"authorization", Auth()}};
  json body = {{"order", Signed(OrderJson())}};
  auto published = client_->Post("/workerpoolorders?chainId=65535", auth,
                                 body.dump(), "application/json");
  ASSERT_TRUE(published);
  ASSERT_EQ(published->status, 200) << published->body;
  std::string hash = JsonOf(published)["published"]["orderHash"];

  json book = JsonOf(client_->Get(
      (std::string("/workerpoolorders?chainId=65535&isAppStrict=false&"
                   "isDatasetStrict=false&isRequesterStrict=false&pageIndex=0&"
                   "pageSize=20&workerpool=") +
       kWorkerpool)
          .c_str()));
  EXPECT_EQ(book["count"], 1);
  EXPECT_EQ(book["orders"][0]["orderHash"], hash);
  json one = JsonOf(
      client_->Get(("/workerpoolorders/" + hash + "?chainId=65535").c_str()));
  EXPECT_EQ(one["remaining"], 5);

  // The same header again: single use.
  auto reused = client_->Post("/workerpoolorders?chainId=65535", auth,
                              body.dump(), "application/json");
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->status, 403);
  EXPECT_EQ(JsonOf(reused)["error"], "invalid authorization");

  json unpublish = {{"target", "unpublish_all"}, {"workerpool", kWorkerpool}};
  auto removed = client_->Put("/workerpoolorders?chainId=65535",
                              {{"authorization", Auth()}}, unpublish.dump(),
                              "application/json");
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->status, 200) << removed->body;
  EXPECT_EQ(JsonOf(removed)["unpublished"], json({hash}));
}

TEST_F(MarketHttpTest, ErrorsAreJsonToo) {
  auto missing = client_->Get("/nowhere");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(JsonOf(missing)["ok"], false);
  auto bad = client_->Post("/workerpoolorders?chainId=65535",
                           {{"authorization", Auth()}}, "{not json",
                           "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(JsonOf(bad)["error"], "invalid JSON body");
  auto chain = client_->Get("/workerpoolorders?chainId=1");
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->status, 400);
  EXPECT_EQ(JsonOf(chain)["error"], "chainId 1 is not supported");
}

TEST(MarketHttpServerTest, LoopbackOnly) {
  FakeChainView chain;
  OrderBook book(DevnetDomain());
  MarketApi api({DevnetDomain(), 50}, &chain, &book);
  MarketHttpServer server(&api);
  EXPECT_EQ(server.Bind("0.0.0.0", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The binary: starts on a free port (written to --port-file), serves,
// keeps its --state file, stops cleanly on SIGTERM.
class MarketBinaryTest : public ::testing::Test {
 protected:
  void TearDown() override { Stop(); }
  pid_t Start(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {POOLOPS_MARKET_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    proc::SpawnOptions options;
    options.log_file = dir_.path() / "market.log";
    options.die_with_parent = true;
    absl::StatusOr<pid_t> pid = proc::SpawnDetached(argv, options);
    EXPECT_TRUE(pid.ok()) << pid.status();
    pid_ = pid.ok() ? *pid : 0;
    return pid_;
  }
  // SIGTERM and the exit status (-1 if it had to be killed).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return -1;
  }
  int WaitPort(const std::filesystem::path& file) {
    for (int i = 0; i < 500 && pid_ > 0; ++i) {
      absl::StatusOr<std::string> text = files::ReadFile(file);
      int port = 0;
      if (text.ok() && absl::SimpleAtoi(*text, &port)) return port;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

  poolops::test::TempDir dir_;
  pid_t pid_ = 0;
};

TEST_F(MarketBinaryTest, ServesOnAFreePortKeepsStateAndStopsOnSigterm) {
  std::filesystem::path port_file = dir_.path() / "market.port";
  std::filesystem::path state = dir_.path() / "orders.json";
  // A saved book with one order (as a previous run would leave it).
  {
    OrderBook book(DevnetDomain(), state);
    OrderRecord r;
    r.order = *iexec::ParseSignedWorkerpoolOrder(Signed(OrderJson()));
    r.order_hash =
        eth::ToHex(*iexec::WorkerpoolOrderHash(r.order, DevnetDomain()));
    r.chain_id = kChainId;
    r.remaining = 5;
    r.signer = Addr(kOwner);
    r.publication_timestamp = "2025-01-01T00:00:00.000Z";
    ASSERT_TRUE(book.Put(r).ok());
  }
  // No chain behind --rpc: reads and challenges need none.
  ASSERT_GT(Start({"--rpc", "http://127.0.0.1:9", "--hub", kHub, "--chain-id",
                   "65535", "--listen", "127.0.0.1:0", "--port-file",
                   port_file.string(), "--state", state.string()}),
            0);
  int port = WaitPort(port_file);
  ASSERT_GT(port, 0) << *files::ReadFile(dir_.path() / "market.log");
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(JsonOf(client.Get("/version"))["ok"], true);
  json book = JsonOf(client.Get("/workerpoolorders?chainId=65535"));
  EXPECT_EQ(book["count"], 1) << book.dump();
  json challenge = JsonOf(client.Get(
      (std::string("/challenge?chainId=65535&address=") + kOwner).c_str()));
  EXPECT_EQ(challenge["data"]["primaryType"], "Challenge");
  EXPECT_EQ(Stop(), 0);
  std::string log = *files::ReadFile(dir_.path() / "market.log");
  EXPECT_NE(log.find("listening on http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << log;
}

TEST_F(MarketBinaryTest, RefusesANonLoopbackAddress) {
  ASSERT_GT(Start({"--rpc", "http://127.0.0.1:9", "--hub", kHub, "--listen",
                   "0.0.0.0:0"}),
            0);
  int status = 0;
  ASSERT_EQ(waitpid(pid_, &status, 0), pid_);
  pid_ = 0;
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(files::ReadFile(dir_.path() / "market.log")->find("loopback only"),
            std::string::npos);
}

}  // namespace
}  // namespace poolops::market
