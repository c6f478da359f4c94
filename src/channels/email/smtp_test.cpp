// Integration tests of the SMTP client against real servers started here on loopback: the
// aiosmtpd peer of tests/peers/smtp_peer.py (fault modes, STARTTLS with a CA made by the openssl
// CLI, AUTH, SIZE, SMTPUTF8, a log of what it saw) and postfix's smtp-sink (throughput).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "channels/email/smtp_client.hpp"
#include "common/testing/loopback.hpp"

namespace overture::email {
namespace {

using overture::test_util::FreePort;
using overture::test_util::PortOpen;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A child process killed (by PID) when the object goes away.
class Process {
  public:
    Process() = default;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process() { Kill(); }

    // Starts `argv` and waits until `port` accepts connections (at most 10 s).
    // The child's stderr goes to `stderr_path` when given.
    bool Start(std::vector<std::string> argv, std::uint16_t port, std::string stderr_path = {}) {
        pid_ = ::fork();
        if (pid_ == 0) {
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            if (!stderr_path.empty()) {
                const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
                ::dup2(err, 2);
            }
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        for (int i = 0; i < 200; ++i) {
            if (PortOpen(port)) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }
    void Kill() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }

  private:
    pid_t pid_ = -1;
};

std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int Shell(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str());
}

// A test CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA.
// A test CA, a server certificate for 127.0.0.1/localhost signed by it, an unrelated CA, and a
// certificate from the right CA for another name.
struct Certificates {
    fs::path ca, other_ca, cert, key, wrong_name_cert, wrong_name_key;
};

class SmtpTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/overture_smtp_test_XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        out_ = dir_ / "out";
        work_.emplace(io_.get_executor());
        thread_ = std::thread([this] { io_.run(); });
        auto c = Classifier::Create();
        ASSERT_TRUE(c.has_value());
        classifier_ = std::make_shared<const Classifier>(std::move(*c));
    }
    void TearDown() override {
        for (auto& c : clients_) c->Shutdown();
        for (auto& c : clients_) c->Drained().wait_for(5s);
        clients_.clear();
        peer_.Kill();
        work_.reset();
        io_.stop();
        thread_.join();
        fs::remove_all(dir_);
    }

    void StartPeer(std::vector<std::string> extra = {}) {
        if (port_ == 0) port_ = FreePort();
        std::vector<std::string> argv = {
            "/usr/bin/python3",
            std::string(OVERTURE_SOURCE_DIR) + "/tests/peers/smtp_peer.py",
            "--port",
            std::to_string(port_),
            "--out",
            out_.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ASSERT_TRUE(peer_.Start(argv, port_, (dir_ / "peer.log").string()))
            << "the SMTP peer did not start";
    }

    Certificates MakeCertificates() {
        const std::string d = dir_.string();
        auto make_ca = [&](const std::string& name) {
            return Shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name +
                         " -keyout " + d + "/" + name + ".key -out " + d + "/" + name + ".pem");
        };
        auto make_server = [&](const std::string& name, const std::string& san) {
            std::ofstream(d + "/" + name + ".cnf") << "subjectAltName=" << san << "\n";
            EXPECT_EQ(Shell("openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " +
                            d + "/" + name + ".key -out " + d + "/" + name + ".csr"),
                      0);
            EXPECT_EQ(Shell("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d +
                            "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -days 2 -extfile " +
                            d + "/" + name + ".cnf -out " + d + "/" + name + ".pem"),
                      0);
        };
        EXPECT_EQ(make_ca("ca"), 0);
        EXPECT_EQ(make_ca("other_ca"), 0);
        make_server("server", "IP:127.0.0.1,DNS:localhost");
        make_server("wrong_name", "DNS:mail.example.org");
        return {dir_ / "ca.pem",     dir_ / "other_ca.pem",   dir_ / "server.pem",
                dir_ / "server.key", dir_ / "wrong_name.pem", dir_ / "wrong_name.key"};
    }

    SmtpRouteSettings Settings() const {
        SmtpRouteSettings s;
        s.host = "127.0.0.1";
        s.port = port_;
        s.tls = TlsMode::kNone;
        s.pool_size = 1;
        s.connect_timeout = 5s;
        s.command_timeout = 5s;
        s.data_timeout = 5s;
        s.reconnect_backoff_initial = 50ms;
        s.reconnect_backoff_max = 200ms;
        s.max_queue_wait = 0ms;
        return s;
    }

