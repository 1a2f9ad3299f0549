#include "services/orchestrator/state_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace poolops::orchestrator {
namespace {

using json = nlohmann::json;

using Rows = std::vector<std::vector<std::string>>;

// A number read back from a text column; -1 when it is none.
int64_t Number(const std::string& text) {
  int64_t v = -1;
  return absl::SimpleAtoi(text, &v) ? v : -1;
}

}  // namespace

std::string BundlesToJson(const std::vector<BundleRecord>& bundles) {
  json arr = json::array();
  for (const BundleRecord& b : bundles) {
    arr.push_back({{"name", b.name},
                   {"role", b.role},
                   {"target", b.target},
                   {"project", b.project},
                   {"composeFiles", b.compose_files},
                   {"files", b.files},
                   {"services", b.services}});
  }
  return arr.dump();
}

std::vector<BundleRecord> BundlesFromJson(const std::string& text) {
  std::vector<BundleRecord> out;
  json arr = json::parse(text, nullptr, false);
  if (!arr.is_array()) return out;
  for (const json& j : arr) {
    BundleRecord b;
    b.name = j.value("name", "");
    b.role = j.value("role", "");
    b.target = j.value("target", "");
    b.project = j.value("project", "");
    b.compose_files = j.value("composeFiles", std::vector<std::string>{});
    b.files = j.value("files", std::map<std::string, std::string>{});
    b.services = j.value("services", std::map<std::string, std::string>{});
    out.push_back(std::move(b));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::Open(
    const std::filesystem::path& file, Clock* clock) {
  absl::StatusOr<std::unique_ptr<sqlite::Db>> db =
      sqlite::Db::Open(file, "state.db");
  if (!db.ok()) return db.status();
  std::unique_ptr<StateStore> store(new StateStore(*std::move(db), clock));
  absl::MutexLock lock(&store->mu_);
  for (const char* sql : {
           "CREATE TABLE IF NOT EXISTS pools (name TEXT PRIMARY KEY, "
           "workerpool TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT "
           "'new', updated_at TEXT NOT NULL DEFAULT '')",
           "CREATE TABLE IF NOT EXISTS revisions (pool TEXT NOT NULL, revision "
           "INTEGER NOT NULL, applied_at TEXT NOT NULL, outcome TEXT NOT NULL, "
           "spec TEXT NOT NULL, workerpool TEXT NOT NULL DEFAULT '', bundles "
           "TEXT NOT NULL DEFAULT '[]', message TEXT NOT NULL DEFAULT '', "
           "PRIMARY KEY (pool, revision))",
           "CREATE TABLE IF NOT EXISTS start_blocks (pool TEXT PRIMARY KEY, "
           "block TEXT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS hosts (pool TEXT NOT NULL, bundle TEXT "
           "NOT NULL, target TEXT NOT NULL, revision INTEGER NOT NULL, status "
           "TEXT NOT NULL, PRIMARY KEY (pool, bundle))",
           "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY "
           "AUTOINCREMENT, pool TEXT NOT NULL, revision INTEGER NOT NULL, time "
           "TEXT NOT NULL, step TEXT NOT NULL, target TEXT NOT NULL, state "
           "TEXT "
           "NOT NULL, message TEXT NOT NULL)",
       }) {
    if (absl::Status s = store->Exec(sql); !s.ok()) return s;
  }
  return store;
}

StateStore::~StateStore() = default;

absl::Status StateStore::Exec(const std::string& sql) { return db_->Exec(sql); }

absl::StatusOr<std::string> StateStore::One(const std::string& sql,
                                            const std::string& arg) {
  absl::StatusOr<Rows> q = db_->Query(sql, {arg});
  if (!q.ok()) return q.status();
  return q->empty() ? std::string() : q->front()[0];
}

std::string StateStore::Now() const {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", clock_->Now(),
                          absl::UTCTimeZone());
}

absl::StatusOr<uint32_t> StateStore::BeginRevision(
    const std::string& pool, const std::string& spec_json) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&](absl::Status s) {
    Exec("ROLLBACK").IgnoreError();
    return s;
  };
  std::string now = Now();
  if (absl::Status s =
          db_->Run(
              "INSERT INTO pools (name, updated_at) VALUES (?1, ?2) "
              "ON CONFLICT(name) DO UPDATE SET updated_at = ?2",
              {pool, now});
      !s.ok())
    return fail(s);
  if (absl::Status s =
          db_->Run(
              "UPDATE revisions SET outcome = 'interrupted', message "
              "= 'the orchestrator stopped during this apply' WHERE "
              "pool = ?1 AND outcome = 'in-progress'",
              {pool});
      !s.ok())
    return fail(s);
  uint32_t next = 1;
  {
    absl::StatusOr<Rows> q = db_->Query(
        "SELECT COALESCE(MAX(revision), 0) FROM revisions WHERE pool = ?1",
        {pool});
    if (!q.ok() || q->empty() || Number(q->front()[0]) < 0) {
      return fail(absl::InternalError("state.db: reading revisions"));
    }
    next = static_cast<uint32_t>(Number(q->front()[0]) + 1);
  }
  if (absl::Status s =
          db_->Run(
              "INSERT INTO revisions (pool, revision, applied_at, "
              "outcome, spec) VALUES (?1, ?2, ?3, 'in-progress', ?4)",
              {pool, std::to_string(next), now, spec_json});
      !s.ok())
    return fail(s);
  if (absl::Status s = Exec("COMMIT"); !s.ok()) return fail(s);
  return next;
}

