// Bounce and complaint parsing (tests/bounces/*.eml against tests/bounces/expected.json), the
// MIME parser on hostile input, the JSON webhook form, and the IMAP reader against a real
// Dovecot started on 127.0.0.1 (tests/peers/dovecot.sh).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "channels/email/bounce.hpp"
#include "channels/email/classify.hpp"
#include "channels/email/imap_reader.hpp"
#include "channels/email/message_id.hpp"
#include "channels/email/mime_parse.hpp"
#include "common/testing/loopback.hpp"

namespace overture::email {
namespace {

using overture::test_util::FreePort;
using overture::test_util::PortOpen;

namespace fs = std::filesystem;
namespace json = boost::json;

fs::path SamplesDir() { return fs::path(OVERTURE_SOURCE_DIR) / "tests" / "bounces"; }

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

const Classifier& TheClassifier() {
    static const Classifier classifier = [] {
        auto c = Classifier::Create();
        if (!c) throw std::runtime_error(c.error().message);
        return std::move(*c);
    }();
    return classifier;
}

// The fields of an event that expected.json states; absent ones are null.
json::object Project(const BounceEvent& event) {
    const json::object full = ToJson(event).as_object();
    json::object out;
    for (const char* key : {"type", "deliveryId", "recipientId", "recipient", "action", "status",
                            "feedbackType", "outcome", "reason"}) {
        const auto* v = full.if_contains(key);
        out[key] = v != nullptr ? *v : json::value(nullptr);
    }
    return out;
}

json::object Normalize(const json::value& expected) {
    json::object out;
    const auto& obj = expected.as_object();
    for (const char* key : {"type", "deliveryId", "recipientId", "recipient", "action", "status",
                            "feedbackType", "outcome", "reason"}) {
        const auto* v = obj.if_contains(key);
        out[key] = v != nullptr ? *v : json::value(nullptr);
    }
    return out;
}

json::object Expectations() {
    return json::parse(ReadFile(SamplesDir() / "expected.json")).as_object();
}

std::vector<std::string> SampleFiles() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(SamplesDir())) {
        if (entry.path().extension() == ".eml") names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

TEST(BounceSamples, EverySampleParsesAsExpected) {
    const json::object expected = Expectations();
    const auto names = SampleFiles();
    ASSERT_GE(names.size(), 15u);
    for (const auto& name : names) {
        SCOPED_TRACE(name);
        const auto* want = expected.if_contains(name);
        ASSERT_NE(want, nullptr) << "no expectation in expected.json";
        const auto events = ParseBounce(ReadFile(SamplesDir() / name), TheClassifier());
        const auto& want_events = want->as_array();
        ASSERT_EQ(events.size(), want_events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            EXPECT_EQ(json::serialize(Project(events[i])),
                      json::serialize(Normalize(want_events[i])))
                << "event " << i << ", diagnostic: " << events[i].diagnostic;
            // For kNotABounce, "why" is a substring of the reason given in `diagnostic`.
            if (const auto* why = want_events[i].as_object().if_contains("why")) {
                EXPECT_NE(events[i].diagnostic.find(std::string(why->as_string())),
                          std::string::npos)
                    << events[i].diagnostic;
            }
        }
    }
    for (const auto& [name, _] : expected) {
        EXPECT_TRUE(fs::exists(SamplesDir() / std::string(name))) << name;
    }
}

TEST(BounceSamples, OriginalMessageIdIsReported) {
    const auto events =
        ParseBounce(ReadFile(SamplesDir() / "postfix_user_unknown.eml"), TheClassifier());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].original_message_id, "<ov.101.1001.d584f245@news.example.com>");
    EXPECT_NE(events[0].diagnostic.find("User unknown in virtual mailbox table"),
              std::string::npos);
}

