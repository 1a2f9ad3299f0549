#include "services/monitor/history/history_store.h"

#include <functional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/files.h"

namespace poolops::monitor {
namespace {

using sqlite::Value;

Value I(uint64_t v) { return static_cast<int64_t>(v); }

uint64_t U(const std::string& text) {
  uint64_t v = 0;
  return absl::SimpleAtoi(text, &v) ? v : 0;
}

constexpr iexec::PocoEventKind kLastKind = iexec::PocoEventKind::kUnlock;

}  // namespace

absl::StatusOr<std::unique_ptr<HistoryStore>> HistoryStore::Open(
    const std::filesystem::path& file) {
  absl::Status dir = files::EnsureDir(file.parent_path());
  if (!dir.ok()) return dir;
  absl::StatusOr<std::unique_ptr<sqlite::Db>> db =
      sqlite::Db::Open(file, file.filename().string());
  if (!db.ok()) return db.status();
  absl::Status s = (*db)->Exec(
      "CREATE TABLE IF NOT EXISTS cursors (pool TEXT PRIMARY KEY, chain_id "
      "TEXT NOT NULL, hub TEXT NOT NULL, workerpool TEXT NOT NULL, scheduler "
      "TEXT NOT NULL, start_block INTEGER NOT NULL, next_block INTEGER NOT "
      "NULL);"
      "CREATE TABLE IF NOT EXISTS checkpoints (pool TEXT NOT NULL, block "
      "INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (pool, block));"
      "CREATE TABLE IF NOT EXISTS events (pool TEXT NOT NULL, block INTEGER "
      "NOT NULL, log_index INTEGER NOT NULL, tx TEXT NOT NULL, time INTEGER "
      "NOT NULL, kind INTEGER NOT NULL, id TEXT NOT NULL, account TEXT NOT "
      "NULL, amount TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (pool, "
      "block, log_index));"
      "CREATE INDEX IF NOT EXISTS events_time ON events (pool, time);"
      "CREATE TABLE IF NOT EXISTS gas (pool TEXT NOT NULL, tx TEXT NOT NULL, "
      "block INTEGER NOT NULL, time INTEGER NOT NULL, sender TEXT NOT NULL, "
      "wei TEXT NOT NULL, PRIMARY KEY (pool, tx));");
  if (!s.ok()) return s;
  return std::unique_ptr<HistoryStore>(new HistoryStore(*std::move(db)));
}

absl::Status HistoryStore::InTransaction(
    const std::function<absl::Status()>& body) {
  absl::Status s = db_->Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  s = body();
  if (!s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s;
  }
  return db_->Exec("COMMIT");
}

absl::StatusOr<std::optional<HistoryCursor>> HistoryStore::Cursor(
    const std::string& pool) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db_->Query(
      "SELECT chain_id, hub, workerpool, scheduler, start_block, next_block "
      "FROM cursors WHERE pool = ?",
      {pool});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  const std::vector<std::string>& r = rows->front();
  return HistoryCursor{r[0], r[1], r[2], r[3], U(r[4]), U(r[5])};
}

absl::Status HistoryStore::Reset(const std::string& pool,
                                 const HistoryCursor& c) {
  return InTransaction([&]() -> absl::Status {
    for (const char* table : {"events", "gas", "checkpoints", "cursors"}) {
      absl::Status s =
          db_->Run(absl::StrCat("DELETE FROM ", table, " WHERE pool = ?"), {pool});
      if (!s.ok()) return s;
    }
    return db_->Run(
        "INSERT INTO cursors (pool, chain_id, hub, workerpool, scheduler, "
        "start_block, next_block) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {pool, c.chain_id, c.hub, c.workerpool, c.scheduler, I(c.start_block),
         I(c.next_block)});
  });
}

