// A SQLite database file for a service's own state: opened read-write with
// 0600 permissions, WAL and synchronous=FULL (a committed transaction
// survives a crash), a busy timeout, and statements with bound values so
// that nothing read from outside is ever spliced into SQL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace poolops::sqlite {

using Value = std::variant<std::string, int64_t>;

class Statement;

class Db {
 public:
  // Creates the file (0600) when missing. `label` names the database in
  // errors ("history.db").
  static absl::StatusOr<std::unique_ptr<Db>> Open(
      const std::filesystem::path& file, std::string label);
  ~Db();

  // Runs one or several statements without parameters (schema, BEGIN...).
  absl::Status Exec(const std::string& sql);
  // Runs one statement with `args` bound to its ?s; rows are ignored.
  absl::Status Run(const std::string& sql, const std::vector<Value>& args);
  // The rows of a query, every column as text (NULL as "").
  absl::StatusOr<std::vector<std::vector<std::string>>> Query(
      const std::string& sql, const std::vector<Value>& args);
  int64_t Changes() const;

 private:
  Db(sqlite3* db, std::string label) : db_(db), label_(std::move(label)) {}
  absl::Status Error(const std::string& sql) const;

  sqlite3* db_;
  std::string label_;
};

}  // namespace poolops::sqlite