// Every prefix and a few byte flips of every sample: events or kNotABounce, never a crash.
TEST(BounceSamples, TruncatedAndCorruptedSamplesNeverCrash) {
    for (const auto& name : SampleFiles()) {
        const std::string raw = ReadFile(SamplesDir() / name);
        for (std::size_t cut = 0; cut < raw.size(); cut += 97) {
            const auto events = ParseBounce(std::string_view(raw).substr(0, cut), TheClassifier());
            ASSERT_FALSE(events.empty()) << name << " cut at " << cut;
        }
        std::string flipped = raw;
        for (std::size_t i = 13; i < flipped.size(); i += 131) {
            flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
        }
        EXPECT_FALSE(ParseBounce(flipped, TheClassifier()).empty()) << name;
    }
}

// --- The MIME parser -----------------------------------------------------------------------

TEST(MimeParse, MultipartTreeWithEncodingsAndHeaders) {
    const std::string raw =
        "From: =?utf-8?q?Caf=C3=A9?= <a@b>\r\n"
        "Subject: =?iso-8859-1?q?Gr=FC=DFe?= =?utf-8?b?w6k=?= x\r\n"
        "Content-Type: multipart/mixed;\r\n boundary=\"b1\"\r\n"
        "\r\n"
        "preamble\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "caf=C3=A9 soft=\r\nbreak\r\n"
        "--b1\r\n"
        "Content-Type: application/octet-stream;\r\n"
        " name*0*=utf-8''na%C3%AFve; name*1=\".pdf\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "aGVs\r\nbG8=\r\n"
        "--b1--\r\n"
        "epilogue\r\n";
    auto part = ParseMime(raw);
    ASSERT_TRUE(part) << part.error().message;
    EXPECT_EQ(part->media_type, "multipart/mixed");
    EXPECT_EQ(part->DecodedHeader("from"), "Café <a@b>");
    EXPECT_EQ(part->DecodedHeader("Subject"), "Grüßeé x");
    ASSERT_EQ(part->children.size(), 2u);
    EXPECT_EQ(part->children[0].body, "café softbreak");  // "=" at a line end joins lines
    EXPECT_EQ(part->children[1].body, "hello");
    EXPECT_EQ(part->children[1].Param("NAME"), "naïve.pdf");
}

TEST(MimeParse, MissingCloseDelimiterKeepsTheLastPart) {
    auto part = ParseMime("Content-Type: multipart/mixed; boundary=x\n\n--x\n\nfirst\n--x\n\nlast");
    ASSERT_TRUE(part) << part.error().message;
    ASSERT_EQ(part->children.size(), 2u);
    EXPECT_EQ(part->children[1].body, "last");
}

TEST(MimeParse, MultipartWithoutBoundaryIsAnError) {
    auto part = ParseMime("Content-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n");
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("without a valid boundary"), std::string::npos)
        << part.error().message;
}

TEST(MimeParse, BoundaryThatNeverOccursIsAnError) {
    auto part = ParseMime(
        "Content-Type: multipart/mixed; boundary=zz\n\n"
        "--x\nContent-Type: multipart/alternative; boundary=yy\n\nnothing here\n--x--\n");
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("no delimiter line"), std::string::npos);
}

TEST(MimeParse, NestingBeyondTheLimitIsAnError) {
    std::string raw;
    std::string tail;
    for (int i = 0; i < 20; ++i) {
        raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
               std::to_string(i) + "\n";
        tail = "\n--b" + std::to_string(i) + "--\n" + tail;
    }
    raw += "Content-Type: text/plain\n\nleaf" + tail;
    auto part = ParseMime(raw);
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("nested deeper than 16"), std::string::npos)
        << part.error().message;
    // The error names where: the path of the part that went too deep.
    EXPECT_NE(part.error().message.find("part 1.1.1"), std::string::npos);

    MimeLimits deeper;
    deeper.max_depth = 25;
    EXPECT_TRUE(ParseMime(raw, deeper));
}

TEST(MimeParse, NestedMessagesCountTowardsDepth) {
    std::string raw = "Subject: leaf\n\nleaf\n";
    for (int i = 0; i < 18; ++i) raw = "Content-Type: message/rfc822\n\n" + raw;
    auto part = ParseMime(raw);
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("nested deeper"), std::string::npos);
}

