#include "http/static_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace overture::http {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

Request Get(std::string path) {
    Request req;
    req.method = "GET";
    req.path = std::move(path);
    req.target = req.path;
    return req;
}

class StaticFilesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("overture_static_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        WriteFile(root_ / "dist" / "index.html", "<html>app</html>");
        WriteFile(root_ / "dist" / "assets" / "app-1a2b.js", "console.log(1)");
        WriteFile(root_ / "dist" / "favicon.ico", "ico");
        WriteFile(root_ / "secret.txt", "secret");
    }
    void TearDown() override { fs::remove_all(root_); }

    fs::path root_;
};

TEST_F(StaticFilesTest, ServesIndexWithNoCache) {
    StaticFiles files(root_ / "dist");
    auto res = files.Serve(Get("/"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "<html>app</html>");
    EXPECT_EQ(res.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(res.Header("Cache-Control"), "no-cache");
    EXPECT_EQ(res.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(res.Header("ETag").empty());
}

TEST_F(StaticFilesTest, AssetsAreImmutable) {
    StaticFiles files(root_ / "dist");
    auto res = files.Serve(Get("/assets/app-1a2b.js"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "console.log(1)");
    EXPECT_EQ(res.Header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(res.Header("Cache-Control"), "public, max-age=31536000, immutable");
    res = files.Serve(Get("/favicon.ico"));
    EXPECT_EQ(res.Header("Content-Type"), "image/x-icon");
    EXPECT_EQ(res.Header("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, SpaFallbackAndMissingFiles) {
    StaticFiles files(root_ / "dist");
    auto res = files.Serve(Get("/profiles/42"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "<html>app</html>");
    res = files.Serve(Get("/assets/missing-1234.js"));
    EXPECT_EQ(res.status, 404);
    EXPECT_NE(res.body.find(R"({"error":{"code":"not_found")"), std::string::npos);
    EXPECT_EQ(res.Header("X-Content-Type-Options"), "nosniff");
}

TEST_F(StaticFilesTest, RefusesTraversal) {
    StaticFiles files(root_ / "dist");
    for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/./index.html", "/..",
                             "/assets/..\\..\\secret.txt"}) {
        auto res = files.Serve(Get(path));
        EXPECT_EQ(res.status, 400) << path;
        EXPECT_EQ(res.body.find("secret"), std::string::npos) << path;
    }
    // A symlink out of the root is refused as well.
    fs::create_symlink(root_ / "secret.txt", root_ / "dist" / "link.txt");
    auto res = files.Serve(Get("/link.txt"));
    EXPECT_EQ(res.status, 400);
}

TEST_F(StaticFilesTest, EtagGives304) {
    StaticFiles files(root_ / "dist");
    auto first = files.Serve(Get("/assets/app-1a2b.js"));
    auto req = Get("/assets/app-1a2b.js");
    req.headers.emplace_back("if-none-match", std::string(first.Header("ETag")));
    auto res = files.Serve(req);
    EXPECT_EQ(res.status, 304);
    EXPECT_TRUE(res.body.empty());
    EXPECT_EQ(res.Header("ETag"), first.Header("ETag"));
    req.headers.back().second = "\"other\"";
    EXPECT_EQ(files.Serve(req).status, 200);
}

TEST_F(StaticFilesTest, MethodsOtherThanGetAndHeadAre405) {
    StaticFiles files(root_ / "dist");
    auto req = Get("/");
    req.method = "POST";
    auto res = files.Serve(req);
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.Header("Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, UnbuiltUiIs503) {
    StaticFiles files(root_ / "nowhere");
    auto res = files.Serve(Get("/"));
    EXPECT_EQ(res.status, 503);
    EXPECT_NE(res.body.find("make run"), std::string::npos);
    EXPECT_NE(res.body.find(R"("code":"unavailable")"), std::string::npos);
}

}  // namespace
}  // namespace overture::http
