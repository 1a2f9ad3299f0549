#include "libs/common/missing_tool_test_support.h"

#include <stdlib.h>

#include <optional>
#include <string>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace poolops::test {
namespace {

// Sets CI for one test, puts back what was there.
class ScopedCi {
 public:
  explicit ScopedCi(const char* value) {
    if (const char* old = std::getenv("CI"); old != nullptr) old_ = old;
    if (value == nullptr)
      ::unsetenv("CI");
    else
      ::setenv("CI", value, 1);
  }
  ~ScopedCi() {
    if (old_.has_value())
      ::setenv("CI", old_->c_str(), 1);
    else
      ::unsetenv("CI");
  }

 private:
  std::optional<std::string> old_;
};

void SshdMissing() {
  POOLOPS_MISSING_TOOL("sshd not installed at "
                       << "/x");
}

TEST(MissingToolTest, UnderCiOnlyWhenCiIsTrue) {
  {
    ScopedCi ci("true");
    EXPECT_TRUE(UnderCi());
  }
  {
    ScopedCi ci("1");
    EXPECT_FALSE(UnderCi());
  }
  ScopedCi ci(nullptr);
  EXPECT_FALSE(UnderCi());
}

TEST(MissingToolTest, FailsUnderCi) {
  ScopedCi ci("true");
  EXPECT_FATAL_FAILURE(SshdMissing(), "sshd not installed at /x (CI=true");
}

// Reported as skipped when it works; a failure when the macro did not skip.
TEST(MissingToolTest, SkipsOutsideCi) {
  ScopedCi ci(nullptr);
  SshdMissing();
  EXPECT_TRUE(IsSkipped());
  EXPECT_FALSE(HasFailure());
}

}  // namespace
}  // namespace poolops::test