absl::Status StateStore::FinishRevision(
    const std::string& pool, uint32_t revision, const std::string& outcome,
    const std::string& workerpool, const std::vector<BundleRecord>& bundles,
    const std::string& message) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  absl::Status s =
      db_->Run("UPDATE revisions SET outcome = ?3, workerpool = ?4, "
          "bundles = ?5, message = ?6 WHERE pool = ?1 AND revision = ?2",
          {pool, std::to_string(revision), outcome, workerpool,
           BundlesToJson(bundles), message});
  if (s.ok() && outcome == "applied") {
    s = db_->Run("UPDATE pools SET status = 'up', updated_at = ?2 WHERE name = ?1",
            {pool, Now()});
  }
  if (!s.ok()) {
    Exec("ROLLBACK").IgnoreError();
    return s;
  }
  return Exec("COMMIT");
}

absl::StatusOr<std::optional<RevisionRecord>> StateStore::QueryRevision(
    const std::string& where_sql, const std::vector<sqlite::Value>& args) {
  absl::StatusOr<Rows> q = db_->Query(
      absl::StrCat("SELECT pool, revision, applied_at, outcome, spec, "
                   "workerpool, bundles, message FROM revisions WHERE ",
                   where_sql),
      args);
  if (!q.ok()) return q.status();
  if (q->empty()) return std::nullopt;
  const std::vector<std::string>& row = q->front();
  RevisionRecord r;
  r.pool = row[0];
  r.revision = static_cast<uint32_t>(Number(row[1]));
  r.applied_at = row[2];
  r.outcome = row[3];
  r.spec_json = row[4];
  r.workerpool = row[5];
  r.bundles = BundlesFromJson(row[6]);
  r.message = row[7];
  return r;
}

absl::StatusOr<std::optional<RevisionRecord>> StateStore::LastApplied(
    const std::string& pool) {
  absl::MutexLock lock(&mu_);
  return QueryRevision(
      "pool = ?1 AND outcome = 'applied' ORDER BY revision DESC LIMIT 1",
      {pool});
}

absl::StatusOr<std::optional<RevisionRecord>> StateStore::Get(
    const std::string& pool, uint32_t revision) {
  absl::MutexLock lock(&mu_);
  return QueryRevision("pool = ?1 AND revision = ?2",
                       {pool, std::to_string(revision)});
}

absl::StatusOr<std::vector<RevisionRecord>> StateStore::History(
    const std::string& pool) {
  absl::MutexLock lock(&mu_);
  std::vector<RevisionRecord> out;
  absl::StatusOr<Rows> q = db_->Query(
      "SELECT revision FROM revisions WHERE pool = ?1 ORDER BY revision",
      {pool});
  if (!q.ok()) return q.status();
  for (const std::vector<std::string>& row : *q) {
    const std::string& rev = row[0];
    absl::StatusOr<std::optional<RevisionRecord>> r =
        QueryRevision("pool = ?1 AND revision = ?2", {pool, rev});
    if (!r.ok()) return r.status();
    if (r->has_value()) out.push_back(**r);
  }
  if (out.empty()) {
    return absl::NotFoundError(
        absl::StrCat("pool '", pool, "' has no revisions"));
  }
  return out;
}

