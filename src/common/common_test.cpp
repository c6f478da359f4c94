#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/random.hpp"
#include "common/source_error.hpp"
#include "common/strings.hpp"

namespace overture {
namespace {

TEST(Strings, TrimSplitLower) {
    EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
    EXPECT_EQ(Trim(""), "");
    auto parts = Split("a,,b", ',');
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[1], "");
    EXPECT_EQ(ToLower("ÀbC"), "Àbc");  // bytes above ASCII are left alone
}

TEST(Strings, Utf8Validation) {
    EXPECT_TRUE(IsValidUtf8("héllo €𝄞"));
    EXPECT_FALSE(IsValidUtf8("\xC3"));
    EXPECT_FALSE(IsValidUtf8("\xFF"));
    EXPECT_FALSE(IsValidUtf8("a\xE2\x82"));
}

TEST(Strings, Utf8CutsKeepWholeSequences) {
    const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
    EXPECT_EQ(CutUtf8Bytes(s, 100), s);
    EXPECT_EQ(CutUtf8Bytes(s, 0), "");
    EXPECT_EQ(CutUtf8Bytes(s, 1), "a");
    EXPECT_EQ(CutUtf8Bytes(s, 2), "a") << "not half of the é";
    EXPECT_EQ(CutUtf8Bytes(s, 3), "a\xC3\xA9");
    EXPECT_EQ(CutUtf8Bytes(s, 5), "a\xC3\xA9");
    EXPECT_EQ(CutUtf8Bytes(s, 6), "a\xC3\xA9\xE2\x82\xAC");
    EXPECT_EQ(CutUtf8Bytes(s, 9), "a\xC3\xA9\xE2\x82\xAC");
    EXPECT_EQ(CutUtf8Bytes(s, 10), "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    EXPECT_EQ(CutUtf8Points(s, 0), "");
    EXPECT_EQ(CutUtf8Points(s, 1), "a");
    EXPECT_EQ(CutUtf8Points(s, 2), "a\xC3\xA9");
    EXPECT_EQ(CutUtf8Points(s, 4), "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    EXPECT_EQ(CutUtf8Points(s, 5), s);
    EXPECT_EQ(CutUtf8Points(s, 50), s);
    for (std::size_t n = 0; n <= s.size(); ++n) {
        EXPECT_TRUE(IsValidUtf8(CutUtf8Bytes(s, n))) << n;
        EXPECT_LE(CutUtf8Bytes(s, n).size(), n);
    }
}

TEST(Strings, SpreadsheetSafeGuardsFormulaStarts) {
    for (const char* bad : {"=1+1", "=2", "+1+A1", "-2+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx",
                            "+", "- ", "-x", "+1 (555) 0100 ext. 3"}) {
        EXPECT_EQ(SpreadsheetSafe(bad), std::string("'") + bad) << bad;
    }
    // Signed numbers and phone numbers call nothing, and must import back as they are.
    for (const char* fine : {"", "Ana", "1+1", " =x", "'=x", "e=mc2", "+33612345678", "-2", "-2.5",
                             "+1 (555) 010-0100", "+44 20 7946 0958", "-12/03"}) {
        EXPECT_EQ(SpreadsheetSafe(fine), fine) << fine;
    }
}

TEST(Strings, Base64UrlRoundTrip) {
    for (const std::string& s :
         std::vector<std::string>{"", "f", "fo", "foo", "foob", std::string("\0\xFF\xFE", 3)}) {
        std::string back;
        ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(s), back));
        EXPECT_EQ(back, s);
    }
    EXPECT_EQ(Base64UrlEncode("\xFB\xFF"), "-_8");
    std::string out;
    EXPECT_FALSE(Base64UrlDecode("not base64!", out));
    EXPECT_EQ(HexEncode("\x01\xAB"), "01ab");
}

TEST(Crypto, PasswordHashIsArgon2idAndVerifies) {
    InitCrypto();
    auto hash = HashPassword("correct horse", {1, 8 * 1024});
    ASSERT_TRUE(hash);
    EXPECT_TRUE(hash->starts_with("$argon2id$"));
    EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
    EXPECT_FALSE(VerifyPassword(*hash, "correct horsf"));
    EXPECT_FALSE(VerifyPassword("garbage", "correct horse"));
    auto again = HashPassword("correct horse", {1, 8 * 1024});
    EXPECT_NE(*hash, *again) << "salted";
}

TEST(Crypto, TokenDigestAndComparison) {
    EXPECT_EQ(DigestToken("a").size(), 64u);
    EXPECT_EQ(DigestToken("a"), DigestToken("a"));
    EXPECT_NE(DigestToken("a"), DigestToken("b"));
    EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
    EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
    EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(Random, TokensAreUrlSafeAndDistinct) {
    InitCrypto();
    SecureRandom random;
    auto a = RandomToken(random, 32);
    auto b = RandomToken(random, 32);
    EXPECT_EQ(a.size(), 43u);
    EXPECT_NE(a, b);
    EXPECT_EQ(
        a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
}

TEST(Clock, FakeClockAdvancesAndFormats) {
    FakeClock clock(FromUnixMillis(1'796'000'000'123));
    EXPECT_EQ(FormatRfc3339(clock.Now()), "2026-11-30T00:53:20.123Z");
    clock.Advance(std::chrono::milliseconds(1000));
    EXPECT_EQ(ToUnixMillis(clock.Now()), 1'796'000'001'123);
}

TEST(SecretBox, SealsAndOpensBoundToPurposeAndKey) {
    InitCrypto();
    auto box = SecretBox::FromKey(std::string(32, 'k'));
    ASSERT_TRUE(box);
    const auto sealed = box->Seal("p@ss word", "route-password");
    EXPECT_TRUE(sealed.starts_with("v1." + box->key_id() + "."));
    EXPECT_EQ(sealed.find("p@ss"), std::string::npos);
    EXPECT_NE(sealed, box->Seal("p@ss word", "route-password"));  // a fresh nonce each time
    auto opened = box->Open(sealed, "route-password");
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, "p@ss word");
    EXPECT_FALSE(box->Open(sealed, "dkim-private-key"));  // another purpose
    auto other = SecretBox::FromKey(std::string(32, 'x'));
    ASSERT_TRUE(other);
    auto wrong = other->Open(sealed, "route-password");
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("another secret key"), std::string::npos);
    std::string tampered = sealed;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(box->Open(tampered, "route-password"));
    EXPECT_FALSE(SecretBox::FromKey("short"));
}

TEST(SecretBox, KeyFileIsCreatedOnceWithPrivateModeAndReadAgain) {
    InitCrypto();
    const std::string dir = ::testing::TempDir() + "/secretbox_" + std::to_string(::getpid());
    const std::string path = dir + "/sub/secret.key";
    auto first = SecretBox::LoadOrCreate(path);
    ASSERT_TRUE(first) << first.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto second = SecretBox::LoadOrCreate(path);
    ASSERT_TRUE(second);
    EXPECT_EQ(first->key_id(), second->key_id());
    auto opened = second->Open(first->Seal("x", "p"), "p");
    ASSERT_TRUE(opened);
    EXPECT_EQ(*opened, "x");
    {
        std::ofstream bad(path, std::ios::trunc);
        bad << "not hex\n";
    }
    auto broken = SecretBox::LoadOrCreate(path);
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().message.find("64 hex digits"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(Error, CodesHaveStableNames) {
    EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidArgument), "invalid_argument");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kPayloadTooLarge), "payload_too_large");
    auto e = Error::InvalidArgument("bad").With("field", "x");
    EXPECT_EQ(e.details.at("field"), "x");
    EXPECT_EQ(Error::Internal("secret detail").message, "internal error");
}

