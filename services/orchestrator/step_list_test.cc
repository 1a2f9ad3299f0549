#include "services/orchestrator/step_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace poolops::orchestrator {
namespace {

using ::testing::ElementsAre;

// Five steps that log what ran and what was taken back; `fail_at` fails.
class StepListTest : public ::testing::Test {
 protected:
  std::vector<Step> Steps(int fail_at) {
    std::vector<Step> steps;
    for (int i = 0; i < 5; ++i) {
      std::string name = absl::StrCat("s", i);
      steps.push_back({name,
                       [this, name, i, fail_at]() -> absl::Status {
                         log_.push_back("do " + name);
                         if (i == fail_at) return absl::UnavailableError(name);
                         return absl::OkStatus();
                       },
                       [this, name] { log_.push_back("undo " + name); }});
    }
    return steps;
  }
  std::vector<std::string> log_;
};

TEST_F(StepListTest, AllDoneNothingUndone) {
  EXPECT_TRUE(RunSteps(Steps(-1)).ok());
  EXPECT_THAT(log_, ElementsAre("do s0", "do s1", "do s2", "do s3", "do s4"));
}

TEST_F(StepListTest, FailureAtStepNUndoesTheStepsBeforeItLastFirst) {
  absl::Status s = RunSteps(Steps(3));
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_EQ(s.message(), "s3");
  EXPECT_THAT(log_, ElementsAre("do s0", "do s1", "do s2", "do s3", "undo s2",
                                "undo s1", "undo s0"));
}

TEST_F(StepListTest, AStepThatMayHaveHalfHappenedIsUndoneFirst) {
  std::vector<Step> steps = Steps(2);
  steps[2].undo_when_failed = true;
  EXPECT_FALSE(RunSteps(steps).ok());
  EXPECT_THAT(log_, ElementsAre("do s0", "do s1", "do s2", "undo s2", "undo s1",
                                "undo s0"));
}

TEST_F(StepListTest, FailureAtTheFirstStepUndoesNothing) {
  EXPECT_FALSE(RunSteps(Steps(0)).ok());
  EXPECT_THAT(log_, ElementsAre("do s0"));
}

TEST_F(StepListTest, ACommitKeepsTheStepsUpToIt) {
  std::vector<Step> steps = Steps(4);
  steps[1].commits = true;
  EXPECT_FALSE(RunSteps(steps).ok());
  EXPECT_THAT(log_, ElementsAre("do s0", "do s1", "do s2", "do s3", "do s4",
                                "undo s3", "undo s2"));
}

TEST_F(StepListTest, StepsWithoutUndoAreSkippedAndLaterStepsDoNotRun) {
  std::vector<Step> steps = Steps(2);
  steps[1].undo = nullptr;
  EXPECT_FALSE(RunSteps(steps).ok());
  EXPECT_THAT(log_, ElementsAre("do s0", "do s1", "do s2", "undo s0"));
}

TEST(StepListEmptyTest, NoStepsIsOk) { EXPECT_TRUE(RunSteps({}).ok()); }

}  // namespace
}  // namespace poolops::orchestrator