TEST(MimeParse, TooManyPartsIsAnError) {
    std::string raw = "Content-Type: multipart/mixed; boundary=b\n\n";
    for (int i = 0; i < 300; ++i) raw += "--b\n\npart\n";
    raw += "--b--\n";
    auto part = ParseMime(raw);
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("more than 256 parts"), std::string::npos);
}

TEST(MimeParse, BadBase64IsAnError) {
    auto part = ParseMime(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nok\n--b\n"
        "Content-Transfer-Encoding: base64\n\naGVs*bG8=\n--b--\n");
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("part 2: bad base64"), std::string::npos)
        << part.error().message;
    EXPECT_FALSE(DecodeBase64("aGVsbG8gQ"));              // a dangling sixth of a quantum
    EXPECT_EQ(DecodeBase64("aGVsbG8").value(), "hello");  // missing padding is fine
}

TEST(MimeParse, HugeHeadersAreAnError) {
    std::string raw = "Subject: x\n";
    for (int i = 0; i < 5000; ++i)
        raw += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'a') + "\n";
    raw += "\nbody\n";
    auto part = ParseMime(raw);
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("header block over"), std::string::npos);
    // One enormous folded header line too.
    std::string folded = "Subject: x";
    for (int i = 0; i < 30000; ++i) folded += "\n continued";
    EXPECT_FALSE(ParseMime(folded + "\n\nbody"));
}

TEST(MimeParse, ManyParametersStayCheap) {
    std::string raw = "Content-Type: text/plain";
    for (int i = 0; i < 20000; ++i) raw += "; p*" + std::to_string(i % 90) + "*=x";
    raw += "\n\nbody";
    const auto start = std::chrono::steady_clock::now();
    auto part = ParseMime(raw);
    ASSERT_TRUE(part) << part.error().message;
    EXPECT_EQ(part->body, "body");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(MimeParse, OversizedInputIsAnError) {
    MimeLimits limits;
    limits.max_bytes = 100;
    auto part = ParseMime(std::string(101, 'a'), limits);
    ASSERT_FALSE(part);
    EXPECT_NE(part.error().message.find("over the limit"), std::string::npos);
}

TEST(MimeParse, ArbitraryBytesNeverCrash) {
    std::uint32_t state = 12345;
    auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return state >> 24;
    };
    const std::string alphabet = "-\n\r:=?;\"<>bBqQ= \tContent-Type: multipart/mixed; boundary=";
    for (int round = 0; round < 300; ++round) {
        std::string raw;
        const std::size_t n = next() * 8;
        for (std::size_t i = 0; i < n; ++i) {
            raw.push_back(next() % 2 ? alphabet[next() % alphabet.size()]
                                     : static_cast<char>(next()));
        }
        (void)ParseMime(raw);
        (void)DecodeRfc2047(raw);
        EXPECT_FALSE(ParseBounce(raw, TheClassifier()).empty());
    }
}

TEST(MimeParse, HeaderBlocksOfADeliveryStatus) {
    std::string_view rest =
        "Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y\nDiagnostic-Code: smtp; 550\n"
        " 5.1.1 unknown\n\n\nFinal-Recipient: rfc822; z@y\n";
    const auto per_message = ParseHeaderBlock(rest, &rest);
    ASSERT_EQ(per_message.size(), 1u);
    const auto first = ParseHeaderBlock(rest, &rest);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[1].value, "smtp; 550 5.1.1 unknown");
    const auto second = ParseHeaderBlock(rest, &rest);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_TRUE(rest.empty());
}

// --- The JSON webhook form -----------------------------------------------------------------

