// UnixGrpcConnection against a real gRPC server (grpc++ on a unix socket)
// and against peers that misbehave on purpose.
#include "libs/common/unix_grpc_call.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "libs/common/temp_dir_test_support.h"
#include "poolops/chain/v1/chain.grpc.pb.h"

namespace poolops {
namespace {

namespace cv1 = ::poolops::chain::v1;

constexpr char kListChains[] = "/poolops.chain.v1.ChainGateway/ListChains";
constexpr char kGetChain[] = "/poolops.chain.v1.ChainGateway/GetChain";
constexpr char kDeposit[] = "/poolops.chain.v1.ChainGateway/Deposit";
constexpr char kGetBalances[] = "/poolops.chain.v1.ChainGateway/GetBalances";

// What the service saw of the last call.
struct Seen {
  std::string client;  // x-poolops-client
  absl::Duration deadline_left;
};

class FakeGateway final : public cv1::ChainGateway::Service {
 public:
  explicit FakeGateway(Seen* seen) : seen_(seen) {}

  grpc::Status ListChains(grpc::ServerContext* context,
                          const cv1::ListChainsRequest*,
                          cv1::ListChainsResponse* response) override {
    Record(context);
    for (const char* name : {"devnet", "arbitrum", "bellecour"}) {
      cv1::Chain* c = response->add_chains();
      c->set_name(name);
      c->set_hub(std::string(200, 'h'));
    }
    return grpc::Status::OK;
  }

  grpc::Status GetChain(grpc::ServerContext* context,
                        const cv1::GetChainRequest* request,
                        cv1::Chain*) override {
    Record(context);
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "no chain \xC2\xAB" + request->name() +
                            "\xC2\xBB: 100% gone\nsee `chain list`");
  }

  grpc::Status Deposit(grpc::ServerContext* context,
                       const cv1::DepositRequest* request,
                       grpc::ServerWriter<cv1::StakeEvent>* writer) override {
    Record(context);
    for (int i = 0; i < 3; ++i) {
      cv1::StakeEvent e;
      e.mutable_progress()->set_message("step " + std::to_string(i));
      writer->Write(e);
    }
    cv1::StakeEvent last;
    last.mutable_result()->set_stake(request->amount().value());
    writer->Write(last);
    return grpc::Status::OK;
  }

  grpc::Status GetBalances(grpc::ServerContext* context,
                           const cv1::GetBalancesRequest*,
                           cv1::Balances*) override {
    Record(context);
    for (int i = 0; i < 300 && !context->IsCancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return grpc::Status::OK;
  }

 private:
  void Record(grpc::ServerContext* context) {
    auto it = context->client_metadata().find("x-poolops-client");
    seen_->client = it == context->client_metadata().end()
                        ? ""
                        : std::string(it->second.data(), it->second.size());
    seen_->deadline_left = absl::FromChrono(context->deadline() -
                                            std::chrono::system_clock::now());
  }
  Seen* seen_;
};

class UnixGrpcCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = (dir_.path() / "gw.sock").string();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + socket_,
                             grpc::InsecureServerCredentials());
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  // Calls `method` and collects the messages.
  absl::Status Call(const std::string& method, const std::string& request,
                    std::vector<std::string>* messages,
                    UnixCallOptions options = {}) {
    auto conn = UnixGrpcConnection::Open(socket_, absl::Seconds(2));
    if (!conn.ok()) return conn.status();
    return (*conn)->Call(method, request, options, [&](std::string_view m) {
      messages->emplace_back(m);
      return absl::OkStatus();
    });
  }

  test::TempDir dir_;
  std::string socket_;
  Seen seen_;
  FakeGateway service_{&seen_};
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(UnixGrpcCallTest, UnaryCallGetsTheServicesAnswerAndSendsMetadata) {
  UnixCallOptions options;
  options.timeout = absl::Seconds(30);
  options.metadata = {{"x-poolops-client", "poolctl pid=42"}};
  std::vector<std::string> messages;
  ASSERT_TRUE(Call(kListChains, "", &messages, options).ok());
  ASSERT_EQ(messages.size(), 1u);
  cv1::ListChainsResponse response;
  ASSERT_TRUE(response.ParseFromString(messages[0]));
  ASSERT_EQ(response.chains_size(), 3);
  EXPECT_EQ(response.chains(2).name(), "bellecour");
  EXPECT_EQ(seen_.client, "poolctl pid=42");
  // The deadline travels as grpc-timeout.
  EXPECT_GT(seen_.deadline_left, absl::Seconds(25));
  EXPECT_LE(seen_.deadline_left, absl::Seconds(30));
}

TEST_F(UnixGrpcCallTest, TheServicesErrorComesBackWithItsCodeAndWords) {
  cv1::GetChainRequest request;
  request.set_name("nope");
  std::vector<std::string> messages;
  absl::Status s = Call(kGetChain, request.SerializeAsString(), &messages);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "no chain \xC2\xABnope\xC2\xBB: 100% gone\nsee `chain list`");
  EXPECT_TRUE(messages.empty());
}

TEST_F(UnixGrpcCallTest, AServerStreamArrivesInOrder) {
  cv1::DepositRequest request;
  request.mutable_amount()->set_value("17");
  std::vector<std::string> messages;
  ASSERT_TRUE(Call(kDeposit, request.SerializeAsString(), &messages).ok());
  ASSERT_EQ(messages.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    cv1::StakeEvent e;
    ASSERT_TRUE(e.ParseFromString(messages[i]));
    EXPECT_EQ(e.progress().message(), "step " + std::to_string(i));
  }
  cv1::StakeEvent last;
  ASSERT_TRUE(last.ParseFromString(messages[3]));
  EXPECT_EQ(last.result().stake(), "17");
}