absl::StatusOr<std::string> StateStore::Workerpool(const std::string& pool) {
  absl::MutexLock lock(&mu_);
  return One("SELECT workerpool FROM pools WHERE name = ?1", pool);
}

absl::Status StateStore::SetWorkerpool(const std::string& pool,
                                       const std::string& address) {
  absl::MutexLock lock(&mu_);
  return db_->Run("INSERT INTO pools (name, workerpool, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(name) DO UPDATE SET workerpool = ?2, updated_at = ?3",
      {pool, address, Now()});
}

absl::StatusOr<std::string> StateStore::StartBlock(const std::string& pool) {
  absl::MutexLock lock(&mu_);
  return One("SELECT block FROM start_blocks WHERE pool = ?1", pool);
}

absl::Status StateStore::SetStartBlock(const std::string& pool,
                                       const std::string& block) {
  absl::MutexLock lock(&mu_);
  return db_->Run("INSERT INTO start_blocks (pool, block) VALUES (?1, ?2) "
             "ON CONFLICT(pool) DO UPDATE SET block = ?2",
             {pool, block});
}

absl::Status StateStore::MarkDown(const std::string& pool) {
  absl::MutexLock lock(&mu_);
  return db_->Run("UPDATE pools SET status = 'down', updated_at = ?2 WHERE name = ?1",
      {pool, Now()});
}

absl::StatusOr<std::string> StateStore::PoolStatus(const std::string& pool) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Rows> q =
      db_->Query("SELECT status FROM pools WHERE name = ?1", {pool});
  if (!q.ok()) return q.status();
  if (q->empty()) {
    return absl::NotFoundError(absl::StrCat("no pool named '", pool, "'"));
  }
  return q->front()[0];
}

absl::StatusOr<std::vector<std::string>> StateStore::PoolsWithStatus(
    const std::string& status) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Rows> q = db_->Query(
      "SELECT name FROM pools WHERE status = ?1 ORDER BY name", {status});
  if (!q.ok()) return q.status();
  std::vector<std::string> out;
  for (const std::vector<std::string>& row : *q) out.push_back(row[0]);
  return out;
}

absl::Status StateStore::RecordEvent(const std::string& pool, uint32_t revision,
                                     const std::string& step,
                                     const std::string& target,
                                     const std::string& state,
                                     const std::string& message) {
  absl::MutexLock lock(&mu_);
  return db_->Run("INSERT INTO events (pool, revision, time, step, target, state, "
      "message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      {pool, std::to_string(revision), Now(), step, target, state, message});
}

absl::StatusOr<std::vector<EventRecord>> StateStore::Events(
    const std::string& pool, uint32_t revision) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Rows> q = db_->Query(
      "SELECT id, revision, time, step, target, state, message FROM "
      "events WHERE pool = ?1 AND revision = ?2 ORDER BY id",
      {pool, std::to_string(revision)});
  if (!q.ok()) return q.status();
  std::vector<EventRecord> out;
  for (const std::vector<std::string>& r : *q) {
    out.push_back({Number(r[0]), static_cast<uint32_t>(Number(r[1])), r[2],
                   r[3], r[4], r[5], r[6]});
  }
  return out;
}

absl::Status StateStore::SetHost(const std::string& pool,
                                 const std::string& bundle,
                                 const std::string& target, uint32_t revision,
                                 const std::string& status) {
  absl::MutexLock lock(&mu_);
  return db_->Run("INSERT INTO hosts (pool, bundle, target, revision, status) VALUES "
      "(?1, ?2, ?3, ?4, ?5) ON CONFLICT(pool, bundle) DO UPDATE SET "
      "target = ?3, revision = ?4, status = ?5",
      {pool, bundle, target, std::to_string(revision), status});
}

absl::StatusOr<std::optional<uint32_t>> StateStore::HostRevision(
    const std::string& pool, const std::string& bundle) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Rows> q = db_->Query(
      "SELECT revision FROM hosts WHERE pool = ?1 AND bundle = ?2",
      {pool, bundle});
  if (!q.ok()) return q.status();
  if (q->empty()) return std::optional<uint32_t>();
  uint32_t rev = 0;
  if (!absl::SimpleAtoi(q->front()[0], &rev)) {
    return absl::InternalError(absl::StrCat("state.db: hosts.revision of ",
                                            bundle, " is not a number"));
  }
  return std::optional<uint32_t>(rev);
}