    SmtpClient& Client(SmtpRouteSettings s) {
        clients_.push_back(
            std::make_unique<SmtpClient>(io_.get_executor(), std::move(s), classifier_));
        return *clients_.back();
    }

    static Envelope Message(std::string rcpt, std::string body = "Hello.\r\n") {
        Envelope e;
        e.mail_from = "sender@example.com";
        e.rcpt_to = std::move(rcpt);
        e.data = std::make_shared<const std::string>(
            "From: sender@example.com\r\nTo: x\r\n"
            "Subject: test\r\n\r\n" +
            body);
        return e;
    }

    static SendResult Wait(std::future<SendResult> f, std::chrono::seconds limit = 20s) {
        if (f.wait_for(limit) != std::future_status::ready) {
            ADD_FAILURE() << "no result within " << limit.count() << " s";
            return {};
        }
        return f.get();
    }

    std::vector<fs::path> Received() const {
        std::vector<fs::path> files;
        if (!fs::exists(out_)) return files;
        for (const auto& e : fs::directory_iterator(out_)) {
            if (e.path().extension() == ".eml") files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        return files;
    }
    std::string Events() const { return ReadFile(out_ / "events.log"); }
    static int Count(const std::string& haystack, const std::string& needle) {
        int n = 0;
        for (auto p = haystack.find(needle); p != std::string::npos;
             p = haystack.find(needle, p + 1)) {
            ++n;
        }
        return n;
    }

    fs::path dir_, out_;
    std::uint16_t port_ = 0;
    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::thread thread_;
    std::shared_ptr<const Classifier> classifier_;
    Process peer_;
    std::vector<std::unique_ptr<SmtpClient>> clients_;
};

TEST(DotStuff, StuffsLeadingDotsAndTerminates) {
    EXPECT_EQ(DotStuff("a\r\n.b\r\n..\r\n.\r\n"), "a\r\n..b\r\n...\r\n..\r\n.\r\n");
    EXPECT_EQ(DotStuff(".x"), "..x\r\n.\r\n");
    EXPECT_EQ(DotStuff(""), ".\r\n");
}

TEST_F(SmtpTest, PooledPipelinedSendKeepsBytesExact) {
    StartPeer();
    auto& client = Client(Settings());
    std::vector<std::future<SendResult>> futures;
    std::vector<std::string> bodies;
    for (int i = 0; i < 20; ++i) {
        bodies.push_back("line " + std::to_string(i) + "\r\n.starts with a dot\r\n..two\r\n.\r\n" +
                         "end\r\n");
        futures.push_back(
            client.Send(Message("user" + std::to_string(i) + "@example.org", bodies.back())));
    }
    for (auto& f : futures) {
        const auto r = Wait(std::move(f));
        EXPECT_EQ(r.outcome, Outcome::kSent) << r.reply;
        EXPECT_EQ(r.code, 250);
    }
    const auto files = Received();
    ASSERT_EQ(files.size(), 20u);
    for (std::size_t i = 0; i < files.size(); ++i) {
        EXPECT_EQ(ReadFile(files[i]), *Message("x", bodies[i]).data);
    }
    const auto stats = client.stats();
    EXPECT_EQ(stats.connections_opened, 1u);
    EXPECT_EQ(stats.messages_sent, 20u);
    EXPECT_EQ(stats.rsets, 0u);  // clean transactions need no RSET
    // 2 round trips per message: MAIL+RCPT+DATA, then the body.
    const auto events = Events();
    EXPECT_EQ(Count(events, "ehlo"), 1);  // one session (the start-up probe also connects)
    EXPECT_EQ(Count(events, "pipelined"), 20);
    EXPECT_EQ(Count(events, "rset"), 0);
}

TEST_F(SmtpTest, LockstepWithoutPipelining) {
    StartPeer({"--no-pipelining"});
    auto& client = Client(Settings());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Wait(client.Send(Message("a@example.org"))).outcome, Outcome::kSent);
    }
    EXPECT_EQ(Received().size(), 3u);
    EXPECT_EQ(Count(Events(), "pipelined"), 0);
}

