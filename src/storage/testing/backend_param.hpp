#pragma once
// GoogleTest support for suites that run on every backend (see databases.hpp).
//
//     class UsersTest : public overture::storage::testing::BackendTest {};
//     TEST_P(UsersTest, Creates) { Database& db = *fresh().db; ... }
//     OVERTURE_INSTANTIATE_BACKENDS(UsersTest);
//
// Each case gets a fresh migrated database in SetUp(); a backend that cannot provide one
// fails the case (never skips it).
#include <gtest/gtest.h>

#include <string>

#include "storage/testing/databases.hpp"

namespace overture::storage::testing {

class BackendTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        auto made = MakeFresh(GetParam());
        ASSERT_TRUE(made.has_value())
            << GetParam() << ": " << made.error().message
            << (made.error().detail.empty() ? "" : " -- ") << made.error().detail;
        fresh_ = std::move(*made);
    }

    TestDatabase& fresh() { return fresh_; }
    Database& db() { return *fresh_.db; }

  private:
    TestDatabase fresh_;
};

// Test names as the backend names: "Backends/UsersTest.Creates/sqlite".
inline std::string BackendParamName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace overture::storage::testing

#define OVERTURE_INSTANTIATE_BACKENDS(suite)                                                    \
    INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                   \
                             ::testing::ValuesIn(::overture::storage::testing::BackendNames()), \
                             ::overture::storage::testing::BackendParamName)