TEST(SourceError, PositionsCountCodePointsAndLines) {
    const std::string text = "ab\n\xC3\xA9t\xC3\xA9 x";
    EXPECT_EQ(PositionOf(text, 0).line, 1);
    EXPECT_EQ(PositionOf(text, 3).line, 2);
    EXPECT_EQ(PositionOf(text, 3).column, 1);
    EXPECT_EQ(PositionOf(text, 9).column, 5);  // after "été "
    EXPECT_EQ(PositionOf(text, 999).column, 6);
}

TEST(SourceError, ExcerptHasTheLineAndACaretAndIsValidUtf8) {
    auto e = SourceError("first\nab \xFF cd\nthird", 12, "oops");
    EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.message, "line 2, column 7: oops");
    EXPECT_EQ(e.details.at("line"), "2");
    EXPECT_EQ(e.details.at("column"), "7");
    EXPECT_EQ(e.details.at("offset"), "12");
    EXPECT_EQ(e.details.at("excerpt"), "ab \xEF\xBF\xBD cd\n      ^");
    EXPECT_TRUE(IsValidUtf8(e.details.at("excerpt")));
    EXPECT_EQ(SourceError("x", 0, "bad \x91name").message,
              "line 1, column 1: bad \xEF\xBF\xBDname");
}

TEST(SourceError, LongLinesAreCutAroundThePosition) {
    std::string text(200, 'x');
    text[100] = 'Y';
    auto e = SourceError(text, 100, "here");
    const std::string& excerpt = e.details.at("excerpt");
    auto nl = excerpt.find('\n');
    ASSERT_NE(nl, std::string::npos);
    std::string line = excerpt.substr(0, nl);
    std::string caret = excerpt.substr(nl + 1);
    EXPECT_EQ(line.substr(0, 3), "...");
    EXPECT_EQ(line.substr(line.size() - 3), "...");
    EXPECT_EQ(line[caret.size() - 1], 'Y');
    EXPECT_EQ(caret.back(), '^');
}

TEST(SourceError, ToValidUtf8ReplacesBadBytesOnly) {
    EXPECT_EQ(ToValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
    EXPECT_EQ(ToValidUtf8("a\xC3(b"), "a\xEF\xBF\xBD(b");
    EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace overture

TEST(Strings, PercentDecode) {
    std::string out;
    EXPECT_TRUE(overture::PercentDecode("a%20b+c%2Fd", false, out));
    EXPECT_EQ(out, "a b+c/d");
    EXPECT_TRUE(overture::PercentDecode("a%20b+c", true, out));
    EXPECT_EQ(out, "a b c");
    EXPECT_FALSE(overture::PercentDecode("bad%2", true, out));
    EXPECT_FALSE(overture::PercentDecode("bad%zz", true, out));
}

TEST(Strings, DecodeHtmlEntities) {
    EXPECT_EQ(overture::DecodeHtmlEntities("a&amp;b&lt;&gt;&quot;&#39;&#34;&apos;"), "a&b<>\"'\"'");
    EXPECT_EQ(overture::DecodeHtmlEntities("x&nbsp;&amp"), "x&nbsp;&amp");
}
