// Tests of the DKIM signer: canonicalization against RFC 6376's example and a literal reference,
// body hashes against the openssl command, signatures checked by an independent verifier
// (python3-dkim through tests/peers/dkim_verify.py), keys, errors and concurrent signing.
#include "channels/email/dkim.hpp"
#include "common/testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

namespace overture::email {
namespace {

using overture::test_util::TempDir;
using overture::test_util::WriteFile;

namespace fs = std::filesystem;

constexpr std::int64_t kT0 = 1700000000;  // 2023-11-14T22:13:20Z

const FakeClock& TestClock() {
    static const FakeClock clock{FromUnixMillis(kT0 * 1000)};
    return clock;
}

struct CommandResult {
    int status = -1;
    std::string output;
};

// Runs a shell command (stderr kept apart), returning its exit status and standard output.
CommandResult RunCommand(const std::string& command) {
    CommandResult result;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buffer;
    std::size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        result.output.append(buffer.data(), n);
    int rc = pclose(pipe);
    result.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return result;
}

std::string Sha256Base64(std::string_view data) {
    unsigned char digest[32];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
    std::string out(44, '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(size));
    return out;
}

// The relaxed body rules of RFC 6376 3.4.4 written out literally, line by line.
std::string ReferenceBody(std::string_view body) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (true) {
        std::size_t eol = body.find("\r\n", pos);
        std::string_view piece =
            body.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        std::string line;
        for (char c : piece) {
            bool wsp = c == ' ' || c == '\t';
            if (wsp && !line.empty() && line.back() == ' ') continue;
            line += wsp ? ' ' : c;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(line);
        if (eol == std::string_view::npos) break;
        pos = eol + 2;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string out;
    for (const std::string& line : lines) out += line + "\r\n";
    return out;
}

std::string Canonical(std::string_view body) {
    std::string out;
    CanonicalizeBodyRelaxed(body, out);
    return out;
}

std::string CanonicalHeader(std::string_view field) {
    std::string out;
    CanonicalizeHeaderRelaxed(field, out);
    return out;
}

// The value of tag `name` in an unfolded DKIM-Signature header, whitespace removed.
std::string Tag(std::string_view header, std::string_view name) {
    std::string flat;
    for (char c : header.substr(header.find(':') + 1)) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') flat += c;
    }
    std::string key = std::string(name) + "=";
    std::size_t pos = 0;
    while (pos < flat.size()) {
        std::size_t end = flat.find(';', pos);
        if (end == std::string::npos) end = flat.size();
        std::string_view spec(flat.data() + pos, end - pos);
        if (spec.substr(0, key.size()) == key) return std::string(spec.substr(key.size()));
        pos = end + 1;
    }
    return "<missing>";
}

// --- canonicalization ---------------------------------------------------------------------

TEST(DkimCanonicalization, Rfc6376Section345Example) {
    // A: <SP> X <CRLF>
    // B <SP> : <SP> Y <HTAB><CRLF> <HTAB> Z <SP><SP><CRLF>
    EXPECT_EQ(CanonicalHeader("A: X\r\n"), "a:X\r\n");
    EXPECT_EQ(CanonicalHeader("B : Y\t\r\n\tZ  \r\n"), "b:Y Z\r\n");
    // <SP> C <SP><CRLF> D <SP><HTAB><SP> E <CRLF> <CRLF> <CRLF>
    EXPECT_EQ(Canonical(" C \r\nD \t E\r\n\r\n\r\n"), " C\r\nD E\r\n");
}

TEST(DkimCanonicalization, HeaderRules) {
    EXPECT_EQ(CanonicalHeader("SUBJECT:   Hello \t  World   \r\n"), "subject:Hello World\r\n");
    EXPECT_EQ(CanonicalHeader("To: a@example.com,\r\n b@example.com\r\n"),
              "to:a@example.com, b@example.com\r\n");
    EXPECT_EQ(CanonicalHeader("X-Empty:\r\n"), "x-empty:\r\n");
    EXPECT_EQ(CanonicalHeader("X-Fold:\r\n\tvalue\r\n"), "x-fold:value\r\n");
    EXPECT_EQ(CanonicalHeader("Subject: caf\xc3\xa9  cr\xc3\xa8me\r\n"),
              "subject:caf\xc3\xa9 cr\xc3\xa8me\r\n");
    EXPECT_EQ(CanonicalHeader("X-No-Crlf: value"), "x-no-crlf:value\r\n");
}

TEST(DkimCanonicalization, BodyEdgeCases) {
    EXPECT_EQ(Canonical(""), "");                // empty body: nothing (3.4.4), not CRLF
    EXPECT_EQ(Canonical("\r\n"), "");            // only empty lines: nothing
    EXPECT_EQ(Canonical("\r\n\r\n  \r\n"), "");  // a line of WSP is an empty line
    EXPECT_EQ(Canonical("Hi"), "Hi\r\n");        // a CRLF is added to the last line
    EXPECT_EQ(Canonical("Hi  "), "Hi\r\n");      // as after SMTP adds the CRLF
    EXPECT_EQ(Canonical("Hi\r\n\r\n\r\n"), "Hi\r\n");
    EXPECT_EQ(Canonical("a\r\n\r\n\r\nb\r\n"), "a\r\n\r\n\r\nb\r\n");  // inner empty lines stay
    EXPECT_EQ(Canonical("\t lead\r\n"), " lead\r\n");
    // A bare LF or CR is an ordinary byte, hashed as written.
    EXPECT_EQ(Canonical("a\nb  \r\n"), "a\nb\r\n");
    EXPECT_EQ(Canonical("a \n b\r\n"), "a \n b\r\n");
    EXPECT_EQ(Canonical("a\r b\r\n"), "a\r b\r\n");
    EXPECT_EQ(Canonical("end\r"), "end\r\r\n");
}

TEST(DkimCanonicalization, BodyMatchesLiteralRulesOnRandomInput) {
    std::mt19937 rng(6376);
    // Mostly words, so that runs are long enough for the 16-byte scan, with every kind of
    // whitespace and line end mixed in.
    const std::array<std::string_view, 12> pieces = {"a",  "word",     "b c",  "lorem ipsum dolor",
                                                     " ",  "\t",       "\r\n", "\r",
                                                     "\n", "\xc3\xa9", "x  y", "\r\n\r\n"};
    for (int round = 0; round < 5000; ++round) {
        std::string body;
        int length = std::uniform_int_distribution<int>(0, round % 2 == 0 ? 20 : 150)(rng);
        for (int i = 0; i < length; ++i) body += pieces[rng() % pieces.size()];
        ASSERT_EQ(Canonical(body), ReferenceBody(body)) << "body: " << testing::PrintToString(body);
        ASSERT_EQ(DkimBodyHash(body), Sha256Base64(ReferenceBody(body)));
    }
}

TEST(DkimCanonicalization, StreamingHashOfLongBodies) {
    // Runs longer than the stack buffer, and many small pieces that fill it many times.
    std::string long_line(100000, 'x');
    std::string spaced;
    for (int i = 0; i < 20000; ++i) spaced += (i % 7 == 0) ? "word \t \r\n" : "w  o r d ";
    for (const std::string& body : {long_line, long_line + "\r\n", spaced, spaced + long_line}) {
        EXPECT_EQ(DkimBodyHash(body), Sha256Base64(ReferenceBody(body)));
    }
}

TEST(DkimCanonicalization, BodyHashMatchesOpensslCommand) {
    TempDir dir;
    struct Case {
        std::string body;
        std::string by_hand;  // canonicalized by hand
    };
    const std::vector<Case> cases = {
        {"Hello,  world!\t\r\nSecond line   \r\n\r\n\r\n", "Hello, world!\r\nSecond line\r\n"},
        {"", ""},
        {"no final crlf", "no final crlf\r\n"},
        {"  indented\r\n\t\ttabs\tinside\r\n", " indented\r\n tabs inside\r\n"},
        {"caf\xc3\xa9 \r\n", "caf\xc3\xa9\r\n"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        fs::path file = dir.path() / ("body" + std::to_string(i));
        WriteFile(file, cases[i].by_hand);
        CommandResult r =
            RunCommand("openssl dgst -sha256 -binary '" + file.string() + "' | base64 -w0");
        ASSERT_EQ(r.status, 0);
        EXPECT_EQ(DkimBodyHash(cases[i].body), r.output) << "case " << i;
    }
    EXPECT_EQ(DkimBodyHash(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");  // RFC 6376 3.4.4
}

// --- keys ---------------------------------------------------------------------------------

struct Keys {
    DkimKeyPair rsa;
    DkimKeyPair ed25519;
};

const Keys& TestKeys() {
    static const Keys keys = [] {
        Keys k;
        k.rsa = GenerateDkimKey(DkimAlgorithm::kRsaSha256).value();
        k.ed25519 = GenerateDkimKey(DkimAlgorithm::kEd25519Sha256).value();
        return k;
    }();
    return keys;
}

TEST(DkimKeys, GeneratedKeysRoundTripThroughPem) {
    const Keys& keys = TestKeys();
    for (const DkimKeyPair* key : {&keys.rsa, &keys.ed25519}) {
        EXPECT_TRUE(key->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        auto again = DkimPublicFromPrivate(key->private_key_pem);
        ASSERT_TRUE(again.has_value()) << again.error().message;
        EXPECT_EQ(again->algorithm, key->algorithm);
        EXPECT_EQ(again->public_key_base64, key->public_key_base64);
        EXPECT_EQ(again->private_key_pem, key->private_key_pem);
    }
    EXPECT_EQ(keys.ed25519.public_key_base64.size(), 44u);  // 32 raw bytes
    EXPECT_EQ(DkimDnsRecord(keys.ed25519),
              "v=DKIM1; k=ed25519; p=" + keys.ed25519.public_key_base64);
    EXPECT_TRUE(
        DkimDnsRecord(keys.rsa).starts_with("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC"));

    // The RSA p= is the public key the openssl command derives from the PEM.
    TempDir dir;
    WriteFile(dir.path() / "key.pem", keys.rsa.private_key_pem);
    CommandResult r = RunCommand("openssl pkey -in '" + (dir.path() / "key.pem").string() +
                                 "' -pubout -outform DER 2>/dev/null | base64 -w0");
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.output, keys.rsa.public_key_base64);
}

TEST(DkimKeys, RsaSizeAndPkcs1Input) {
    EXPECT_EQ(GenerateDkimKey(DkimAlgorithm::kRsaSha256, 512).error().code,
              ErrorCode::kInvalidArgument);
    EXPECT_EQ(GenerateDkimKey(DkimAlgorithm::kRsaSha256, 8192).error().code,
              ErrorCode::kInvalidArgument);
    auto small = GenerateDkimKey(DkimAlgorithm::kRsaSha256, 1024);
    ASSERT_TRUE(small.has_value());

    TempDir dir;
    fs::path pem = dir.path() / "key.pem";
    WriteFile(pem, small->private_key_pem);
    CommandResult pkcs1 =
        RunCommand("openssl rsa -in '" + pem.string() + "' -traditional 2>/dev/null");
    ASSERT_EQ(pkcs1.status, 0);
    ASSERT_TRUE(pkcs1.output.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    auto from_pkcs1 = DkimPublicFromPrivate(pkcs1.output);
    ASSERT_TRUE(from_pkcs1.has_value()) << from_pkcs1.error().message;
    EXPECT_EQ(from_pkcs1->public_key_base64, small->public_key_base64);
    EXPECT_EQ(from_pkcs1->private_key_pem, small->private_key_pem);  // re-encoded as PKCS#8
}

TEST(DkimKeys, BadPemGivesAClearError) {
    auto not_pem = DkimPublicFromPrivate("hello");
    ASSERT_FALSE(not_pem.has_value());
    EXPECT_EQ(not_pem.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(not_pem.error().message.find("not PEM"), std::string::npos);

    auto garbage = DkimPublicFromPrivate(
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    ASSERT_FALSE(garbage.has_value());
    EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(garbage.error().message.find("cannot be read"), std::string::npos);

    TempDir dir;
    // An encrypted key fails at once; it must not prompt for a passphrase.
    CommandResult encrypted =
        RunCommand("openssl genpkey -algorithm ed25519 -aes256 -pass pass:secret 2>/dev/null");
    ASSERT_EQ(encrypted.status, 0);
    auto enc = DkimPublicFromPrivate(encrypted.output);
    ASSERT_FALSE(enc.has_value());
    EXPECT_EQ(enc.error().code, ErrorCode::kInvalidArgument);

    CommandResult ec =
        RunCommand("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null");
    ASSERT_EQ(ec.status, 0);
    auto ec_key = DkimPublicFromPrivate(ec.output);
    ASSERT_FALSE(ec_key.has_value());
    EXPECT_NE(ec_key.error().message.find("RSA or Ed25519"), std::string::npos);

    CommandResult small =
        RunCommand("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 2>/dev/null");
    ASSERT_EQ(small.status, 0);
    auto small_key = DkimPublicFromPrivate(small.output);
    ASSERT_FALSE(small_key.has_value());
    EXPECT_NE(small_key.error().message.find("512 bits"), std::string::npos);

    auto signer = DkimSigner::Create("example.com", "s1", "junk");
    ASSERT_FALSE(signer.has_value());
    EXPECT_EQ(signer.error().code, ErrorCode::kInvalidArgument);
}

TEST(DkimKeys, TxtStrings) {
    std::string record = DkimDnsRecord(TestKeys().rsa);
    ASSERT_GT(record.size(), 255u);
    std::vector<std::string> parts = SplitTxtStrings(record);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].size(), 255u);
    EXPECT_EQ(parts[0] + parts[1], record);
    EXPECT_EQ(ZoneFileTxtValue(record), "\"" + parts[0] + "\" \"" + parts[1] + "\"");
    EXPECT_EQ(ZoneFileTxtValue("v=DKIM1; k=ed25519; p=x"), "\"v=DKIM1; k=ed25519; p=x\"");
}

// --- signer -------------------------------------------------------------------------------

TEST(DkimSigner, CreateChecksItsArguments) {
    const std::string& pem = TestKeys().ed25519.private_key_pem;
    EXPECT_FALSE(DkimSigner::Create("", "s1", pem).has_value());
    EXPECT_FALSE(DkimSigner::Create("exa mple.com", "s1", pem).has_value());
    EXPECT_FALSE(DkimSigner::Create("-bad.example", "s1", pem).has_value());
    EXPECT_FALSE(DkimSigner::Create("example.com", "", pem).has_value());
    EXPECT_FALSE(DkimSigner::Create("example.com", "s_1", pem).has_value());
    EXPECT_FALSE(DkimSigner::Create("example.com", "s1", pem, {"subject", "bad name"}).has_value());
    EXPECT_FALSE(DkimSigner::Create("example.com", "s1", pem, {"x:y"}).has_value());

    auto idn = DkimSigner::Create(
        "B\xc3\xbc"
        "cher.Example.",
        "s1", pem);
    ASSERT_TRUE(idn.has_value()) << idn.error().message;
    EXPECT_EQ(idn->domain(), "xn--bcher-kva.example");
    EXPECT_EQ(idn->algorithm(), DkimAlgorithm::kEd25519Sha256);
    auto upper = DkimSigner::Create("MAIL.Example.COM", "2026a.news", pem);
    ASSERT_TRUE(upper.has_value());
    EXPECT_EQ(upper->domain(), "mail.example.com");
}

TEST(DkimSigner, HeaderShape) {
    auto signer = DkimSigner::Create("example.com", "sel", TestKeys().rsa.private_key_pem,
                                     DefaultSignedHeaders(), &TestClock());
    ASSERT_TRUE(signer.has_value());
    std::string message =
        "From: A <a@example.com>\r\nTo: b@example.org\r\nTo: c@example.org\r\nSubject: Hi\r\n"
        "X-Other: not signed\r\n\r\nBody\r\n";
    std::string out = "prefix";
    ASSERT_TRUE(signer->Sign(message, out).has_value());
    ASSERT_TRUE(out.starts_with("prefixDKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;"));
    std::string header = out.substr(6);
    ASSERT_TRUE(header.ends_with("\r\n"));
    EXPECT_EQ(Tag(header, "d"), "example.com");
    EXPECT_EQ(Tag(header, "s"), "sel");
    EXPECT_EQ(Tag(header, "t"), std::to_string(kT0));
    EXPECT_EQ(Tag(header, "h"), "from:from:to:to:subject");  // From over-signed
    EXPECT_EQ(Tag(header, "bh"), DkimBodyHash("Body\r\n"));
    EXPECT_EQ(Tag(header, "x"), "<missing>");
    EXPECT_EQ(Tag(header, "b").size(), 344u);  // 256 bytes
    // Folded into lines of at most 78 characters, each continuation starting with a tab.
    std::istringstream lines(header);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        ASSERT_TRUE(line.ends_with('\r'));
        EXPECT_LE(line.size() - 1, 78u) << line;
        if (count++ > 0) {
            EXPECT_EQ(line[0], '\t');
        }
    }
    EXPECT_GE(count, 4);

    // RSA PKCS#1 v1.5 is deterministic: the same input signs the same.
    std::string again;
    ASSERT_TRUE(signer->Sign(message, again).has_value());
    EXPECT_EQ(again, header);
}

TEST(DkimSigner, MessageWithoutFromIsRefused) {
    auto signer = DkimSigner::Create("example.com", "sel", TestKeys().ed25519.private_key_pem);
    ASSERT_TRUE(signer.has_value());
    std::string out;
    auto status = signer->Sign("To: b@example.org\r\nSubject: x\r\n\r\nbody\r\n", out);
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(out.empty());
    // A "From" inside the body is not a header.
    EXPECT_FALSE(signer->Sign("To: b@example.org\r\n\r\nFrom: x@example.com\r\n", out));
}

// --- independent verification -------------------------------------------------------------

std::string Headers(std::string_view extra = "") {
    return std::string(
               "From: Overture News <news@example.com>\r\n"
               "To: Alice <alice@example.org>\r\n"
               "Subject: Autumn offers\r\n"
               "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
               "Message-ID: <ov.1.2.abcdef01@example.com>\r\n"
               "MIME-Version: 1.0\r\n") +
           std::string(extra);
}

std::map<std::string, std::string> SampleMessages() {
    std::string long_line(3000, 'L');
    std::string spaces;
    for (int i = 0; i < 200; ++i) spaces += "word \t  word\t\r\n";
    std::string big;
    while (big.size() < 40000)
        big += "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n";
    std::map<std::string, std::string> m;
    m["ascii"] = Headers("Content-Type: text/plain; charset=us-ascii\r\n") +
                 "\r\nHello Alice,\r\n\r\nOur autumn offers are here.\r\n";
    m["utf8"] = std::string(
                    "From: =?utf-8?q?Caf=C3=A9?= <news@example.com>\r\n"
                    "To: Ren\xc3\xa9"
                    "e <renee@example.org>\r\n"
                    "Subject: Caf\xc3\xa9 cr\xc3\xa8me \xe2\x98\x95\r\n"
                    "MIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n\r\n") +
                "Bonjour Ren\xc3\xa9"
                "e,\r\n\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e  \t text\r\n";
    m["folded"] = std::string(
                      "From: Overture News\r\n <news@example.com>\r\n"
                      "To: alice@example.org,\r\n\tbob@example.org,\r\n   carol@example.org\r\n"
                      "Subject: A subject that is long enough\r\n\t to be folded  \r\n"
                      "List-Unsubscribe: <mailto:u@example.com?subject=u>,\r\n"
                      " <https://example.com/u/abc>\r\n"
                      "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                      "Feedback-ID: 1:2:news:overture\r\n"
                      "Content-Type: multipart/alternative;\r\n boundary=\"b1\"\r\n\r\n") +
                  "--b1\r\nContent-Type: text/plain\r\n\r\ntext\r\n--b1--\r\n";
    m["empty_body"] = Headers() + "\r\n";
    m["trailing_blank_lines"] = Headers() + "\r\nHi\r\n\r\n\r\n\r\n";
    m["only_blank_lines"] = Headers() + "\r\n\r\n\r\n";
    m["no_blank_line"] = Headers();  // headers only: the body is empty
    m["several_to"] =
        Headers("To: Bob <bob@example.org>\r\nTo: carol@example.org\r\n") + "\r\nto three\r\n";
    m["long_lines"] = Headers() + "\r\n" + long_line + "\r\n" + spaces + long_line + "\r\n";
    m["large"] = Headers("Reply-To: help@example.com\r\n") + "\r\n" + big;
    m["mixed_case_names"] =
        "FROM: news@example.com\r\nsubject: lower\r\nTO: x@example.org\r\n"
        "\r\nbody\r\n";
    return m;
}

struct Verified {
    std::map<std::string, std::string> results;  // file -> "ok" or "fail ..."
    std::string raw;
};

// Writes `messages` (name -> signed message) and the DNS records into a fresh folder and runs
// the independent verifier on them.
Verified VerifyWithDkimpy(const std::map<std::string, std::string>& messages) {
    TempDir dir;
    fs::create_directory(dir.path() / "dns");
    WriteFile(dir.path() / "dns" / "rsa._domainkey.example.com", DkimDnsRecord(TestKeys().rsa));
    WriteFile(dir.path() / "dns" / "ed._domainkey.example.com", DkimDnsRecord(TestKeys().ed25519));
    WriteFile(dir.path() / "dns" / "ed._domainkey.xn--bcher-kva.example",
              DkimDnsRecord(TestKeys().ed25519));
    for (const auto& [name, text] : messages) WriteFile(dir.path() / (name + ".eml"), text);
    CommandResult r = RunCommand("timeout 120 /usr/bin/python3 '" OVERTURE_SOURCE_DIR
                                 "/tests/peers/dkim_verify.py' '" +
                                 dir.path().string() + "' 2>&1");
    EXPECT_EQ(r.status, 0) << r.output;
    Verified v;
    v.raw = r.output;
    std::istringstream lines(r.output);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string verdict, file;
        words >> verdict >> file;
        if (file.ends_with(".eml")) v.results[file.substr(0, file.size() - 4)] = line;
    }
    return v;
}

std::string SignedWith(const DkimSigner& signer, const std::string& message) {
    std::string out;
    auto status = signer.Sign(message, out);
    EXPECT_TRUE(status.has_value()) << status.error().message;
    return out + message;
}

// Replaces the first occurrence of `from` (not something the DKIM-Signature header contains).
std::string Tampered(std::string signed_message, std::string_view from, std::string_view to) {
    std::size_t pos = signed_message.find(from);
    if (pos == std::string::npos) throw std::runtime_error("nothing to tamper with");
    return signed_message.replace(pos, from.size(), to);
}

TEST(DkimVerification, IndependentVerifierAcceptsOursAndRejectsTampering) {
    auto rsa = DkimSigner::Create("example.com", "rsa", TestKeys().rsa.private_key_pem);
    auto ed = DkimSigner::Create("example.com", "ed", TestKeys().ed25519.private_key_pem);
    ASSERT_TRUE(rsa.has_value() && ed.has_value());

    std::map<std::string, std::string> files;
    std::map<std::string, bool> expect_ok;
    for (const auto& [name, message] : SampleMessages()) {
        for (const auto& [alg, signer] : {std::pair{"rsa", &*rsa}, std::pair{"ed25519", &*ed}}) {
            std::string base = std::string(alg) + "_" + name;
            std::string signed_message = SignedWith(*signer, message);
            files[base] = signed_message;
            expect_ok[base] = true;
            if (name == "ascii" || name == "folded" || name == "large") {
                std::string body_changed = signed_message;
                std::size_t last = body_changed.size() - 3;  // a byte of the body's last line
                body_changed[last] = body_changed[last] == 'x' ? 'y' : 'x';
                files[base + "_tampered_body"] = body_changed;
                expect_ok[base + "_tampered_body"] = false;
                files[base + "_tampered_subject"] =
                    Tampered(signed_message, "Subject: A", "Subject: B");
                expect_ok[base + "_tampered_subject"] = false;
                // Over-signing: a second From added on top breaks the signature...
                files[base + "_added_from"] = "From: evil@example.net\r\n" + signed_message;
                expect_ok[base + "_added_from"] = false;
                // ...while a relay's trace header does not.
                files[base + "_added_received"] =
                    "Received: from relay by mx; Tue, 14 Nov 2023 22:13:21 +0000\r\n" +
                    signed_message;
                expect_ok[base + "_added_received"] = true;
            }
        }
    }
    // A U-label domain is signed as its A-label, where the verifier looks up the key.
    auto idn = DkimSigner::Create(
        "b\xc3\xbc"
        "cher.example",
        "ed", TestKeys().ed25519.private_key_pem);
    ASSERT_TRUE(idn.has_value());
    files["ed25519_idn_domain"] =
        SignedWith(*idn, "From: news@xn--bcher-kva.example\r\nSubject: IDN\r\n\r\nbody\r\n");
    expect_ok["ed25519_idn_domain"] = true;

    Verified v = VerifyWithDkimpy(files);
    ASSERT_EQ(v.results.size(), files.size()) << v.raw;
    for (const auto& [name, ok] : expect_ok) {
        EXPECT_EQ(v.results[name].starts_with("ok "), ok) << v.results[name];
    }
}

TEST(DkimVerification, EightThreadsSignConcurrently) {
    auto rsa = DkimSigner::Create("example.com", "rsa", TestKeys().rsa.private_key_pem,
                                  DefaultSignedHeaders(), &TestClock());
    auto ed = DkimSigner::Create("example.com", "ed", TestKeys().ed25519.private_key_pem,
                                 DefaultSignedHeaders(), &TestClock());
    ASSERT_TRUE(rsa.has_value() && ed.has_value());
    std::map<std::string, std::string> samples = SampleMessages();
    std::vector<std::string> messages;
    for (const auto& [name, message] : samples) messages.push_back(message);

    // Both algorithms are deterministic, so every thread must produce the single-threaded
    // signatures exactly.
    std::vector<std::string> expected_rsa, expected_ed;
    for (const std::string& m : messages) {
        expected_rsa.push_back(SignedWith(*rsa, m));
        expected_ed.push_back(SignedWith(*ed, m));
    }
    constexpr int kThreads = 8;
    constexpr int kRounds = 6;
    std::vector<int> mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                for (std::size_t i = 0; i < messages.size(); ++i) {
                    std::string a, b;
                    if (!rsa->Sign(messages[i], a) || a + messages[i] != expected_rsa[i]) {
                        ++mismatches[t];
                    }
                    if (!ed->Sign(messages[i], b) || b + messages[i] != expected_ed[i]) {
                        ++mismatches[t];
                    }
                }
            }
        });
    }
    for (std::thread& t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;

    std::map<std::string, std::string> files;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        files["rsa" + std::to_string(i)] = expected_rsa[i];
        files["ed" + std::to_string(i)] = expected_ed[i];
    }
    Verified v = VerifyWithDkimpy(files);
    ASSERT_EQ(v.results.size(), files.size()) << v.raw;
    for (const auto& [name, line] : v.results) EXPECT_TRUE(line.starts_with("ok ")) << line;
}

// --- speed (run by hand on a Release build: --gtest_also_run_disabled_tests) ---------------

// Thread CPU time, the divisor `openssl speed` uses too, so that other processes on a shared
// machine do not skew the comparison; wall time is printed beside it.
double CpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename F>
void Measure(const char* what, int iterations, F&& body) {
    auto wall_start = std::chrono::steady_clock::now();
    double cpu_start = CpuSeconds();
    for (int i = 0; i < iterations; ++i) body();
    double cpu = CpuSeconds() - cpu_start;
    double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    std::printf("%-34s %6d in %.3f s CPU (%.3f s wall): %8.0f/s CPU, %7.2f us each\n", what,
                iterations, cpu, wall, iterations / cpu, cpu / iterations * 1e6);
}

TEST(DkimSpeed, DISABLED_SignaturesPerSecond20KB) {
    std::string message = Headers(
        "Content-Type: text/plain; charset=utf-8\r\n"
        "List-Unsubscribe: <https://example.com/u/abc>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nFeedback-ID: 1:2:news:ov\r\n");
    message += "\r\n";
    while (message.size() < 20 * 1024) {
        message +=
            "Dear customer, our autumn offers are here: 20% off every coat until Sunday=\r\n";
    }
    std::printf("message: %zu bytes\n", message.size());
    constexpr int kIterations = 5000;
    for (const auto& [name, key] : {std::pair{"sign rsa-2048", &TestKeys().rsa},
                                    std::pair{"sign ed25519", &TestKeys().ed25519}}) {
        auto signer = DkimSigner::Create("example.com", "s1", key->private_key_pem);
        ASSERT_TRUE(signer.has_value());
        std::string out;
        Measure(name, kIterations, [&] {
            out.clear();
            if (!signer->Sign(message, out)) std::abort();
        });
    }
    // The fixed cost: the same headers with an empty body.
    std::string headers_only = message.substr(0, message.find("\r\n\r\n") + 4);
    auto ed = DkimSigner::Create("example.com", "s1", TestKeys().ed25519.private_key_pem);
    ASSERT_TRUE(ed.has_value());
    std::string out;
    Measure("sign ed25519, empty body", kIterations, [&] {
        out.clear();
        if (!ed->Sign(headers_only, out)) std::abort();
    });
    std::string body = message.substr(message.find("\r\n\r\n") + 4);
    std::string hash;
    Measure("body hash (canonicalize + SHA-256)", kIterations, [&] { hash = DkimBodyHash(body); });
    Measure("SHA-256 of the raw body", kIterations, [&] { hash = Sha256Base64(body); });
}

}  // namespace
}  // namespace overture::email
