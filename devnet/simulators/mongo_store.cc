#include "devnet/simulators/mongo_store.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace poolops::sim {
namespace {

namespace fs = std::filesystem;
constexpr char kHeader[] = "poolops-sim-mongo-archive 1\n";

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read"));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

absl::Status WriteFile(const fs::path& path, const std::string& data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  if (!out) {
    return absl::InternalError(absl::StrCat(path.string(), ": cannot write"));
  }
  return absl::OkStatus();
}

// The next "\n"-ended line at *pos.
bool NextLine(const std::string& s, size_t* pos, std::string* line) {
  size_t end = s.find('\n', *pos);
  if (end == std::string::npos) return false;
  *line = s.substr(*pos, end - *pos);
  *pos = end + 1;
  return true;
}

bool SafeRelative(const std::string& path) {
  if (path.empty() || path.size() > 4096 || path[0] == '/') return false;
  for (const auto& part : fs::path(path)) {
    if (part == ".." || part == ".") return false;
  }
  return path.find('\0') == std::string::npos;
}

}  // namespace

absl::StatusOr<std::string> EnsureMongoInstance(const std::string& dir) {
  const fs::path file = fs::path(dir) / kMongoInstanceFile;
  if (fs::exists(file)) return ReadFile(file);
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  }
  if (absl::Status s = WriteFile(file, id); !s.ok()) return s;
  return id;
}

absl::StatusOr<std::string> DumpMongoArchive(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) return absl::NotFoundError(absl::StrCat(dir, ": ", ec.message()));
  std::sort(files.begin(), files.end());
  std::string out = kHeader;
  for (const fs::path& f : files) {
    absl::StatusOr<std::string> data = ReadFile(f);
    if (!data.ok()) return data.status();
    absl::StrAppend(&out, fs::relative(f, dir).string(), "\n", data->size(),
                    "\n", *data);
  }
  return out;
}

absl::Status RestoreMongoArchive(const std::string& dir,
                                 const std::string& archive, bool drop) {
  if (archive.rfind(kHeader, 0) != 0) {
    return absl::InvalidArgumentError("not a mongo simulator archive");
  }
  std::vector<std::pair<std::string, std::string>> files;
  size_t pos = sizeof(kHeader) - 1;
  while (pos < archive.size()) {
    std::string path, size_line;
    size_t size = 0;
    if (!NextLine(archive, &pos, &path) || !SafeRelative(path) ||
        !NextLine(archive, &pos, &size_line) ||
        !absl::SimpleAtoi(size_line, &size) || size > archive.size() - pos) {
      return absl::InvalidArgumentError(
          absl::StrCat("archive truncated or malformed at byte ", pos));
    }
    files.emplace_back(path, archive.substr(pos, size));
    pos += size;
  }
  std::error_code ec;
  if (drop) {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      fs::remove_all(it->path(), ec);
    }
  }
  for (const auto& [path, data] : files) {
    if (absl::Status s = WriteFile(fs::path(dir) / path, data); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

int RunMongoTool(int argc, char** argv) {
  const std::string tool = fs::path(argv[0]).filename().string();
  if (tool == "mongod" && argc == 2 && std::string(argv[1]) == "--version") {
    // What the core's compose files run (library/mongo:4.4).
    const char* v = std::getenv("POOLOPS_SIM_MONGO_VERSION");
    std::printf("db version v%s\n", v != nullptr && *v ? v : "4.4.29");
    return 0;
  }
  if (tool != "mongodump" && tool != "mongorestore") return -1;
  bool archive = false, drop = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--archive") archive = true;
    if (arg == "--drop") drop = true;
    if (arg == "--port" || arg == "--host") ++i;  // one local mongod
  }
  if (!archive) {
    std::fprintf(stderr, "%s (simulator): only --archive (stdin/stdout)\n",
                 tool.c_str());
    return 2;
  }
  if (tool == "mongodump") {
    absl::StatusOr<std::string> out = DumpMongoArchive(kMongoDataDir);
    if (!out.ok()) {
      std::fprintf(stderr, "mongodump: %s\n", out.status().ToString().c_str());
      return 1;
    }
    return std::fwrite(out->data(), 1, out->size(), stdout) == out->size() &&
                   std::fflush(stdout) == 0
               ? 0
               : 1;
  }
  std::string in;
  char buf[1 << 16];
  for (ssize_t n; (n = ::read(0, buf, sizeof(buf))) > 0;) {
    if (in.size() + n > kMaxMongoArchive) {
      std::fprintf(stderr, "mongorestore: archive over %zu bytes\n",
                   kMaxMongoArchive);
      return 1;
    }
    in.append(buf, n);
  }
  absl::Status s = RestoreMongoArchive(kMongoDataDir, in, drop);
  if (!s.ok()) {
    std::fprintf(stderr, "mongorestore: %s\n", s.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "mongorestore: %zu bytes restored\n", in.size());
  return 0;
}

}  // namespace poolops::sim