TEST(BounceJson, BounceRoundTripsAndIsClassified) {
    const std::string id = MessageId({42, 7}, "news.example.com");
    auto event = BounceEventFromJson(json::parse(R"({"type":"bounce","messageId":")" + id +
                                                 R"(","recipient":"A@B.example","status":"5.1.1",)"
                                                 R"("diagnostic":"smtp; 550 5.1.1 user unknown"})"),
                                     TheClassifier());
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->kind, BounceKind::kDsn);
    ASSERT_TRUE(event->key);
    EXPECT_EQ(*event->key, (MessageKey{42, 7}));
    EXPECT_EQ(event->recipient, "a@b.example");
    EXPECT_EQ(event->action, "failed");
    EXPECT_EQ(event->classification.outcome, Outcome::kHardFailure);
    EXPECT_EQ(event->classification.reason, "user_unknown");

    const json::value out = ToJson(*event);
    EXPECT_EQ(out.at("type").as_string(), "bounce");
    EXPECT_EQ(out.at("messageId").as_string(), id);
    EXPECT_EQ(out.at("outcome").as_string(), "hard");
    auto again = BounceEventFromJson(out, TheClassifier());
    ASSERT_TRUE(again);
    EXPECT_EQ(json::serialize(ToJson(*again)), json::serialize(out));
}

TEST(BounceJson, EightBitDiagnosticsBecomeUtf8) {
    BounceEvent event;
    event.kind = BounceKind::kDsn;
    event.diagnostic = "smtp; 550 Empf\xe4nger unbekannt";
    EXPECT_EQ(ToJson(event).at("diagnostic").as_string(), "smtp; 550 Empfänger unbekannt");
}

TEST(BounceJson, ComplaintByReturnPath) {
    const std::string verp = VerpAddress("bounces", "news.example.com", {3, 9});
    auto event = BounceEventFromJson(
        json::parse(R"({"type":"complaint","returnPath":")" + verp + R"(","extra":1})"),
        TheClassifier());
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->kind, BounceKind::kComplaint);
    EXPECT_EQ(*event->key, (MessageKey{3, 9}));
    EXPECT_EQ(event->feedback_type, "abuse");
    EXPECT_EQ(event->classification.reason, "complaint");
}

TEST(BounceJson, InvalidEventsNameTheMember) {
    const std::string id = MessageId({1, 2}, "x.example");
    struct Case {
        std::string body;
        std::string needle;
    };
    const std::vector<Case> cases = {
        {R"([1,2])", "object"},
        {R"({"messageId":")" + id + R"("})", "\"type\""},
        {R"({"type":"bounced","messageId":")" + id + R"("})", "\"type\""},
        {R"({"type":"bounce"})", "\"messageId\" or \"returnPath\""},
        {R"({"type":"bounce","messageId":"<someone@else.example>"})", "\"messageId\""},
        {R"({"type":"bounce","messageId":"<ov.1.2.00000000@x.example>"})", "\"messageId\""},
        {R"({"type":"bounce","returnPath":"bounces@x.example"})", "\"returnPath\""},
        {R"({"type":"bounce","messageId":")" + id + R"(","status":"550"})", "\"status\""},
        {R"({"type":"bounce","messageId":")" + id + R"(","status":5})", "\"status\""},
        {R"({"type":"bounce","messageId":")" + id + R"(","action":"maybe"})", "\"action\""},
        {R"({"type":"bounce","messageId":")" + id + R"(","diagnostic":")" + std::string(5000, 'x') +
             R"("})",
         "\"diagnostic\""},
    };
    for (const auto& c : cases) {
        auto event = BounceEventFromJson(json::parse(c.body));
        ASSERT_FALSE(event) << c.body;
        EXPECT_EQ(event.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(event.error().message.find(c.needle), std::string::npos)
            << c.body.substr(0, 80) << " -> " << event.error().message;
    }
}

// --- The IMAP reader against Dovecot -------------------------------------------------------