TEST_F(UnixGrpcCallTest, AnErrorFromTheReaderEndsTheCall) {
  auto conn = UnixGrpcConnection::Open(socket_, absl::Seconds(2));
  ASSERT_TRUE(conn.ok());
  int seen = 0;
  absl::Status s = (*conn)->Call(kDeposit, "", {}, [&](std::string_view) {
    ++seen;
    return absl::DataLossError("enough");
  });
  EXPECT_EQ(s, absl::DataLossError("enough"));
  EXPECT_EQ(seen, 1);
  // One call per connection.
  EXPECT_EQ((*conn)
                ->Call(kDeposit, "", {},
                       [](std::string_view) { return absl::OkStatus(); })
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(UnixGrpcCallTest, TheDeadlineEndsASlowCall) {
  UnixCallOptions options;
  options.timeout = absl::Milliseconds(300);
  std::vector<std::string> messages;
  absl::Status s = Call(kGetBalances, "", &messages, options);
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
}

TEST_F(UnixGrpcCallTest, AMessageOverTheLimitIsRefused) {
  UnixCallOptions options;
  options.max_message = 100;
  std::vector<std::string> messages;
  absl::Status s = Call(kListChains, "", &messages, options);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_NE(s.message().find("larger than max"), std::string::npos) << s;
  EXPECT_TRUE(messages.empty());
}

TEST_F(UnixGrpcCallTest, AnUnknownMethodIsUnimplemented) {
  std::vector<std::string> messages;
  absl::Status s = Call("/poolops.chain.v1.ChainGateway/Nope", "", &messages);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
}

TEST_F(UnixGrpcCallTest, MetadataThatCouldChangeTheRequestIsRefused) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{
           {"X-Upper", "v"},
           {"grpc-timeout", "1m"},
           {":path", "/x"},
           {"ok-key", "line\r\nbreak"}}) {
    auto conn = UnixGrpcConnection::Open(socket_, absl::Seconds(2));
    ASSERT_TRUE(conn.ok());
    UnixCallOptions options;
    options.metadata = {{key, value}};
    absl::Status s =
        (*conn)->Call(kListChains, "", options,
                      [](std::string_view) { return absl::OkStatus(); });
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << key;
  }
}

TEST(UnixGrpcConnectionTest, NobodyListeningIsUnavailable) {
  test::TempDir dir;
  auto missing = UnixGrpcConnection::Open((dir.path() / "none.sock").string(),
                                          absl::Seconds(1));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(missing.status().message().find("the connection failed"),
            std::string::npos);
  // A socket file left by a process that is gone.
  std::string stale = (dir.path() / "stale.sock").string();
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, stale.data(), stale.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  auto refused = UnixGrpcConnection::Open(stale, absl::Seconds(1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("refused"), std::string::npos)
      << refused.status();
  // A path that does not fit a unix socket address.
  EXPECT_EQ(
      UnixGrpcConnection::Open("/" + std::string(200, 'a'), absl::Seconds(1))
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

// A peer on a unix socket that does `act(fd)` with the one connection it
// accepts.
class RawPeer {
 public:
  RawPeer(const std::string& path, std::function<void(int)> act) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listener_, 4);
    thread_ = std::thread([this, act] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd >= 0) {
        act(fd);
        ::close(fd);
      }
    });
  }
  ~RawPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }

 private:
  int listener_;
  std::thread thread_;
};

absl::Status CallPeer(const std::string& path, absl::Duration timeout) {
  auto conn = UnixGrpcConnection::Open(path, absl::Seconds(1));
  if (!conn.ok()) return conn.status();
  UnixCallOptions options;
  options.timeout = timeout;
  return (*conn)->Call(kListChains, "", options,
                       [](std::string_view) { return absl::OkStatus(); });
}

TEST(UnixGrpcPeerTest, APeerThatHangsUpIsAConnectionLost) {
  test::TempDir dir;
  std::string path = (dir.path() / "p.sock").string();
  RawPeer peer(path, [](int fd) {
    char buf[256];
    (void)::read(fd, buf, sizeof(buf));
  });
  absl::Status s = CallPeer(path, absl::Seconds(5));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(s.message(), "Socket closed");
}

TEST(UnixGrpcPeerTest, APeerThatIsNotHttp2IsRefused) {
  test::TempDir dir;
  std::string path = (dir.path() / "p.sock").string();
  RawPeer peer(path, [](int fd) {
    char buf[256];
    (void)::read(fd, buf, sizeof(buf));
    const char answer[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    (void)::write(fd, answer, sizeof(answer) - 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  });
  absl::Status s = CallPeer(path, absl::Seconds(5));
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_NE(s.message().find("not HTTP/2"), std::string::npos) << s;
}

TEST(UnixGrpcPeerTest, APeerThatNeverAnswersMeetsTheDeadline) {
  test::TempDir dir;
  std::string path = (dir.path() / "p.sock").string();
  RawPeer peer(path, [](int fd) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
  });
  absl::Status s = CallPeer(path, absl::Milliseconds(200));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
}

TEST(PercentDecodeGrpcMessageTest, UndoesEscapesAndKeepsMalformedOnes) {
  EXPECT_EQ(PercentDecodeGrpcMessage("a%20b%25c%0A"), "a b%c\n");
  EXPECT_EQ(PercentDecodeGrpcMessage("%C2%AB"), "\xC2\xAB");
  EXPECT_EQ(PercentDecodeGrpcMessage("100%"), "100%");
  EXPECT_EQ(PercentDecodeGrpcMessage("%zz%4"), "%zz%4");
}

}  // namespace
}  // namespace poolops
