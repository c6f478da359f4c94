#include "config/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace overture::config {
namespace {

std::string WriteFile(const std::string& text) {
    static int n = 0;
    auto path = std::filesystem::temp_directory_path() /
                ("overture-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++) +
                 ".toml");
    std::ofstream(path) << text;
    return path.string();
}

TEST(Config, DefaultsAreValid) {
    Config c;
    EXPECT_TRUE(c.Validate());
    EXPECT_EQ(c.database.url, "sqlite:var/overture.db");
    EXPECT_EQ(c.http.listen, "127.0.0.1:8080");
}

TEST(Config, FileThenEnvironment) {
    Config c;
    auto path = WriteFile(
        "[database]\nurl = \"postgresql://u@127.0.0.1:5432/o\"\nmax_connections = 4\n"
        "[http]\nlisten = \"0.0.0.0:9000\"\nmetrics = false\n[log]\nlevel = \"debug\"\n");
    ASSERT_TRUE(ApplyFile(c, path));
    EXPECT_EQ(c.database.url, "postgresql://u@127.0.0.1:5432/o");
    EXPECT_EQ(c.database.max_connections, 4);
    EXPECT_EQ(c.http.listen, "0.0.0.0:9000");
    EXPECT_FALSE(c.http.metrics);
    EXPECT_EQ(c.log.level, "debug");

    ASSERT_TRUE(ApplyEnvironment(c, {{"OVERTURE_DATABASE", "sqlite:/tmp/x.db"},
                                     {"OVERTURE_LISTEN", "127.0.0.1:7000"},
                                     {"OVERTURE_HTTP_MAX_BODY_BYTES", "2048"}}));
    EXPECT_EQ(c.database.url, "sqlite:/tmp/x.db");
    EXPECT_EQ(c.http.listen, "127.0.0.1:7000");
    EXPECT_EQ(c.http.max_body_bytes, 2048);
    std::filesystem::remove(path);
}

TEST(Config, ShortEnvironmentFormsWinOverLongOnes) {
    Config c;
    ASSERT_TRUE(ApplyEnvironment(
        c, {{"OVERTURE_DATABASE_URL", "sqlite:a.db"}, {"OVERTURE_DATABASE", "sqlite:b.db"}}));
    EXPECT_EQ(c.database.url, "sqlite:b.db");
}

TEST(Config, ErrorsNameTheKeyAndPlace) {
    Config c;
    auto unknown = ApplyFile(c, WriteFile("[http]\nlisten_on = \"x\"\n"));
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("http.listen_on"), std::string::npos);

    auto syntax = ApplyFile(c, WriteFile("[http\nlisten = 1\n"));
    ASSERT_FALSE(syntax);
    EXPECT_NE(syntax.error().message.find(":1:"), std::string::npos) << syntax.error().message;

    auto type = ApplyFile(c, WriteFile("[http]\nio_threads = \"many\"\n"));
    ASSERT_FALSE(type);
    EXPECT_NE(type.error().message.find("http.io_threads"), std::string::npos);

    auto range = c.Set("http.io_threads", "-1");
    ASSERT_FALSE(range);
    auto env = ApplyEnvironment(c, {{"OVERTURE_LOG_LEVEL", "loud"}});
    ASSERT_FALSE(env);
    EXPECT_NE(env.error().message.find("OVERTURE_LOG_LEVEL"), std::string::npos);
    auto missing = ApplyFile(c, "/nonexistent/overture.toml");
    ASSERT_FALSE(missing);
}

TEST(Config, IoThreadsDefaultToHalfTheCores) {
    EXPECT_EQ(Config().http.io_threads, 0);
    EXPECT_EQ(ResolveIoThreads(0, 2), 1);
    EXPECT_EQ(ResolveIoThreads(0, 8), 4);
    EXPECT_EQ(ResolveIoThreads(0, 3), 1);
    EXPECT_EQ(ResolveIoThreads(0, 1), 1);
    EXPECT_EQ(ResolveIoThreads(0, 0), 1);  // unknown
    EXPECT_EQ(ResolveIoThreads(3, 2), 3);  // as configured
    Config c;
    ASSERT_TRUE(c.Set("http.io_threads", "0"));
    ASSERT_TRUE(c.Set("http.io_threads", "6"));
    EXPECT_EQ(c.http.io_threads, 6);
}

TEST(Config, ValidateChecksListenAndUrl) {
    Config c;
    c.http.listen = "8080";
    EXPECT_FALSE(c.Validate());
    c.http.listen = "[::1]:8080";
    EXPECT_TRUE(c.Validate());
    c.database.url = "mysql://x";
    EXPECT_FALSE(c.Validate());
    auto l = ParseListen("127.0.0.1:65536");
    EXPECT_FALSE(l);
    auto ok = ParseListen("[::1]:80");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->first, "::1");
    EXPECT_EQ(ok->second, 80);
}

TEST(Config, SampleFileLoadsAndListsEveryKey) {
    // overture.sample.toml documents every key; it must load as-is.
    auto path = std::filesystem::path(OVERTURE_SOURCE_DIR) / "overture.sample.toml";
    Config c;
    auto st = ApplyFile(c, path.string());
    ASSERT_TRUE(st) << st.error().message;
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& key : Keys()) {
        auto name = key.key.substr(key.key.find('.') + 1);
        EXPECT_NE(text.find(std::string(name) + " ="), std::string::npos)
            << "overture.sample.toml lacks " << key.key;
    }
}

}  // namespace
}  // namespace overture::config
