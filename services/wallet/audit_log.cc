#include "services/wallet/audit_log.h"

#include "absl/time/clock.h"
#include "libs/common/files.h"
#include "nlohmann/json.hpp"

namespace poolops::wallet {
namespace {

nlohmann::json OrNull(const std::optional<std::string>& v) {
  return v.has_value() ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace

std::string AuditRecord::ToJsonLine() const {
  nlohmann::ordered_json j;
  j["time"] =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
  j["wallet"] = wallet;
  j["account"] = account;
  j["caller"] = caller;
  j["type"] = type;
  j["chain"] = OrNull(chain);
  j["to"] = OrNull(to);
  j["value"] = OrNull(value);
  j["digest"] = OrNull(digest);
  if (type == "typed-data") {
    j["domain"] = OrNull(domain);
    j["primaryType"] = OrNull(primary_type);
  }
  j["decision"] = allowed ? "allowed" : "denied";
  j["rule"] = OrNull(rule);
  // Replace invalid UTF-8 (a hostile domain name) rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::Status FileAuditLog::Append(const AuditRecord& record) {
  std::string line = record.ToJsonLine();
  absl::MutexLock lock(&mu_);
  if (open_ == nullptr) open_ = std::make_shared<Batch>();
  if (!open_->lines.empty()) open_->lines += '\n';
  open_->lines += line;
  std::shared_ptr<Batch> mine = open_;
  while (!mine->done) {
    if (writing_) {
      // Another caller is writing an earlier batch; ours goes next.
      mu_.Await(absl::Condition(
          +[](bool* writing) { return !*writing; }, &writing_));
      continue;
    }
    // Not writing and not done: ours is the open batch. Write it.
    std::shared_ptr<Batch> batch = std::move(open_);
    writing_ = true;
    mu_.Unlock();
    absl::Status status = files::AppendLine(path_, batch->lines);
    mu_.Lock();
    batch->status = std::move(status);
    batch->done = true;
    writing_ = false;
  }
  return mine->status;
}

}  // namespace poolops::wallet