namespace {

struct PoolTable {
  const char* name;
  const char* pool_column;
  std::vector<std::string> columns;  // what a backup carries (no row ids)
};

const std::vector<PoolTable>& PoolTables() {
  static const auto* tables = new std::vector<PoolTable>{
      {"pools", "name", {"name", "workerpool", "status", "updated_at"}},
      {"revisions",
       "pool",
       {"pool", "revision", "applied_at", "outcome", "spec", "workerpool",
        "bundles", "message"}},
      {"start_blocks", "pool", {"pool", "block"}},
      {"hosts", "pool", {"pool", "bundle", "target", "revision", "status"}},
      {"events",
       "pool",
       {"pool", "revision", "time", "step", "target", "state", "message"}},
  };
  return *tables;
}

}  // namespace

absl::StatusOr<std::string> StateStore::ExportPool(const std::string& pool) {
  absl::MutexLock lock(&mu_);
  json out = json::object();
  for (const PoolTable& t : PoolTables()) {
    absl::StatusOr<Rows> q = db_->Query(
        absl::StrCat("SELECT ", absl::StrJoin(t.columns, ", "), " FROM ",
                     t.name, " WHERE ", t.pool_column, " = ?1 ORDER BY rowid"),
        {pool});
    if (!q.ok()) return q.status();
    json rows = json::array();
    for (const std::vector<std::string>& r : *q) {
      json row = json::object();
      for (size_t c = 0; c < t.columns.size(); ++c) row[t.columns[c]] = r[c];
      rows.push_back(std::move(row));
    }
    out[t.name] = std::move(rows);
  }
  return out.dump(1);
}

absl::Status StateStore::ImportPool(const std::string& pool,
                                    const std::string& text) {
  json in = json::parse(text, nullptr, false);
  if (!in.is_object()) {
    return absl::InvalidArgumentError("state: not a JSON object");
  }
  for (const auto& [table, rows] : in.items()) {
    bool known = false;
    for (const PoolTable& t : PoolTables()) known |= table == t.name;
    if (!known || !rows.is_array()) {
      return absl::InvalidArgumentError(
          absl::StrCat("state: unexpected table '", table, "'"));
    }
  }
  absl::MutexLock lock(&mu_);
  {
    absl::StatusOr<Rows> q =
        db_->Query("SELECT 1 FROM revisions WHERE pool = ?1", {pool});
    if (!q.ok()) return q.status();
    if (!q->empty()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "pool '", pool, "' already has a history in this orchestrator"));
    }
  }
  if (absl::Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&](absl::Status s) {
    (void)Exec("ROLLBACK");
    return s;
  };
  for (const PoolTable& t : PoolTables()) {
    if (!in.contains(t.name)) continue;
    // What an earlier start of the pool left (a row in pools, hosts).
    if (absl::Status s = db_->Run(
                             absl::StrCat("DELETE FROM ", t.name, " WHERE ",
                                          t.pool_column, " = ?1"),
                             {pool});
        !s.ok()) {
      return fail(s);
    }
    std::vector<std::string> params;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      params.push_back(absl::StrCat("?", c + 1));
    }
    const std::string insert = absl::StrCat(
        "INSERT INTO ", t.name, " (", absl::StrJoin(t.columns, ", "),
        ") VALUES (", absl::StrJoin(params, ", "), ")");
    size_t n = 0;
    for (const json& row : in[t.name]) {
      ++n;
      std::vector<sqlite::Value> values;
      for (const std::string& c : t.columns) {
        if (!row.is_object() || !row.contains(c) || !row[c].is_string()) {
          return fail(absl::InvalidArgumentError(absl::StrCat(
              "state: ", t.name, " row ", n, ": ", c, " missing")));
        }
        values.push_back(row[c].get<std::string>());
      }
      if (row.size() != t.columns.size() || row[t.pool_column] != pool) {
        return fail(absl::InvalidArgumentError(
            absl::StrCat("state: ", t.name, " row ", n,
                         ": unexpected columns or another pool's row")));
      }
      if (absl::Status s = db_->Run(insert, values); !s.ok()) return fail(s);
    }
  }
  return Exec("COMMIT");
}

}  // namespace poolops::orchestrator
