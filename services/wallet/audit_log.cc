#include "services/wallet/audit_log.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace poolops::wallet {
namespace {

constexpr std::string_view kCheckKey = ",\"check\":\"";
constexpr size_t kCheckHex = 16;
// ,"check":"<16 hex>"}
constexpr size_t kCheckSuffix = kCheckKey.size() + kCheckHex + 2;
// A torn tail is kept (in hex) up to this many bytes in the recovery line.
constexpr size_t kMaxTornSample = 4096;
constexpr uint64_t kTailChunk = 64 * 1024;

std::string Check(std::string_view body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), kCheckHex / 2));
}

// Text from outside the vault (domain names, self-declared labels) is cut
// so that one request cannot write megabytes per line.
std::string Cut(std::string_view v) {
  if (v.size() <= kMaxAuditFieldBytes) return std::string(v);
  return absl::StrCat(std::string(v.substr(0, kMaxAuditFieldBytes)), "...");
}

nlohmann::json OrNull(const std::optional<std::string>& v) {
  return v.has_value() ? nlohmann::json(Cut(*v)) : nlohmann::json();
}

std::string Dump(const nlohmann::ordered_json& j) {
  // Replace invalid UTF-8 (a hostile domain name) rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

}  // namespace

std::string AuditRecord::ToJsonLine() const {
  nlohmann::ordered_json j;
  j["time"] =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
  j["wallet"] = wallet;
  j["account"] = account;
  j["caller"] = Cut(caller);
  j["client"] = OrNull(client);
  j["purpose"] = OrNull(purpose);
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
  return SealAuditLine(Dump(j));
}

std::string SealAuditLine(std::string_view json_object) {
  std::string_view body = json_object;
  if (!body.empty() && body.back() == '}') body.remove_suffix(1);
  return absl::StrCat(std::string(body), std::string(kCheckKey), Check(body),
                      "\"}");
}

AuditLineState CheckAuditLine(std::string_view line) {
  if (line.size() > kCheckSuffix && line.substr(line.size() - 2) == "\"}") {
    std::string_view body = line.substr(0, line.size() - kCheckSuffix);
    std::string_view key = line.substr(body.size(), kCheckKey.size());
    std::string_view hex =
        line.substr(body.size() + kCheckKey.size(), kCheckHex);
    if (key == kCheckKey && IsLowerHex(hex)) {
      return hex == Check(body) ? AuditLineState::kSealed
                                : AuditLineState::kDamaged;
    }
  }
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_object() && !j.contains("check")) return AuditLineState::kUnsealed;
  return AuditLineState::kDamaged;
}

absl::StatusOr<AuditLogReport> VerifyAuditLog(
    const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  }
  AuditLogReport report;
  std::string line;
  for (uint64_t number = 1; std::getline(in, line); ++number) {
    if (in.eof()) {  // no newline after it: a torn tail
      report.torn_tail_bytes = line.size();
      break;
    }
    switch (CheckAuditLine(line)) {
      case AuditLineState::kSealed:
        ++report.sealed;
        break;
      case AuditLineState::kUnsealed:
        ++report.unsealed;
        break;
      case AuditLineState::kDamaged:
        report.damaged_lines.push_back(number);
        break;
    }
  }
  return report;
}

absl::StatusOr<std::unique_ptr<FileAuditLog>> FileAuditLog::Open(
    std::filesystem::path path, AuditFiles* files) {
  std::unique_ptr<FileAuditLog> log(new FileAuditLog(std::move(path), files));
  absl::StatusOr<std::unique_ptr<AuditFile>> file = files->Open(log->path_);
  if (!file.ok()) return file.status();
  if (absl::Status s = (*file)->LockExclusive(); !s.ok()) return s;
  absl::StatusOr<AuditFile::Stat> stat = (*file)->GetStat();
  if (!stat.ok()) return stat.status();
  absl::StatusOr<AuditRecovery> recovery = log->Repair(**file, *stat);
  if (!recovery.ok()) return recovery.status();
  log->recovery_at_open_ = *recovery;
  stat = (*file)->GetStat();
  if (!stat.ok()) return stat.status();
  log->expected_ = *stat;
  log->lock_ = *std::move(file);  // held open: keeps the lock
  log->committer_ = std::thread([raw = log.get()] { raw->CommitLoop(); });
  return log;
}

FileAuditLog::FileAuditLog(std::filesystem::path path, AuditFiles* files)
    : path_(std::move(path)), files_(files) {}

FileAuditLog::~FileAuditLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (committer_.joinable()) committer_.join();
}

size_t FileAuditLog::queued() const {
  absl::MutexLock lock(&mu_);
  return queued_done_.size();
}

void FileAuditLog::Enqueue(std::string line, Done done) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    done(absl::UnavailableError("audit log is closing"));
    return;
  }
  queued_lines_ += line;
  queued_lines_ += '\n';
  queued_done_.push_back(std::move(done));
}

absl::Status FileAuditLog::Append(const AuditRecord& record) {
  absl::Notification durable;
  absl::Status result;
  Enqueue(record.ToJsonLine(), [&](absl::Status s) {
    result = std::move(s);
    durable.Notify();
  });
  durable.WaitForNotification();
  return result;
}