TEST_F(SmtpTest, FaultsAreClassifiedAndNothingIsSentWithout250) {
    StartPeer();
    auto settings = Settings();
    settings.command_timeout = 1s;
    auto& client = Client(settings);
    struct Case {
        std::string rcpt;
        Outcome outcome;
        std::string reason;
        std::string reply_contains;
    };
    const Case cases[] = {
        {"4xx@example.org", Outcome::kSoftFailure, "throttled", "Greylisted"},
        {"5xx@example.org", Outcome::kHardFailure, "user_unknown", "User unknown"},
        {"ok1@example.org", Outcome::kSent, "sent", "queued as"},
        {"data-5xx@example.org", Outcome::kHardFailure, "unknown", "Transaction failed"},
        {"ok2@example.org", Outcome::kSent, "sent", "queued as"},
        {"close@example.org", Outcome::kRouteFailure, "connection", ""},
        {"ok3@example.org", Outcome::kSent, "sent", "queued as"},
        {"421@example.org", Outcome::kSoftFailure, "throttled", "421"},
        {"ok4@example.org", Outcome::kSent, "sent", "queued as"},
        {"stall@example.org", Outcome::kRouteFailure, "timeout", ""},
        {"ok5@example.org", Outcome::kSent, "sent", "queued as"},
    };
    int sent = 0;
    for (const auto& c : cases) {
        const auto start = std::chrono::steady_clock::now();
        const auto r = Wait(client.Send(Message(c.rcpt)));
        EXPECT_EQ(OutcomeName(r.outcome), OutcomeName(c.outcome)) << c.rcpt << ": " << r.reply;
        EXPECT_EQ(r.reason, c.reason) << c.rcpt << ": " << r.reply;
        EXPECT_NE(r.reply.find(c.reply_contains), std::string::npos) << c.rcpt << ": " << r.reply;
        if (r.outcome == Outcome::kSent) ++sent;
        if (c.rcpt.starts_with("stall")) {
            EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
        }
    }
    // A sender the server refuses.
    auto e = Message("ok6@example.org");
    e.mail_from = "mail5xx@example.com";
    const auto r = Wait(client.Send(e));
    EXPECT_EQ(r.outcome, Outcome::kSoftFailure);
    EXPECT_EQ(r.code, 553);
    EXPECT_EQ(r.enhanced_status, "5.7.1");

    EXPECT_EQ(sent, 5);
    EXPECT_EQ(static_cast<int>(Received().size()), sent);  // sent reports == messages received
    // RSET only after the transactions that failed with MAIL accepted (4xx, 5xx at RCPT).
    EXPECT_GE(client.stats().rsets, 2u);
    EXPECT_LE(client.stats().rsets, 3u);
}

