#include <gtest/gtest.h>

#include "gopls_sandbox/core/json.hpp"

using namespace gsb;

TEST(Json, RoundTripsNestedValues) {
  auto v = json::parse(R"({"a":[1,2.5,"x\n\u00e9",true,null],"b":{"c":-3}})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)["a"][0].as_int(), 1);
  EXPECT_DOUBLE_EQ((*v)["a"][1].as_double(), 2.5);
  EXPECT_EQ((*v)["a"][2].as_string(), "x\n\xc3\xa9");
  EXPECT_TRUE((*v)["a"][3].as_bool());
  EXPECT_TRUE((*v)["a"][4].is_null());
  EXPECT_EQ((*v)["b"]["c"].as_int(), -3);
  EXPECT_EQ(v->dump(), R"({"a":[1,2.5,"x\n)" "\xc3\xa9" R"(",true,null],"b":{"c":-3}})");
}

TEST(Json, ErrorsNameLineAndColumn) {
  auto v = json::parse("{\n  \"a\": tru\n}");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("2:8"), std::string::npos) << v.error().message;
  EXPECT_FALSE(json::parse("[1,]").ok());
  EXPECT_FALSE(json::parse("\"abc").ok());
  EXPECT_FALSE(json::parse("1 2").ok());
  EXPECT_FALSE(json::parse("").ok());
}

TEST(Json, SurrogatePairsDecodeToUtf8) {
  auto v = json::parse(R"("\ud83d\ude00")");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->as_string(), "\xf0\x9f\x98\x80");
}

TEST(Errno, NamesRoundTrip) {
  EXPECT_EQ(errno_from_name("EPERM"), 1);
  EXPECT_EQ(errno_from_name("enosys"), 38);
  EXPECT_EQ(errno_from_name("13"), 13);
  EXPECT_EQ(errno_from_name("EBOGUS"), -1);
  EXPECT_STREQ(errno_name(13), "EACCES");
  EXPECT_EQ(errno_text(2), "No such file or directory (ENOENT)");
}
