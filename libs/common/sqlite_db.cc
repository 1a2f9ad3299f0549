#include "libs/common/sqlite_db.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "absl/strings/str_cat.h"

namespace poolops::sqlite {
namespace {

// A prepared statement, finalized on scope exit.
class Prepared {
 public:
  Prepared(sqlite3* db, const std::string& sql, const std::vector<Value>& args) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr);
    for (size_t i = 0; rc_ == SQLITE_OK && i < args.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      if (const auto* text = std::get_if<std::string>(&args[i]))
        rc_ = sqlite3_bind_text(stmt_, at, text->c_str(),
                                static_cast<int>(text->size()), SQLITE_TRANSIENT);
      else
        rc_ = sqlite3_bind_int64(stmt_, at, std::get<int64_t>(args[i]));
    }
  }
  ~Prepared() { sqlite3_finalize(stmt_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::filesystem::path& file,
                                             std::string label) {
  sqlite3* db = nullptr;
  const mode_t old_mask = ::umask(077);  // created 0600, never wider
  int rc = sqlite3_open_v2(
      file.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
      nullptr);
  ::umask(old_mask);
  if (rc != SQLITE_OK) {
    std::string err = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::UnavailableError(absl::StrCat(file.string(), ": ", err));
  }
  ::chmod(file.c_str(), 0600);
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<Db> out(new Db(db, std::move(label)));
  absl::Status s = out->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
  if (!s.ok()) return s;
  return out;
}

Db::~Db() { sqlite3_close(db_); }

absl::Status Db::Error(const std::string& sql) const {
  return absl::InternalError(
      absl::StrCat(label_, ": ", sqlite3_errmsg(db_), " (", sql.substr(0, 60), ")"));
}

absl::Status Db::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return absl::InternalError(absl::StrCat(label_, ": ", msg));
  }
  return absl::OkStatus();
}

absl::Status Db::Run(const std::string& sql, const std::vector<Value>& args) {
  Prepared p(db_, sql, args);
  if (!p.ok()) return Error(sql);
  int rc;
  while ((rc = sqlite3_step(p.get())) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return Error(sql);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<std::string>>> Db::Query(
    const std::string& sql, const std::vector<Value>& args) {
  Prepared p(db_, sql, args);
  if (!p.ok()) return Error(sql);
  std::vector<std::vector<std::string>> rows;
  int rc;
  while ((rc = sqlite3_step(p.get())) == SQLITE_ROW) {
    const int n = sqlite3_column_count(p.get());
    std::vector<std::string> row;
    row.reserve(n);
    for (int c = 0; c < n; ++c) {
      const unsigned char* t = sqlite3_column_text(p.get(), c);
      row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return Error(sql);
  return rows;
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

}  // namespace poolops::sqlite
