// Issue 6's first acceptance point, end to end: messages written by the MIME writer, signed with
// DKIM (RSA-2048 and Ed25519), sent by the SMTP client over STARTTLS (a test CA) with AUTH to
// a real SMTP server (aiosmtpd, tests/peers/smtp_peer.py), and then checked as received: they
// parse as valid MIME with Python's email package (tests/peers/mime_check.py) and their
// signatures verify with Debian's python3-dkim (tests/peers/dkim_verify.py).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "channels/email/classify.hpp"
#include "channels/email/dkim.hpp"
#include "channels/email/mime.hpp"
#include "channels/email/smtp_client.hpp"
#include "common/testing/loopback.hpp"
#include "common/testing/temp_dir.hpp"

namespace overture::email {
namespace {

using overture::test_util::FreePort;
using overture::test_util::PortOpen;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_util::TempDir;
using test_util::WriteFile;

std::string Shell(const std::string& command, int& status) {
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed");
    std::string output;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    status = ::pclose(pipe);
    return output;
}

TEST(EndToEnd, SignedMimeOverStartTlsAndAuthParsesAndVerifies) {
    TempDir dir("overture-email-e2e");
    const std::string d = dir.path().string();
    int status = 0;
    // A test CA and a server certificate for 127.0.0.1.
    Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ca -keyout " + d +
              "/ca.key -out " + d + "/ca.pem",
          status);
    ASSERT_EQ(status, 0);
    std::ofstream(d + "/san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    Shell("openssl req -newkey rsa:2048 -nodes -subj /CN=server -keyout " + d +
              "/server.key -out " + d + "/server.csr && openssl x509 -req -in " + d +
              "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
              "/ca.key -CAcreateserial -days 2 -extfile " + d + "/san.cnf -out " + d +
              "/server.pem",
          status);
    ASSERT_EQ(status, 0);

