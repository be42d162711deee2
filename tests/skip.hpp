// A test that probes for a machine feature may skip where the feature is missing; with
// GSB_REQUIRE_ALL=1 (set by .ci/run: everything is available there) the skip is a failure.
#pragma once

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

namespace gsb::test {
inline bool require_all() {
  const char* v = std::getenv("GSB_REQUIRE_ALL");
  return v && *v && std::strcmp(v, "0") != 0;
}
}  // namespace gsb::test

#define GSB_SKIP_OR_FAIL(msg)                                                          \
  do {                                                                                 \
    if (::gsb::test::require_all()) FAIL() << "required, not skipped: " << (msg);      \
    GTEST_SKIP() << (msg);                                                             \
  } while (0)
