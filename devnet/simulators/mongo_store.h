// The mongo simulator's data: the files of its /data/db volume, and the
// dump/restore tools the real image ships (`mongodump --archive` to stdout,
// `mongorestore --archive --drop` from stdin) so that poolops' backups run
// the same commands in the container. The archive is the simulator's own
// format (a header line, then path, size and bytes per file), not mongo's.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace poolops::sim {

inline constexpr char kMongoDataDir[] = "/data/db";
// What mongod creates on first start: an id that only this data has, so a
// test tells restored data from a fresh volume.
inline constexpr char kMongoInstanceFile[] = "poolops-sim-instance";
// mongorestore reads at most this from stdin.
inline constexpr size_t kMaxMongoArchive = size_t{1} << 30;

// Creates `dir`'s instance file (a random id) when it has none; returns the
// id. A missing `dir` is created.
absl::StatusOr<std::string> EnsureMongoInstance(const std::string& dir);

// Every regular file under `dir`, sorted by path.
absl::StatusOr<std::string> DumpMongoArchive(const std::string& dir);

// Checks the whole archive first, then (with `drop`) removes what `dir`
// holds and writes the archive's files.
absl::Status RestoreMongoArchive(const std::string& dir,
                                 const std::string& archive, bool drop);

// `mongod --version`, `mongodump`/`mongorestore` when argv[0] names one of
// them: runs it on
// kMongoDataDir and returns the exit code; -1 otherwise.
int RunMongoTool(int argc, char** argv);

}  // namespace poolops::sim
