#include "devnet/simulators/latest_block.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "devnet/simulators/http_client.h"

namespace poolops::sim {
namespace {

// "0x1a" -> 26; JSON-RPC quantities are hex strings.
std::optional<uint64_t> HexQuantity(const nlohmann::json& v) {
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  if (!absl::StartsWith(s, "0x") || s.size() < 3 || s.size() > 18) {
    return std::nullopt;
  }
  uint64_t out = 0;
  for (size_t i = 2; i < s.size(); ++i) {
    char c = absl::ascii_tolower(static_cast<unsigned char>(s[i]));
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
    if (digit < 0) return std::nullopt;
    out = out * 16 + static_cast<uint64_t>(digit);
  }
  return out;
}

}  // namespace

absl::StatusOr<LatestBlock> ParseLatestBlockResponse(const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("eth_getBlockByNumber: not JSON");
  }
  if (json.contains("error")) {
    return absl::FailedPreconditionError(
        absl::StrCat("eth_getBlockByNumber: ", json["error"].dump()));
  }
  auto result = json.find("result");
  if (result == json.end() || !result->is_object()) {
    return absl::InvalidArgumentError("eth_getBlockByNumber: no block");
  }
  // find(), not value(): value() throws on a mistyped field.
  auto field = [&result](const char* key) {
    auto it = result->find(key);
    return it == result->end() ? nlohmann::json() : *it;
  };
  std::optional<uint64_t> number = HexQuantity(field("number"));
  std::optional<uint64_t> timestamp = HexQuantity(field("timestamp"));
  nlohmann::json hash = field("hash");
  if (!number || !timestamp || !hash.is_string()) {
    return absl::InvalidArgumentError(
        "eth_getBlockByNumber: the block lacks number, hash or timestamp");
  }
  return LatestBlock{*number, hash.get<std::string>(), *timestamp};
}

absl::StatusOr<LatestBlock> FetchLatestBlock(const std::string& node_url) {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(node_url);
  if (!url.ok()) return url.status();
  absl::StatusOr<HttpResponse> r =
      HttpCall("POST", url->host, url->port, url->path,
               R"({"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber",)"
               R"("params":["latest",false]})",
               absl::Seconds(5));
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("eth_getBlockByNumber: HTTP ", r->status));
  }
  return ParseLatestBlockResponse(r->body);
}

LatestBlockPoller::LatestBlockPoller(LatestBlockFetch fetch,
                                     absl::Duration interval,
                                     std::string node_url)
    : fetch_(std::move(fetch)),
      interval_(interval),
      node_url_(std::move(node_url)) {}

LatestBlockPoller::~LatestBlockPoller() { Stop(); }

void LatestBlockPoller::Start() {
  PollOnce();
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(interval_)) PollOnce();
  });
}

void LatestBlockPoller::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void LatestBlockPoller::PollOnce() {
  absl::StatusOr<LatestBlock> block = fetch_();
  absl::MutexLock lock(&mu_);
  if (block.ok()) {
    if (failing_) {
      std::fprintf(stderr, "[core simulator] %s answers again (block %llu)\n",
                   node_url_.c_str(),
                   static_cast<unsigned long long>(block->number));
    }
    failing_ = false;
    latest_ = *std::move(block);
    return;
  }
  if (!failing_) {
    std::fprintf(stderr,
                 "[core simulator] cannot read the latest block from %s "
                 "(keeping the last one): %s\n",
                 node_url_.c_str(), block.status().ToString().c_str());
  }
  failing_ = true;
}

std::optional<LatestBlock> LatestBlockPoller::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

}  // namespace poolops::sim