// A Dovecot holding the sample messages in bob's INBOX; killed (by PID) when destroyed.
class Dovecot {
  public:
    Dovecot() {
        char tmpl[] = "/tmp/overture-dovecot-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        ::chmod(dir_.c_str(), 0755);
        port_ = FreePort();
    }
    ~Dovecot() {
        Stop();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Messages must be in place before Start: the script hands the mail folder to the user
    // Dovecot runs mail processes as.
    void AddMessage(const std::string& name, const std::string& raw) {
        const fs::path maildir = fs::path(dir_) / "mail" / "bob";
        for (const char* sub : {"cur", "new", "tmp"}) fs::create_directories(maildir / sub);
        std::ofstream(maildir / "new" / (std::to_string(++count_) + ".M1P1." + name + ".test"),
                      std::ios::binary)
            << raw;
    }

    // A self-signed certificate for 127.0.0.1 from the openssl CLI, and an IMAPS listener.
    // Returns false if the certificate could not be made.
    bool EnableTls() {
        tls_port_ = FreePort();
        while (tls_port_ == port_) tls_port_ = FreePort();
        const std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
            " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
            dir_ + "/key.pem' -out '" + CertFile() + "' > '" + dir_ + "/openssl.log' 2>&1";
        return std::system(command.c_str()) == 0;
    }

    // Empty when the server is up; else why not (the test then fails or skips).
    std::string Start() {
        const std::string script = std::string(OVERTURE_SOURCE_DIR) + "/tests/peers/dovecot.sh";
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string port = std::to_string(port_);
            const std::string tls_port = std::to_string(tls_port_);
            const std::string key = dir_ + "/key.pem";
            const std::string cert = CertFile();
            const std::string log = dir_ + "/script.log";
            std::freopen(log.c_str(), "w", stdout);
            std::freopen(log.c_str(), "a", stderr);
            if (tls_port_ != 0) {
                ::execl("/bin/sh", "sh", script.c_str(), dir_.c_str(), port.c_str(), "bob",
                        "s3cret pass", tls_port.c_str(), cert.c_str(), key.c_str(),
                        static_cast<char*>(nullptr));
            } else {
                ::execl("/bin/sh", "sh", script.c_str(), dir_.c_str(), port.c_str(), "bob",
                        "s3cret pass", static_cast<char*>(nullptr));
            }
            ::_exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < deadline) {
            if (PortOpen(port_) && (tls_port_ == 0 || PortOpen(tls_port_))) return {};
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return "dovecot exited: " + ReadFile(dir_ + "/script.log") +
                       ReadFile(dir_ + "/dovecot.log");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return "dovecot did not listen within 15 s: " + ReadFile(dir_ + "/dovecot.log");
    }

    void Stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        pid_ = -1;
    }

    std::string Url() const { return "imap://127.0.0.1:" + std::to_string(port_) + "/INBOX"; }
    std::string TlsUrl() const {
        return "imaps://127.0.0.1:" + std::to_string(tls_port_) + "/INBOX";
    }
    std::string CertFile() const { return dir_ + "/cert.pem"; }
    fs::path MailDir() const { return fs::path(dir_) / "mail" / "bob"; }

  private:
    std::string dir_;
    std::uint16_t port_ = 0;
    std::uint16_t tls_port_ = 0;
    pid_t pid_ = -1;
    int count_ = 0;
};

std::size_t CountFiles(const fs::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); ++it) {
        ++n;
    }
    return n;
}

class ImapReaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists("/usr/sbin/dovecot")) GTEST_SKIP() << "dovecot-imapd is not installed";
        const json::object expectations = Expectations();
        for (const auto& name : SampleFiles()) {
            server_.AddMessage(name, ReadFile(SamplesDir() / name));
            const auto& want = expectations.at(name).as_array();
            for (const auto& e : want) expected_.push_back(json::serialize(Normalize(e)));
        }
        std::sort(expected_.begin(), expected_.end());
        const std::string error = server_.Start();
        ASSERT_TRUE(error.empty()) << error;
    }

    ImapSettings Settings() const {
        ImapSettings settings;
        settings.url = server_.Url();
        settings.username = "bob";
        settings.password = "s3cret pass";
        settings.connect_timeout = std::chrono::seconds(5);
        settings.command_timeout = std::chrono::seconds(20);
        return settings;
    }

    Dovecot server_;
    std::vector<std::string> expected_;
};

