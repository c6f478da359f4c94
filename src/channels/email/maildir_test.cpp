// The maildir route: messages appear whole in new/ (never half-written), with the envelope in
// front and LF line ends; names are unique under concurrent writers; a folder that cannot be
// written gives a clear error.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "channels/email/maildir.hpp"
#include "channels/email/route.hpp"

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

TEST_F(MaildirTest, RouteReportsEachMessageOnceAndRefusesAfterShutdown) {
    boost::asio::io_context io;
    auto route = MaildirRoute::Open(io.get_executor(), (root_ / "box").string());
    ASSERT_TRUE(route) << route.error().message;
    EmailRoute& r = **route;
    std::vector<SendResult> results;
    auto message = [](std::string rcpt) {
        Envelope e;
        e.mail_from = "bounces@example.com";
        e.rcpt_to = std::move(rcpt);
        e.data = std::make_shared<const std::string>("Subject: hi\r\n\r\nbody\r\n");
        return e;
    };
    r.Submit(message("a@example.org"), [&](SendResult s) { results.push_back(std::move(s)); });
    r.Submit(message("b@example.org"), [&](SendResult s) { results.push_back(std::move(s)); });
    r.Shutdown();  // the two queued are still written
    r.Submit(message("c@example.org"), [&](SendResult s) { results.push_back(std::move(s)); });
    io.run();
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].outcome, Outcome::kSent);
    EXPECT_EQ(results[1].outcome, Outcome::kSent);
    EXPECT_NE(results[0].reply.find((root_ / "box" / "new").string()), std::string::npos);
    EXPECT_EQ(results[2].outcome, Outcome::kRouteFailure);
    EXPECT_EQ(results[2].reason, "shutdown");
    EXPECT_EQ(
        std::distance(fs::directory_iterator(root_ / "box" / "new"), fs::directory_iterator()), 2);
}

TEST_F(MaildirTest, RouteFailsAsARouteFailureWhenTheFolderGoesAway) {
    boost::asio::io_context io;
    auto route = MaildirRoute::Open(io.get_executor(), (root_ / "box").string());
    ASSERT_TRUE(route);
    fs::remove_all(root_ / "box");
    std::optional<SendResult> result;
    Envelope e;
    e.mail_from = "a@b";
    e.rcpt_to = "c@d";
    e.data = std::make_shared<const std::string>("Subject: x\r\n\r\nx\r\n");
    (*route)->Submit(std::move(e), [&](SendResult s) { result = std::move(s); });
    io.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, Outcome::kRouteFailure);
    EXPECT_EQ(result->reason, "maildir");
    EXPECT_NE(result->reply.find("box"), std::string::npos) << result->reply;
}

}  // namespace
}  // namespace overture::email
