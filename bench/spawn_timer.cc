// spawn_timer RUNS -- PROGRAM [ARGS...]: runs the command RUNS times (after
// two warm-up runs), each to its end, stdout and stderr to /dev/null, and
// prints {"runs","median_ms","min_ms","p90_ms","exit"} as one JSON line:
// the wall time from posix_spawn to waitpid, which is what a script calling
// the command pays. A C++ timer, so that its own cost (~0.1 ms) stays out of
// start-up figures of a few milliseconds (node's spawnSync adds ~1-2 ms).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern char** environ;

namespace {

// One run: its wall time in ms, and its exit code in *code.
double RunOnce(char** argv, int* code) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    std::fprintf(stderr, "spawn_timer: %s: %s\n", argv[0], std::strerror(err));
    std::exit(2);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  auto end = std::chrono::steady_clock::now();
  *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return std::chrono::duration<double, std::milli>(end - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: spawn_timer RUNS -- PROGRAM [ARGS...]\n");
    return 2;
  }
  int runs = std::atoi(argv[1]);
  if (runs < 1 || runs > 100000) {
    std::fprintf(stderr, "spawn_timer: RUNS must be 1..100000\n");
    return 2;
  }
  char** command = argv + 3;
  int code = 0;
  for (int i = 0; i < 2; ++i) RunOnce(command, &code);
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    ms.push_back(RunOnce(command, &code));
    if (code != 0) break;  // a failing command is reported, not timed
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "{\"runs\":%zu,\"median_ms\":%.3f,\"min_ms\":%.3f,\"p90_ms\":%.3f,"
      "\"exit\":%d}\n",
      ms.size(), ms[ms.size() / 2], ms.front(),
      ms[std::min(ms.size() - 1, ms.size() * 9 / 10)], code);
  return 0;
}