TEST_F(SmtpTest, StartTlsVerifiedAndAuth) {
    const auto certs = MakeCertificates();
    StartPeer({"--tls-cert", certs.cert.string(), "--tls-key", certs.key.string(), "--auth",
               "alice:secret"});
    auto settings = Settings();
    settings.tls = TlsMode::kStartTlsRequired;
    settings.ca_file = certs.ca.string();
    settings.username = "alice";
    settings.password = "secret";
    auto& client = Client(settings);
    EXPECT_EQ(Wait(client.Send(Message("a@example.org"))).outcome, Outcome::kSent);
    EXPECT_EQ(Received().size(), 1u);
    EXPECT_EQ(Count(Events(), "auth PLAIN ok"), 1);

    auto caps = boost::asio::co_spawn(io_, client.TestConnection(), boost::asio::use_future);
    ASSERT_EQ(caps.wait_for(10s), std::future_status::ready);
    const auto lines = caps.get();
    ASSERT_TRUE(lines.has_value()) << lines.error().message;
    EXPECT_NE(std::find(lines->begin(), lines->end(), "PIPELINING"), lines->end());
    // After STARTTLS the server no longer offers it.
    EXPECT_EQ(std::find(lines->begin(), lines->end(), "STARTTLS"), lines->end());

    // A wrong CA: the route fails with "tls" and nothing is sent.
    auto wrong = settings;
    wrong.ca_file = certs.other_ca.string();
    auto& bad_client = Client(wrong);
    auto r = Wait(bad_client.Send(Message("b@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kRouteFailure);
    EXPECT_EQ(r.reason, "tls") << r.reply;
    auto test = boost::asio::co_spawn(io_, bad_client.TestConnection(), boost::asio::use_future);
    ASSERT_EQ(test.wait_for(10s), std::future_status::ready);
    const auto failed = test.get();
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().details.at("reason"), "tls");

    // A bad password: route failure "auth" with the server's reply.
    auto bad_password = settings;
    bad_password.password = "wrong";
    r = Wait(Client(bad_password).Send(Message("c@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kRouteFailure);
    EXPECT_EQ(r.reason, "auth");
    EXPECT_EQ(r.code, 535) << r.reply;
    EXPECT_EQ(Received().size(), 1u);
}

TEST_F(SmtpTest, CertificateForAnotherHostIsRefused) {
    const auto certs = MakeCertificates();
    StartPeer(
        {"--tls-cert", certs.wrong_name_cert.string(), "--tls-key", certs.wrong_name_key.string()});
    auto settings = Settings();
    settings.tls = TlsMode::kStartTls;
    settings.ca_file = certs.ca.string();
    auto r = Wait(Client(settings).Send(Message("a@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kRouteFailure);
    EXPECT_EQ(r.reason, "tls") << r.reply;
    // With verification off (a route's explicit choice) the same server is accepted.
    settings.verify_certificate = false;
    r = Wait(Client(settings).Send(Message("a@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kSent) << r.reply;
    EXPECT_EQ(Received().size(), 1u);
}

TEST_F(SmtpTest, BacklogAfterAnOutageUsesThePool) {
    port_ = FreePort();
    auto settings = Settings();
    settings.pool_size = 4;
    settings.max_queue_wait = 20s;
    auto& client = Client(settings);
    std::vector<std::future<SendResult>> futures;
    // "slow@" takes 50 ms per message at the peer: one connection alone needs 2 s for the
    // backlog, long enough for the pool to grow whatever the machine's load.
    for (int i = 0; i < 40; ++i) futures.push_back(client.Send(Message("slow@example.org")));
    std::this_thread::sleep_for(300ms);  // the route is down: the messages wait
    StartPeer();
    for (auto& f : futures) EXPECT_EQ(Wait(std::move(f)).outcome, Outcome::kSent);
    EXPECT_EQ(Received().size(), 40u);
    EXPECT_GE(client.stats().connections_opened, 2u);
    EXPECT_LE(client.stats().connections_opened, 4u);
}

TEST_F(SmtpTest, ImplicitTls) {
    const auto certs = MakeCertificates();
    StartPeer(
        {"--tls-cert", certs.cert.string(), "--tls-key", certs.key.string(), "--implicit-tls"});
    auto settings = Settings();
    settings.tls = TlsMode::kImplicit;
    settings.ca_file = certs.ca.string();
    const auto r = Wait(Client(settings).Send(Message("a@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kSent) << r.reply;
    EXPECT_EQ(Received().size(), 1u);
}

TEST_F(SmtpTest, ShutdownFinishesQueuedMessages) {
    StartPeer();
    auto& client = Client(Settings());
    std::vector<std::future<SendResult>> futures;
    for (int i = 0; i < 5; ++i) futures.push_back(client.Send(Message("a@example.org")));
    client.Shutdown();
    for (auto& f : futures) EXPECT_EQ(Wait(std::move(f)).outcome, Outcome::kSent);
    EXPECT_EQ(client.Drained().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(client.stats().open_connections, 0);
    EXPECT_EQ(Count(Events(), "quit"), 1);
}

TEST_F(SmtpTest, AuthLoginAndPlainTextAuthRefusal) {
    StartPeer({"--auth", "bob:pw", "--auth-exclude", "PLAIN"});
    auto settings = Settings();
    settings.username = "bob";
    settings.password = "pw";
    // Without TLS the client refuses to send credentials unless told otherwise.
    auto r = Wait(Client(settings).Send(Message("a@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kRouteFailure);
    EXPECT_EQ(r.reason, "auth");
    settings.allow_plain_auth = true;
    r = Wait(Client(settings).Send(Message("a@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kSent) << r.reply;
    EXPECT_EQ(Count(Events(), "auth LOGIN ok"), 1);
}

TEST_F(SmtpTest, SizeSmtpUtf8AndEightBit) {
    StartPeer({"--size", "1000"});
    auto& client = Client(Settings());
    auto r = Wait(client.Send(Message("a@example.org", std::string(2000, 'x') + "\r\n")));
    EXPECT_EQ(r.outcome, Outcome::kIgnored);
    EXPECT_EQ(r.reason, "message_too_large");
    auto utf8 = Message("ü@example.org");
    utf8.smtputf8 = true;
    r = Wait(client.Send(utf8));
    EXPECT_EQ(r.outcome, Outcome::kHardFailure);
    EXPECT_EQ(r.reason, "smtputf8_unsupported");
    r = Wait(client.Send(Message("a@example.org", "Grüße\r\n")));
    EXPECT_EQ(r.outcome, Outcome::kSent) << r.reply;
    EXPECT_EQ(Received().size(), 1u);
    EXPECT_NE(Events().find("BODY=8BITMIME"), std::string::npos);

    peer_.Kill();
    StartPeer({"--smtputf8"});
    r = Wait(Client(Settings()).Send(utf8));
    EXPECT_EQ(r.outcome, Outcome::kSent) << r.reply;
    EXPECT_NE(Events().find("SMTPUTF8"), std::string::npos);
}

TEST_F(SmtpTest, ReconnectsAfterThePeerRestarts) {
    StartPeer();
    auto settings = Settings();
    settings.max_queue_wait = 10s;
    auto& client = Client(settings);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Wait(client.Send(Message("a@example.org"))).outcome, Outcome::kSent);
    }
    peer_.Kill();
    // While the peer is down a message waits (max_queue_wait) and goes out once it is back.
    auto pending = client.Send(Message("b@example.org"));
    std::this_thread::sleep_for(300ms);
    StartPeer();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Wait(client.Send(Message("c@example.org"))).outcome, Outcome::kSent);
    }
    EXPECT_EQ(Wait(std::move(pending)).outcome, Outcome::kSent);
    EXPECT_EQ(Received().size(), 7u);
    EXPECT_GE(client.stats().connection_failures, 1u);
}

TEST_F(SmtpTest, DeadRouteFailsQueuedMessages) {
    port_ = FreePort();  // nothing listens
    auto& client = Client(Settings());
    const auto r = Wait(client.Send(Message("a@example.org")));
    EXPECT_EQ(r.outcome, Outcome::kRouteFailure);
    EXPECT_EQ(r.reason, "connection");
    client.Shutdown();
    EXPECT_EQ(Wait(client.Send(Message("a@example.org"))).reason, "shutdown");
    EXPECT_EQ(client.Drained().wait_for(5s), std::future_status::ready);
}

TEST_F(SmtpTest, DomainLimits) {
    StartPeer();
    auto settings = Settings();
    settings.pool_size = 4;
    settings.per_domain_concurrency = 1;
    settings.per_domain_rate = 20;  // a burst of 20, then 20/s
    auto& client = Client(settings);
    std::vector<std::future<SendResult>> futures;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 30; ++i) futures.push_back(client.Send(Message("a@slow.example")));
    for (auto& f : futures) EXPECT_EQ(Wait(std::move(f)).outcome, Outcome::kSent);
    // 20 at once, the other 10 at 20/s: at least ~0.45 s.
    EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
    EXPECT_EQ(Received().size(), 30u);
}

TEST_F(SmtpTest, ThroughputIntoSmtpSink) {
    port_ = FreePort();
    std::vector<std::string> argv = {"/usr/sbin/smtp-sink"};
    if (::getuid() == 0) {
        argv.push_back("-u");
        argv.push_back("nobody");
    }
    argv.push_back("127.0.0.1:" + std::to_string(port_));
    argv.push_back("100");
    ASSERT_TRUE(peer_.Start(argv, port_, (dir_ / "sink.log").string()));
    auto settings = Settings();
    settings.pool_size = 10;
    auto& client = Client(settings);
    std::string body;
    while (body.size() < 20000) body += "Lorem ipsum dolor sit amet, consectetur adipiscing.\r\n";
    const auto data = std::make_shared<const std::string>(*Message("x", body).data);
    // OVERTURE_SMTP_SMOKE_MESSAGES overrides the count for a longer run by hand.
    const char* env = std::getenv("OVERTURE_SMTP_SMOKE_MESSAGES");
    const int kMessages = env != nullptr ? std::max(1, std::atoi(env)) : 1000;
    std::atomic<int> sent{0}, done{0};
    std::promise<void> all;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kMessages; ++i) {
        Envelope e;
        e.mail_from = "bench@example.com";
        e.rcpt_to = "user" + std::to_string(i) + "@example.org";
        e.data = data;
        client.Submit(std::move(e), [&](SendResult r) {
            if (r.outcome == Outcome::kSent) ++sent;
            if (++done == kMessages) all.set_value();
        });
    }
    ASSERT_EQ(all.get_future().wait_for(std::chrono::seconds(30 + kMessages / 1000)),
              std::future_status::ready);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(sent.load(), kMessages);
    EXPECT_LE(client.stats().connections_opened, 10u);
    std::printf("smtp-sink: %d messages of %zu bytes in %.3f s: %.0f msgs/s\n", kMessages,
                data->size(), seconds, kMessages / seconds);
}

}  // namespace
}  // namespace overture::email