    const std::uint16_t port = FreePort();
    const std::string out = d + "/received";
    const pid_t peer = ::fork();
    ASSERT_GE(peer, 0);
    if (peer == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a test that aborts
        const std::string script = std::string(OVERTURE_SOURCE_DIR) + "/tests/peers/smtp_peer.py";
        const std::string port_text = std::to_string(port);
        const std::string cert = d + "/server.pem", key = d + "/server.key";
        std::freopen((d + "/peer.log").c_str(), "w", stderr);
        ::execl("/usr/bin/python3", "python3", script.c_str(), "--port", port_text.c_str(), "--out",
                out.c_str(), "--tls-cert", cert.c_str(), "--tls-key", key.c_str(), "--auth",
                "news:app-password", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    struct Reap {
        pid_t pid;
        ~Reap() {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
    } reap{peer};
    for (int i = 0; i < 100 && !PortOpen(port); ++i) std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(PortOpen(port)) << "the SMTP peer did not start";

    auto classifier = Classifier::Create();
    ASSERT_TRUE(classifier);
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::thread io_thread([&] { io.run(); });
    SmtpRouteSettings settings;
    settings.host = "127.0.0.1";
    settings.port = port;
    settings.tls = TlsMode::kStartTlsRequired;
    settings.ca_file = d + "/ca.pem";
    settings.username = "news";
    settings.password = "app-password";
    settings.pool_size = 2;
    settings.command_timeout = 10s;
    settings.data_timeout = 10s;
    SmtpClient client(io.get_executor(), settings,
                      std::make_shared<const Classifier>(std::move(*classifier)));

    auto writer = MessageWriter::Create(
        {.from = {"Zoë's Ünicode News", "news@example.com"},
         .reply_to = Mailbox{"Desk", "desk@example.com"},
         .message_id_domain = "example.com",
         .feedback_id = "7:newsletter:overture",
         .attachments = {{"notes.txt", "text/plain", "", "attachment bytes\n"}}});
    ASSERT_TRUE(writer) << writer.error().message;

    struct Sent {
        std::string subject;
        std::string selector;
    };
    std::vector<Sent> sent;
    fs::create_directories(d + "/verify/dns");
    int n = 0;
    for (auto algorithm : {DkimAlgorithm::kRsaSha256, DkimAlgorithm::kEd25519Sha256}) {
        auto key = GenerateDkimKey(algorithm);
        ASSERT_TRUE(key) << key.error().message;
        const std::string selector = algorithm == DkimAlgorithm::kRsaSha256 ? "rsa1" : "ed1";
        WriteFile(d + "/verify/dns/" + selector + "._domainkey.example.com", DkimDnsRecord(*key));
        auto signer = DkimSigner::Create("example.com", selector, key->private_key_pem);
        ASSERT_TRUE(signer) << signer.error().message;
        for (int i = 0; i < 3; ++i, ++n) {
            const std::string subject =
                "Ünïcödé subject " + std::to_string(n) + " — with a long tail that needs folding";
            const std::string html = "<p>Hello Zoë,</p>\n<p>.a line starting with a dot</p>\n" +
                                     std::string(3000, 'x') + "\n<p>Ende – 終わり</p>\n";
            const std::string text = "Hello Zoë,\n.a line starting with a dot\nFrom here on\n";
            RecipientParts parts;
            parts.to = {"Ann Example", "ann" + std::to_string(n) + "@example.org"};
            parts.subject = subject;
            parts.html = html;
            parts.text = text;
            parts.key = {7, n};
            const std::string unsubscribe = "https://example.com/u/7/" + std::to_string(n);
            parts.list_unsubscribe_url = unsubscribe;
            parts.list_unsubscribe_mailto = "mailto:unsubscribe@example.com";
            parts.date = std::chrono::system_clock::now();
            std::string mime;
            auto utf8 = writer->Write(parts, mime);
            ASSERT_TRUE(utf8) << utf8.error().message;
            std::string message;
            ASSERT_TRUE(signer->Sign(mime, message));
            message += mime;
            Envelope envelope;
            envelope.mail_from = "bounces@example.com";
            envelope.rcpt_to = parts.to.address;
            envelope.data = std::make_shared<const std::string>(std::move(message));
            envelope.smtputf8 = *utf8;
            auto result = client.Send(std::move(envelope));
            ASSERT_EQ(result.wait_for(20s), std::future_status::ready);
            const auto r = result.get();
            ASSERT_EQ(r.outcome, Outcome::kSent) << r.reason << ": " << r.reply;
            sent.push_back({subject, selector});
        }
    }
    client.Shutdown();
    client.Drained().wait_for(10s);
    guard.reset();
    io.stop();
    io_thread.join();

    // What the server received: one file per message, in order.
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(out)) {
        if (e.path().extension() == ".eml") files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    ASSERT_EQ(files.size(), sent.size());
    const std::string log = Shell("cat " + d + "/received/events.log", status);
    EXPECT_NE(log.find("auth PLAIN ok"), std::string::npos) << log;

    // DKIM: every received message verifies with python3-dkim against the published records.
    for (std::size_t i = 0; i < files.size(); ++i) {
        fs::copy_file(files[i], d + "/verify/" + std::to_string(100 + i) + ".eml");
    }
    const std::string verdicts = Shell(
        "/usr/bin/python3 " OVERTURE_SOURCE_DIR "/tests/peers/dkim_verify.py " + d + "/verify",
        status);
    ASSERT_EQ(status, 0) << verdicts;
    for (std::size_t i = 0; i < files.size(); ++i) {
        EXPECT_NE(verdicts.find("ok " + std::to_string(100 + i) + ".eml"), std::string::npos)
            << sent[i].selector << ": " << verdicts;
    }
    EXPECT_EQ(verdicts.find("fail"), std::string::npos) << verdicts;

    // MIME: Python's email package parses each without a defect and finds what was written.
    std::string command = "/usr/bin/python3 " OVERTURE_SOURCE_DIR "/tests/peers/mime_check.py";
    for (const auto& f : files) command += " " + f;
    const std::string report = Shell(command, status);
    ASSERT_EQ(status, 0) << report;
    const auto parsed = boost::json::parse(report);
    ASSERT_TRUE(parsed.is_array());
    ASSERT_EQ(parsed.as_array().size(), files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& m = parsed.as_array()[i].as_object();
        EXPECT_TRUE(m.at("defects").as_array().empty()) << boost::json::serialize(m.at("defects"));
        EXPECT_EQ(m.at("subject").as_string(), sent[i].subject);
        EXPECT_EQ(m.at("list_unsubscribe_post").as_string(), "List-Unsubscribe=One-Click");
        bool html = false, text = false, attachment = false;
        for (const auto& p : m.at("parts").as_array()) {
            const auto& part = p.as_object();
            const std::string type(part.at("content_type").as_string());
            if (type == "text/html") html = true;
            if (type == "text/plain" && part.at("filename").is_null()) text = true;
            if (part.contains("filename") && part.at("filename").is_string() &&
                part.at("filename").as_string() == "notes.txt") {
                attachment = true;
            }
        }
        EXPECT_TRUE(html && text && attachment) << boost::json::serialize(m.at("parts"));
    }
}

}  // namespace
}  // namespace overture::email