TEST_F(ImapReaderTest, ClassifiesEveryMessageOnceThenDeletesIt) {
    auto reader = ImapBounceReader::Create(Settings(), TheClassifier());
    ASSERT_TRUE(reader) << reader.error().message;
    std::vector<std::string> seen;
    auto handled = (*reader)->PollOnce(
        [&](const BounceEvent& e) { seen.push_back(json::serialize(Project(e))); });
    ASSERT_TRUE(handled) << handled.error().message;
    EXPECT_EQ(*handled, static_cast<int>(SampleFiles().size()));
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, expected_);

    seen.clear();
    handled = (*reader)->PollOnce([&](const BounceEvent& e) { seen.push_back(e.recipient); });
    ASSERT_TRUE(handled) << handled.error().message;
    EXPECT_EQ(*handled, 0);
    EXPECT_TRUE(seen.empty());
    EXPECT_EQ(CountFiles(server_.MailDir() / "cur") + CountFiles(server_.MailDir() / "new"), 0u);
}

TEST_F(ImapReaderTest, MovesHandledMessagesInBatches) {
    ImapSettings settings = Settings();
    settings.processed_folder = "Bounces Processed";
    settings.max_messages_per_poll = 10;
    auto reader = ImapBounceReader::Create(settings, TheClassifier());
    ASSERT_TRUE(reader) << reader.error().message;
    const int total = static_cast<int>(SampleFiles().size());
    std::vector<std::string> seen;
    int sum = 0;
    for (int poll = 0; poll < 5; ++poll) {
        auto handled = (*reader)->PollOnce(
            [&](const BounceEvent& e) { seen.push_back(json::serialize(Project(e))); });
        ASSERT_TRUE(handled) << handled.error().message;
        EXPECT_LE(*handled, 10);
        sum += *handled;
        if (*handled == 0) break;
    }
    EXPECT_EQ(sum, total);
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, expected_);
    const fs::path folder = server_.MailDir() / ".Bounces Processed";
    EXPECT_EQ(CountFiles(folder / "cur") + CountFiles(folder / "new"),
              static_cast<std::size_t>(total));
}

// A sink that fails (the database is down) leaves the message for the next poll.
TEST_F(ImapReaderTest, AFailingSinkLosesNothing) {
    auto reader = ImapBounceReader::Create(Settings(), TheClassifier());
    ASSERT_TRUE(reader) << reader.error().message;
    int calls = 0;
    EXPECT_THROW((void)(*reader)->PollOnce([&](const BounceEvent&) {
        if (++calls == 3) throw std::runtime_error("database down");
    }),
                 std::runtime_error);
    std::vector<std::string> seen;
    int sum = 0;
    for (int poll = 0; poll < 2; ++poll) {
        auto handled = (*reader)->PollOnce(
            [&](const BounceEvent& e) { seen.push_back(json::serialize(Project(e))); });
        ASSERT_TRUE(handled) << handled.error().message;
        sum += *handled;
    }
    // The messages handled before the failure are gone; the failing one and the rest remain.
    EXPECT_GE(sum, static_cast<int>(SampleFiles().size()) - 3);
    EXPECT_LE(sum, static_cast<int>(SampleFiles().size()) - 1);
    EXPECT_EQ(CountFiles(server_.MailDir() / "cur") + CountFiles(server_.MailDir() / "new"), 0u);
}