void FileAuditLog::AppendAsync(const AuditRecord& record, Done done) {
  Enqueue(record.ToJsonLine(), std::move(done));
}

void FileAuditLog::CommitLoop() {
  while (true) {
    std::string lines;
    std::vector<Done> done;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &FileAuditLog::HasWork));
      if (queued_done_.empty()) return;  // stopping, nothing left
      lines.swap(queued_lines_);
      done.swap(queued_done_);
    }
    absl::Status status = Commit(lines);
    if (!status.ok()) {
      spdlog::error("audit log: {} record(s) not written: {}", done.size(),
                    std::string(status.message()));
    }
    for (Done& d : done) d(status);
  }
}

absl::Status FileAuditLog::Commit(std::string_view lines) {
  absl::StatusOr<std::unique_ptr<AuditFile>> opened = files_->Open(path_);
  if (!opened.ok()) return opened.status();
  AuditFile& file = **opened;
  absl::StatusOr<AuditFile::Stat> stat = file.GetStat();
  if (!stat.ok()) return stat.status();
  if (!expected_.has_value() || stat->id != expected_->id ||
      stat->size != expected_->size) {
    if (expected_.has_value() && stat->id == expected_->id &&
        stat->size > expected_->size) {
      // What a failed batch wrote and could not cut (see below).
      if (absl::Status s = file.Truncate(expected_->size); !s.ok()) return s;
      if (absl::Status s = file.Sync(); !s.ok()) return s;
    } else {
      // Another file (rotated, replaced) or one that shrank: check its tail.
      absl::StatusOr<AuditRecovery> recovery = Repair(file, *stat);
      if (!recovery.ok()) return recovery.status();
    }
    stat = file.GetStat();
    if (!stat.ok()) return stat.status();
  }
  const AuditFile::Stat before = *stat;
  expected_ = before;

  absl::Status status;
  for (std::string_view rest = lines; status.ok() && !rest.empty();) {
    absl::StatusOr<size_t> n = file.Write(rest);
    if (!n.ok()) {
      status = n.status();
    } else if (*n == 0) {
      status = absl::UnavailableError(
          absl::StrCat("cannot write ", path_.string(), ": no progress"));
    } else {
      rest.remove_prefix(std::min(*n, rest.size()));
    }
  }
  if (status.ok()) status = file.Sync();
  if (status.ok()) {
    expected_ = AuditFile::Stat{before.size + lines.size(), before.id};
    return absl::OkStatus();
  }
  // Leave no partial line: cut the batch off again. If that fails too, the
  // next batch cuts it (the file is then longer than expected_).
  absl::Status undo = file.Truncate(before.size);
  if (undo.ok()) undo = file.Sync();
  if (!undo.ok()) {
    spdlog::error("audit log: cannot cut a failed write off {}: {}",
                  path_.string(), std::string(undo.message()));
  }
  return status;
}

absl::StatusOr<AuditRecovery> FileAuditLog::Repair(AuditFile& file,
                                                   AuditFile::Stat stat) {
  AuditRecovery recovery{0, stat.size};
  if (stat.size == 0) return recovery;
  absl::StatusOr<std::string> last = file.Read(stat.size - 1, 1);
  if (!last.ok()) return last.status();
  if (*last == "\n") return recovery;

  // The last line has no newline: find where it starts.
  uint64_t cut = 0;
  for (uint64_t end = stat.size; end > 0;) {
    uint64_t n = std::min(kTailChunk, end);
    absl::StatusOr<std::string> chunk = file.Read(end - n, n);
    if (!chunk.ok()) return chunk.status();
    if (size_t nl = chunk->rfind('\n'); nl != std::string::npos) {
      cut = end - n + nl + 1;
      break;
    }
    end -= n;
  }
  const uint64_t torn = stat.size - cut;
  absl::StatusOr<std::string> sample = file.Read(
      cut, static_cast<size_t>(std::min<uint64_t>(torn, kMaxTornSample)));
  if (!sample.ok()) return sample.status();
  if (absl::Status s = file.Truncate(cut); !s.ok()) return s;
  if (absl::Status s = file.Sync(); !s.ok()) return s;

  nlohmann::ordered_json j;
  j["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                               absl::UTCTimeZone());
  j["type"] = "audit-recovery";
  j["detail"] = absl::StrCat(
      "a torn record (", torn,
      " bytes without a newline: a crash or a full disk while writing) was "
      "cut off the end of the log; its bytes are in torn_hex");
  j["torn_bytes"] = torn;
  j["torn_hex"] = absl::BytesToHexString(*sample);
  std::string line = SealAuditLine(Dump(j)) + "\n";
  for (std::string_view rest = line; !rest.empty();) {
    absl::StatusOr<size_t> n = file.Write(rest);
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::UnavailableError("audit log: no write progress");
    rest.remove_prefix(std::min(*n, rest.size()));
  }
  if (absl::Status s = file.Sync(); !s.ok()) return s;
  spdlog::warn(
      "audit log {}: a torn record of {} bytes at its end (crash or full "
      "disk) was cut; {} bytes of complete records kept; recorded as an "
      "audit-recovery line",
      path_.string(), torn, cut);
  recovery.torn_bytes = torn;
  recovery.kept_bytes = cut;
  return recovery;
}

}  // namespace poolops::wallet
