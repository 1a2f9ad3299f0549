// The devnet's lifecycle in the poolctl front: handed to poolctl-full, next
// to this binary, with the command line as the user gave it. poolctl-full is
// built from the same sources: it parses the same line and answers in the
// same words and exit codes; the front only spares every other command the
// start-up cost of the devnet's libraries (libcurl and its ~30 shared
// objects, docker builds).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/devnet_run.h"

namespace poolops::cli {
namespace {

int RunInFull(const Context& ctx) {
  std::error_code ec;
  std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return ctx.Fail(absl::InternalError(
        absl::StrCat("cannot find poolctl's own path: ", ec.message())));
  }
  std::filesystem::path full = self.parent_path() / "poolctl-full";
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(full.c_str()));
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    argv.push_back(const_cast<char*>(ctx.argv[i].c_str()));
  }
  argv.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  execv(full.c_str(), argv.data());
  int err = errno;
  return ctx.Fail(absl::FailedPreconditionError(absl::StrCat(
      full.string(), " cannot run (", std::strerror(err),
      "): poolctl's devnet commands run in it; build or install it next to "
      "poolctl")));
}

}  // namespace

int DevnetUp(const Context& ctx, const DevnetUpArgs&) { return RunInFull(ctx); }
int DevnetDown(const Context& ctx) { return RunInFull(ctx); }
int DevnetReset(const Context& ctx) { return RunInFull(ctx); }
int DevnetImages(const Context& ctx, const DevnetImagesArgs&) {
  return RunInFull(ctx);
}
int DevnetStatus(const Context& ctx) { return RunInFull(ctx); }
int DevnetTraffic(const Context& ctx, const DevnetTrafficArgs&) {
  return RunInFull(ctx);
}

}  // namespace poolops::cli
