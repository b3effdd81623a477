#include "host/process_identity.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>

namespace left4me::host {
namespace {

TEST(ProcessIdentityTest, RecycledPidIsNotTheSameProcess) {
  auto self = identify_process(::getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_TRUE(is_alive(*self));
  ProcessIdentity other = *self;
  other.start_ticks += 1;  // same pid, different start: a recycled pid
  EXPECT_FALSE(is_alive(other));
  EXPECT_FALSE(identify_process(0).has_value());
  auto started = start_time_unix(*self);
  EXPECT_LE(std::abs(started - static_cast<std::int64_t>(::time(nullptr))), 600);
}

}  // namespace
}  // namespace left4me::host