absl::Status HistoryStore::Commit(const std::string& pool,
                                  const std::vector<StoredEvent>& events,
                                  const std::vector<StoredGas>& gas,
                                  uint64_t next_block,
                                  const Checkpoint& checkpoint) {
  return InTransaction([&]() -> absl::Status {
    for (const StoredEvent& e : events) {
      absl::Status s = db_->Run(
          "INSERT OR REPLACE INTO events (pool, block, log_index, tx, time, "
          "kind, id, account, amount, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?)",
          {pool, I(e.block), I(e.log_index), e.tx, I(e.time),
           static_cast<int64_t>(e.kind), e.id, e.account, e.amount, e.ref});
      if (!s.ok()) return s;
    }
    for (const StoredGas& g : gas) {
      absl::Status s = db_->Run(
          "INSERT OR REPLACE INTO gas (pool, tx, block, time, sender, wei) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {pool, g.tx, I(g.block), I(g.time), g.sender, g.wei});
      if (!s.ok()) return s;
    }
    absl::Status s = db_->Run(
        "UPDATE cursors SET next_block = ? WHERE pool = ?", {I(next_block), pool});
    if (!s.ok()) return s;
    s = db_->Run(
        "INSERT OR REPLACE INTO checkpoints (pool, block, hash) VALUES (?, ?, ?)",
        {pool, I(checkpoint.block), checkpoint.hash});
    if (!s.ok()) return s;
    return db_->Run(
        "DELETE FROM checkpoints WHERE pool = ? AND block NOT IN (SELECT block "
        "FROM checkpoints WHERE pool = ? ORDER BY block DESC LIMIT ?)",
        {pool, pool, static_cast<int64_t>(kCheckpoints)});
  });
}

absl::StatusOr<std::vector<Checkpoint>> HistoryStore::Checkpoints(
    const std::string& pool) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db_->Query(
      "SELECT block, hash FROM checkpoints WHERE pool = ? ORDER BY block DESC",
      {pool});
  if (!rows.ok()) return rows.status();
  std::vector<Checkpoint> out;
  for (const auto& r : *rows) out.push_back({U(r[0]), r[1]});
  return out;
}

absl::Status HistoryStore::Rewind(const std::string& pool, uint64_t block) {
  return InTransaction([&]() -> absl::Status {
    for (const char* table : {"events", "gas", "checkpoints"}) {
      absl::Status s = db_->Run(
          absl::StrCat("DELETE FROM ", table, " WHERE pool = ? AND block >= ?"),
          {pool, I(block)});
      if (!s.ok()) return s;
    }
    return db_->Run("UPDATE cursors SET next_block = ? WHERE pool = ?",
                    {I(block), pool});
  });
}

absl::StatusOr<std::vector<StoredEvent>> HistoryStore::Events(
    const std::string& pool, uint64_t min_time) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db_->Query(
      "SELECT block, log_index, tx, time, kind, id, account, amount, ref FROM "
      "events WHERE pool = ? AND time >= ? ORDER BY block, log_index",
      {pool, I(min_time)});
  if (!rows.ok()) return rows.status();
  std::vector<StoredEvent> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    const uint64_t kind = U(r[4]);
    if (kind > static_cast<uint64_t>(kLastKind))
      return absl::DataLossError(absl::StrCat("history.db: unknown event kind ", kind));
    out.push_back({U(r[0]), U(r[1]), r[2], U(r[3]),
                   static_cast<iexec::PocoEventKind>(kind), r[5], r[6], r[7], r[8]});
  }
  return out;
}

absl::StatusOr<std::vector<StoredGas>> HistoryStore::Gas(const std::string& pool,
                                                         uint64_t min_time) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db_->Query(
      "SELECT tx, block, time, sender, wei FROM gas WHERE pool = ? AND time >= "
      "? ORDER BY block",
      {pool, I(min_time)});
  if (!rows.ok()) return rows.status();
  std::vector<StoredGas> out;
  for (const auto& r : *rows) out.push_back({r[0], U(r[1]), U(r[2]), r[3], r[4]});
  return out;
}

absl::StatusOr<std::optional<uint64_t>> HistoryStore::FirstBlockSince(
    const std::string& pool, uint64_t min_time) {
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = db_->Query(
      "SELECT MIN(block) FROM events WHERE pool = ? AND time >= ?",
      {pool, I(min_time)});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front()[0].empty()) return std::nullopt;
  return U(rows->front()[0]);
}

}  // namespace poolops::monitor