TEST_F(ImapReaderTest, BadPasswordIsAClearError) {
    ImapSettings settings = Settings();
    settings.password = "wrong";
    auto reader = ImapBounceReader::Create(settings, TheClassifier());
    ASSERT_TRUE(reader);
    int calls = 0;
    auto handled = (*reader)->PollOnce([&](const BounceEvent&) { ++calls; });
    ASSERT_FALSE(handled);
    EXPECT_EQ(handled.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(handled.error().message.find("Authentication failed"), std::string::npos)
        << handled.error().message;
    EXPECT_EQ(handled.error().message.find("wrong"), std::string::npos);
    EXPECT_EQ(calls, 0);
}

// IMAPS and STARTTLS with a certificate the reader is told to trust, and one it is not.
TEST(ImapReaderTls, VerifiesTheServerCertificate) {
    if (!fs::exists("/usr/sbin/dovecot")) GTEST_SKIP() << "dovecot-imapd is not installed";
    Dovecot server;
    server.AddMessage("postfix_user_unknown.eml",
                      ReadFile(SamplesDir() / "postfix_user_unknown.eml"));
    server.AddMessage("arf_yahoo_abuse.eml", ReadFile(SamplesDir() / "arf_yahoo_abuse.eml"));
    ASSERT_TRUE(server.EnableTls()) << "openssl could not make a test certificate";
    const std::string error = server.Start();
    ASSERT_TRUE(error.empty()) << error;

    ImapSettings settings;
    settings.username = "bob";
    settings.password = "s3cret pass";
    settings.connect_timeout = std::chrono::seconds(5);
    settings.command_timeout = std::chrono::seconds(20);

    // Not trusted: the system's CAs do not know our certificate.
    settings.url = server.TlsUrl();
    auto untrusted = ImapBounceReader::Create(settings, TheClassifier());
    ASSERT_TRUE(untrusted);
    auto refused = (*untrusted)->PollOnce([](const BounceEvent&) {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(refused.error().message.find("certificate"), std::string::npos)
        << refused.error().message;

    // Trusted through ca_file, over implicit TLS.
    settings.ca_file = server.CertFile();
    settings.max_messages_per_poll = 1;
    auto reader = ImapBounceReader::Create(settings, TheClassifier());
    ASSERT_TRUE(reader);
    std::vector<BounceKind> kinds;
    auto handled = (*reader)->PollOnce([&](const BounceEvent& e) { kinds.push_back(e.kind); });
    ASSERT_TRUE(handled) << handled.error().message;
    EXPECT_EQ(*handled, 1);

    // And over STARTTLS on the plain port.
    settings.url = server.Url();
    settings.starttls = true;
    auto starttls = ImapBounceReader::Create(settings, TheClassifier());
    ASSERT_TRUE(starttls);
    handled = (*starttls)->PollOnce([&](const BounceEvent& e) { kinds.push_back(e.kind); });
    ASSERT_TRUE(handled) << handled.error().message;
    EXPECT_EQ(*handled, 1);
    std::sort(kinds.begin(), kinds.end());
    EXPECT_EQ(kinds, (std::vector<BounceKind>{BounceKind::kDsn, BounceKind::kComplaint}));
}

TEST(ImapReader, UnreachableServerAndBadSettings) {
    ImapSettings settings;
    settings.url = "imap://127.0.0.1:" + std::to_string(FreePort()) + "/INBOX";
    settings.connect_timeout = std::chrono::seconds(3);
    auto reader = ImapBounceReader::Create(settings, TheClassifier());
    ASSERT_TRUE(reader);
    auto handled = (*reader)->PollOnce([](const BounceEvent&) {});
    ASSERT_FALSE(handled);
    EXPECT_EQ(handled.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(handled.error().message.find("127.0.0.1"), std::string::npos);

    settings.url = "http://127.0.0.1/INBOX";
    EXPECT_FALSE(ImapBounceReader::Create(settings, TheClassifier()));
    settings.url = "imap://127.0.0.1";
    EXPECT_FALSE(ImapBounceReader::Create(settings, TheClassifier()));
    settings.url = "imap://127.0.0.1/INBOX";
    settings.max_messages_per_poll = 0;
    EXPECT_FALSE(ImapBounceReader::Create(settings, TheClassifier()));
}

}  // namespace
}  // namespace overture::email
