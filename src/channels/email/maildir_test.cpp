// The maildir route: messages appear whole in new/ (never half-written), with the envelope in
// front and LF line ends; names are unique under concurrent writers; a folder that cannot be
// written gives a clear error.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "channels/email/maildir.hpp"

namespace overture::email {
namespace {

namespace fs = std::filesystem;

class MaildirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = fs::path(::testing::TempDir()) / ("maildir_" + std::to_string(::getpid()));
        fs::remove_all(root_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(root_, ec);
    }
    static std::string Read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    fs::path root_;
};

TEST_F(MaildirTest, WritesWholeMessagesIntoNew) {
    auto writer = MaildirWriter::Open((root_ / "box").string());
    ASSERT_TRUE(writer) << writer.error().message;
    for (const char* sub : {"tmp", "new", "cur"})
        EXPECT_TRUE(fs::is_directory(root_ / "box" / sub));
    const std::string message = "From: a@example.com\r\nSubject: Hi\r\n\r\nline 1\r\n.line 2\r\n";
    auto path = writer->Write("bounces+1-2-abcd@example.com", "ann@example.org", message);
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(fs::path(*path).parent_path(), root_ / "box" / "new");
    EXPECT_EQ(Read(*path),
              "Return-Path: <bounces+1-2-abcd@example.com>\nDelivered-To: ann@example.org\n"
              "From: a@example.com\nSubject: Hi\n\nline 1\n.line 2\n");
    EXPECT_TRUE(fs::is_empty(root_ / "box" / "tmp")) << "nothing is left half-written";
}

TEST_F(MaildirTest, ConcurrentWritersGetUniqueNames) {
    auto writer = MaildirWriter::Open((root_ / "box").string());
    ASSERT_TRUE(writer);
    std::vector<std::thread> threads;
    std::mutex mu;
    std::set<std::string> names;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                auto path = writer->Write("a@b", "c@d", "Subject: x\r\n\r\nx\r\n");
                ASSERT_TRUE(path);
                std::lock_guard lock(mu);
                names.insert(*path);
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(names.size(), 200u);
    EXPECT_EQ(
        std::distance(fs::directory_iterator(root_ / "box" / "new"), fs::directory_iterator()),
        200);
}

TEST_F(MaildirTest, AFolderThatCannotBeWrittenIsAClearError) {
    if (::geteuid() == 0) GTEST_SKIP() << "root writes everywhere";
    fs::create_directories(root_);
    fs::permissions(root_, fs::perms::owner_read | fs::perms::owner_exec);
    auto writer = MaildirWriter::Open((root_ / "box").string());
    ASSERT_FALSE(writer);
    EXPECT_EQ(writer.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(writer.error().message.find((root_ / "box").string()), std::string::npos);
}

TEST_F(MaildirTest, AFileInTheWayIsAClearError) {
    fs::create_directories(root_);
    std::ofstream(root_ / "box") << "not a folder";
    auto writer = MaildirWriter::Open((root_ / "box").string());
    ASSERT_FALSE(writer);
    EXPECT_EQ(writer.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(writer.error().message.find("maildir"), std::string::npos);
}

}  // namespace
}  // namespace overture::email
