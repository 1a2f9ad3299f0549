// Replays every file of the corpus folders given as arguments through the
// harness, so g++ builds run the fuzz seeds as a test. A seed whose name
// (before its extension) ends in `_exp_ok` must be accepted and one ending
// in `_exp_fail` refused; any other seed only must not crash.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/fuzz/fuzz_target.h"

namespace {

enum class Expect { kAnything, kAccepted, kRefused };

Expect ExpectationOf(const std::filesystem::path& file) {
  std::string stem = file.stem().string();
  auto ends_with = [&](const std::string& suffix) {
    return stem.size() >= suffix.size() &&
           stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) ==
               0;
  };
  if (ends_with("_exp_ok")) return Expect::kAccepted;
  if (ends_with("_exp_fail")) return Expect::kRefused;
  return Expect::kAnything;
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 0;
  size_t checked = 0;
  size_t wrong = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path root(argv[i]);
    if (!std::filesystem::exists(root)) {
      std::fprintf(stderr, "corpus folder missing: %s\n", argv[i]);
      return 1;
    }
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)),
                       std::istreambuf_iterator<char>());
      bool accepted = PoolopsFuzzAccepts(
          reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++count;
      Expect expect = ExpectationOf(entry.path());
      if (expect == Expect::kAnything) continue;
      ++checked;
      if (accepted != (expect == Expect::kAccepted)) {
        ++wrong;
        std::fprintf(stderr, "%s: %s, its name expects it %s\n",
                     entry.path().c_str(), accepted ? "accepted" : "refused",
                     accepted ? "refused" : "accepted");
      }
    }
  }
  std::printf("replayed %zu inputs, %zu with an expected outcome, %zu wrong\n",
              count, checked, wrong);
  return count > 0 && wrong == 0 ? 0 : 1;
}
