// The tracking core: signed tokens and every way of tampering with one, key rotation across
// two nodes, the link registry and the tracked URLs, User-Agent classification, and event
// ingestion with its roll-ups (unique opens and clicks, implicit opens, machine opens, dropped
// deliveries, concurrent producers, a failing database) on SQLite and PostgreSQL.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/crypto.hpp"
#include "storage/query_catalog.hpp"
#include "storage/testing/backend_param.hpp"
#include "storage/testing/databases.hpp"
#include "storage/testing/statement_log.hpp"
#include "tracking/agents.hpp"
#include "tracking/ingest.hpp"
#include "tracking/keys.hpp"
#include "tracking/links.hpp"
#include "tracking/token.hpp"

namespace overture::tracking {
namespace {

class CryptoEnvironment : public ::testing::Environment {
  public:
    void SetUp() override { InitCrypto(); }
};
const auto* const kCryptoEnvironment =
    ::testing::AddGlobalTestEnvironment(new CryptoEnvironment);  // NOLINT: gtest owns it

TrackingKeys MakeKeys(std::map<std::string, std::string> keys, std::string current) {
    auto made = TrackingKeys::Create(std::move(keys), std::move(current));
    EXPECT_TRUE(made) << made.error().message;
    return std::move(*made);
}

std::string Key(char fill) { return std::string(TrackingKeys::kKeyBytes, fill); }

// ---- tokens -------------------------------------------------------------------------------

TEST(TokenTest, RoundTripsEveryKind) {
    TrackingKeys keys = MakeKeys({{"k1", Key('a')}}, "k1");
    for (TokenKind kind :
         {TokenKind::kOpen, TokenKind::kClick, TokenKind::kUnsubscribe, TokenKind::kMirror}) {
        std::string token = keys.Sign(kind, 12, 3456, 7);
        auto data = keys.Verify(kind, token);
        ASSERT_TRUE(data) << token << ": " << data.error().message;
        EXPECT_EQ(data->key_id, "k1");
        EXPECT_EQ(data->delivery_id, 12);
        EXPECT_EQ(data->profile_id, 3456);
        EXPECT_EQ(data->extra, 7);
    }
    std::string token = keys.Sign(TokenKind::kOpen, 12, 3456, 0);
    EXPECT_TRUE(token.starts_with("k1.12.3456.0.")) << token;
    EXPECT_EQ(token.size(), std::string("k1.12.3456.0.").size() + 22);
    EXPECT_EQ(token.find_first_of("+/="), std::string::npos) << "base64url without padding";

    // Big numbers round-trip; the MAC covers the url of a personalized click.
    std::string big = keys.Sign(TokenKind::kClick, INT64_MAX, INT64_MAX, 2147483647,
                                "https://shop.example/p?id=9&x=ü");
    auto data = keys.Verify(TokenKind::kClick, big, "https://shop.example/p?id=9&x=ü");
    ASSERT_TRUE(data) << data.error().message;
    EXPECT_EQ(data->delivery_id, INT64_MAX);
}

TEST(TokenTest, RefusesEveryTampering) {
    TrackingKeys keys = MakeKeys({{"k1", Key('a')}, {"k2", Key('b')}}, "k2");
    const std::string url = "https://shop.example/p?id=42";
    const std::string token = keys.Sign(TokenKind::kClick, 12, 3456, 3);
    const std::string with_url = keys.Sign(TokenKind::kClick, 12, 3456, 3, url);
    ASSERT_TRUE(keys.Verify(TokenKind::kClick, token));
    ASSERT_TRUE(keys.Verify(TokenKind::kClick, with_url, url));

    // Any changed character, anywhere (to another character of the token alphabet or not).
    for (int which = 0; which < 2; ++which) {
        const std::string& original = which == 0 ? token : with_url;
        const std::string_view expect_url = which == 0 ? std::string_view() : url;
        for (std::size_t i = 0; i < original.size(); ++i) {
            for (char c : {'0', '1', '9', 'a', 'k', 'A', '-', '_', '.', '+', ' ', '\0', '\xff'}) {
                if (original[i] == c) continue;
                std::string changed = original;
                changed[i] = c;
                EXPECT_FALSE(keys.Verify(TokenKind::kClick, changed, expect_url))
                    << "accepted " << changed;
            }
        }
    }
    auto denied = [&](const std::string& t, TokenKind kind = TokenKind::kClick,
                      std::string_view u = {}) {
        auto r = keys.Verify(kind, t, u);
        return !r && r.error().code == ErrorCode::kPermissionDenied;
    };
    auto malformed = [&](const std::string& t) {
        auto r = keys.Verify(TokenKind::kClick, t);
        return !r && r.error().code == ErrorCode::kInvalidArgument;
    };
    // Another kind, another url, a url added or left out.
    EXPECT_TRUE(denied(token, TokenKind::kOpen));
    EXPECT_TRUE(denied(token, TokenKind::kUnsubscribe));
    EXPECT_TRUE(denied(token, TokenKind::kMirror));
    EXPECT_TRUE(denied(with_url, TokenKind::kClick, url + "&x=1"));
    EXPECT_TRUE(denied(with_url, TokenKind::kClick, "https://evil.example/"));
    EXPECT_TRUE(denied(with_url));
    EXPECT_TRUE(denied(token, TokenKind::kClick, url));
    // The fields of one token with the MAC of another.
    const std::string other = keys.Sign(TokenKind::kClick, 12, 3457, 3);
    EXPECT_TRUE(denied(token.substr(0, token.rfind('.')) + other.substr(other.rfind('.'))));
    // An unknown key id is a signature failure; a well-formed token of a dropped key too.
    EXPECT_TRUE(denied("k9" + token.substr(2)));
    TrackingKeys only_k1 = MakeKeys({{"k1", Key('a')}}, "k1");
    EXPECT_FALSE(only_k1.Verify(TokenKind::kClick, token));
    // Extra or missing fields, numbers that are not canonical, too long.
    const std::string mac = token.substr(token.rfind('.') + 1);
    EXPECT_TRUE(malformed(token + ".0"));
    EXPECT_TRUE(malformed("0." + token));
    EXPECT_TRUE(malformed("k2.12.3456." + mac));
    EXPECT_TRUE(malformed("k2.012.3456.3." + mac));
    EXPECT_TRUE(malformed("k2.+12.3456.3." + mac));
    EXPECT_TRUE(malformed("k2.-12.3456.3." + mac));
    EXPECT_TRUE(malformed("k2.12.3456.03." + mac));
    EXPECT_TRUE(malformed("k2.12. 3456.3." + mac));
    EXPECT_TRUE(malformed("k2.99999999999999999999.3456.3." + mac));
    EXPECT_TRUE(malformed("k2.9223372036854775808.3456.3." + mac));
    EXPECT_TRUE(malformed("k2.12.3456.3." + mac + "A"));
    EXPECT_TRUE(malformed("k2.12.3456.3." + mac + "=="));
    EXPECT_TRUE(malformed("k2.12.3456.3"));
    EXPECT_TRUE(malformed("k-2.12.3456.3." + mac));
    EXPECT_TRUE(malformed(".12.3456.3." + mac));
    EXPECT_TRUE(malformed(""));
    EXPECT_TRUE(malformed("....."));
    EXPECT_TRUE(malformed(std::string(201, 'k')));
    EXPECT_TRUE(malformed("k2." + std::string(190, '1') + ".1.1." + mac));
    EXPECT_TRUE(malformed(std::string("k2.12.3456.3.") + std::string(22, '\0')));
}

TEST(TokenTest, CreateChecksKeys) {
    EXPECT_FALSE(TrackingKeys::Create({{"k1", std::string(31, 'a')}}, "k1"));
    EXPECT_FALSE(TrackingKeys::Create({{"k1", Key('a')}}, "k2"));
    EXPECT_FALSE(TrackingKeys::Create({{"", Key('a')}}, ""));
    EXPECT_FALSE(TrackingKeys::Create({{"k.1", Key('a')}}, "k.1"));
    EXPECT_FALSE(TrackingKeys::Create({}, "k1"));
    EXPECT_TRUE(TrackingKeys::Create({{"K7z", Key('a')}}, "K7z"));
    // The key matters: the same fields under another secret do not verify.
    TrackingKeys a = MakeKeys({{"k1", Key('a')}}, "k1");
    TrackingKeys b = MakeKeys({{"k1", Key('b')}}, "k1");
    EXPECT_FALSE(b.Verify(TokenKind::kOpen, a.Sign(TokenKind::kOpen, 1, 2, 3)));
}

// ---- links --------------------------------------------------------------------------------

TEST(LinksTest, StaticUrlEncodeAndHttpCheck) {
    EXPECT_EQ(StaticUrl("https://shop.example/a?b=1&amp;c=2"), "https://shop.example/a?b=1&c=2");
    EXPECT_EQ(StaticUrl("  https://shop.example/  "), "https://shop.example/");
    EXPECT_EQ(StaticUrl("{{ profile.site }}/x"), "");
    EXPECT_EQ(StaticUrl("https://shop.example/{% if a %}x{% endif %}"), "");

    EXPECT_EQ(EncodeQueryValue("https://a.example/p?x=1&y=a b~_.-"),
              "https%3A%2F%2Fa.example%2Fp%3Fx%3D1%26y%3Da%20b~_.-");
    EXPECT_EQ(EncodeQueryValue("é"), "%C3%A9");

    EXPECT_TRUE(IsHttpUrl("https://shop.example/"));
    EXPECT_TRUE(IsHttpUrl("HTTP://shop.example"));
    EXPECT_FALSE(IsHttpUrl("javascript:alert(1)"));
    EXPECT_FALSE(IsHttpUrl("ftp://shop.example/"));
    EXPECT_FALSE(IsHttpUrl("https://"));
    EXPECT_FALSE(IsHttpUrl("https:///path"));
    EXPECT_FALSE(IsHttpUrl("//shop.example/"));
    EXPECT_FALSE(IsHttpUrl("/relative"));
    EXPECT_FALSE(IsHttpUrl("https://shop.example/\r\nSet-Cookie: x=1"));
    EXPECT_FALSE(IsHttpUrl("https://shop.example/a\tb"));
    EXPECT_FALSE(IsHttpUrl("https://shop.example/a\x7f"));
    EXPECT_TRUE(IsHttpUrl("https://shop.example/?name=Mary Ann"));
}

render::LinkInfo Link(std::uint32_t id, std::string source, bool tracked = true,
                      std::string label = "", std::string category = "link") {
    render::LinkInfo l;
    l.id = id;
    l.source = std::move(source);
    l.tracked = tracked;
    l.label = label.empty() ? "link " + std::to_string(id) : std::move(label);
    l.category = std::move(category);
    return l;
}

TEST(LinksTest, TrackingUrlsForEveryKindOfLink) {
    auto keys = std::make_shared<const TrackingKeys>(MakeKeys({{"k1", Key('a')}}, "k1"));
    auto links = std::make_shared<DeliveryLinks>();
    (*links)[0] = {0, "https://shop.example/sale", "Sale", "link"};
    (*links)[1] = {1, "", "Your page", "link"};
    TrackingUrls urls("https://t.example/", keys, 12, links);

    // Static: the token alone; the redirect target is the registered URL.
    std::string out;
    urls.Click(34, Link(0, "https://shop.example/sale"), "https://shop.example/sale", out);
    ASSERT_TRUE(out.starts_with("https://t.example/t/c/")) << out;
    EXPECT_EQ(out.find('?'), std::string::npos) << out;
    auto data = keys->Verify(TokenKind::kClick, out.substr(22));
    ASSERT_TRUE(data) << data.error().message;
    EXPECT_EQ(data->delivery_id, 12);
    EXPECT_EQ(data->profile_id, 34);
    EXPECT_EQ(data->extra, 0);

    // Personalized: the rendered URL in `u`, covered by the MAC.
    const std::string rendered = "https://shop.example/me?id=34&s=a b";
    out.clear();
    urls.Click(34, Link(1, "{{ profile.site }}"), rendered, out);
    auto q = out.find("?u=");
    ASSERT_NE(q, std::string::npos) << out;
    EXPECT_EQ(out.substr(q + 3), EncodeQueryValue(rendered));
    std::string token = out.substr(22, q - 22);
    EXPECT_TRUE(keys->Verify(TokenKind::kClick, token, rendered));
    EXPECT_FALSE(keys->Verify(TokenKind::kClick, token, "https://evil.example/"));
    EXPECT_FALSE(keys->Verify(TokenKind::kClick, token));

    // A static link whose rendering differs from the registry is signed with what was rendered.
    out.clear();
    urls.Click(34, Link(0, "https://shop.example/sale"), "https://shop.example/other", out);
    EXPECT_NE(out.find("?u=https%3A%2F%2Fshop.example%2Fother"), std::string::npos) << out;

    // Untracked (not registered) and non-http(s) URLs are written as they rendered.
    out.clear();
    urls.Click(34, Link(5, "https://x.example/"), "https://x.example/", out);
    EXPECT_EQ(out, "https://x.example/");
    out.clear();
    urls.Click(34, Link(1, "{{ profile.site }}"), "ftp://shop.example/file", out);
    EXPECT_EQ(out, "ftp://shop.example/file");
    out = "prefix:";
    TrackingUrls no_links("https://t.example", keys, 12, nullptr);
    no_links.Click(34, Link(0, "https://shop.example/sale"), "https://shop.example/sale", out);
    EXPECT_EQ(out, "prefix:https://shop.example/sale") << "Click appends";

    // Open, unsubscribe and mirror URLs.
    std::string open = urls.Open(34, 1'800'000'000);
    ASSERT_TRUE(open.starts_with("https://t.example/t/o/")) << open;
    auto opened = keys->Verify(TokenKind::kOpen, open.substr(22));
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->extra, 1'800'000'000);
    std::string unsub = urls.Unsubscribe(34);
    ASSERT_TRUE(unsub.starts_with("https://t.example/t/u/")) << unsub;
    EXPECT_TRUE(keys->Verify(TokenKind::kUnsubscribe, unsub.substr(22)));
    EXPECT_FALSE(keys->Verify(TokenKind::kMirror, unsub.substr(22)));
    std::string mirror = urls.Mirror(34);
    ASSERT_TRUE(mirror.starts_with("https://t.example/m/")) << mirror;
    EXPECT_TRUE(keys->Verify(TokenKind::kMirror, mirror.substr(20)));
}

// ---- agents -------------------------------------------------------------------------------

struct AgentCase {
    const char* name;
    const char* agent;
    const char* address;
    const char* device;
    const char* client;
    bool machine;
};

const std::vector<AgentCase>& RealWorldAgents() {
    static const std::vector<AgentCase> cases = {
        {"iPhone Mail",
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
         "like Gecko) Mobile/15E148",
         "203.0.113.7", "mobile", "Apple Mail", false},
        {"iPad Mail",
         "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Mobile/15E148",
         "203.0.113.7", "tablet", "Apple Mail", false},
        {"macOS Mail",
         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
         "2001:db8::7", "desktop", "Apple Mail", false},
        {"Apple Mail Privacy Protection", "Mozilla/5.0", "17.58.100.3", "proxy", "Apple Mail",
         true},
        {"Apple MPP, dual-stack socket", "Mozilla/5.0", "::ffff:17.1.2.3", "proxy", "Apple Mail",
         true},
        {"bare agent elsewhere", "Mozilla/5.0", "203.0.113.9", "desktop", "other", false},
        {"Gmail (app and web: images through Google's proxy)",
         "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com "
         "GoogleImageProxy)",
         "66.249.84.1", "proxy", "Gmail", true},
        {"Yahoo Mail proxy",
         "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "98.136.1.1",
         "proxy", "Yahoo", true},
        {"Outlook desktop", "Mozilla/4.0 (compatible; ms-office; MSOffice 16)", "198.51.100.4",
         "desktop", "Outlook", false},
        {"Outlook prefetch from Exchange Online",
         "Mozilla/4.0 (compatible; ms-office; MSOffice 16)", "40.107.22.5", "proxy", "Outlook",
         true},
        {"Outlook prefetch over IPv6", "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
         "[2a01:111:f400:7e1b::5]", "proxy", "Outlook", true},
        {"Outlook 2016 agent", "Microsoft Outlook 16.0.5017", "198.51.100.4", "desktop", "Outlook",
         false},
        {"Thunderbird",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.3.1",
         "198.51.100.4", "desktop", "Thunderbird", false},
        {"Chrome on Windows",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Safari/537.36",
         "198.51.100.4", "desktop", "Chrome", false},
        {"Firefox on Linux",
         "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/119.0", "198.51.100.4",
         "desktop", "Firefox", false},
        {"Safari on macOS",
         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
         "Gecko) Version/17.1 Safari/605.1.15",
         "17.5.5.5", "desktop", "Safari", false},
        {"Edge on Windows",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.58",
         "198.51.100.4", "desktop", "Edge", false},
        {"Opera on Windows",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
         "198.51.100.4", "desktop", "Opera", false},
        {"Chrome on Android",
         "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Mobile Safari/537.36",
         "198.51.100.4", "mobile", "Chrome", false},
        {"Chrome on an Android tablet",
         "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Safari/537.36",
         "198.51.100.4", "tablet", "Chrome", false},
        {"Firefox on Android",
         "Mozilla/5.0 (Android 14; Mobile; rv:120.0) Gecko/120.0 Firefox/120.0", "198.51.100.4",
         "mobile", "Firefox", false},
        {"Edge on Android",
         "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Mobile Safari/537.36 EdgA/119.0.2151.72",
         "198.51.100.4", "mobile", "Edge", false},
        {"Samsung Internet",
         "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like "
         "Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
         "198.51.100.4", "mobile", "Chrome", false},
        {"CUBOT phone (not a bot)",
         "Mozilla/5.0 (Linux; Android 10; CUBOT X20 PRO) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Mobile Safari/537.36",
         "198.51.100.4", "mobile", "Chrome", false},
        {"Safari on iPhone",
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
         "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
         "198.51.100.4", "mobile", "Safari", false},
        {"Chrome on iPhone",
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
         "like Gecko) CriOS/119.0.6045.109 Mobile/15E148 Safari/604.1",
         "198.51.100.4", "mobile", "Chrome", false},
        {"Firefox on iPhone",
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
         "like Gecko) FxiOS/120.0 Mobile/15E148 Safari/605.1.15",
         "198.51.100.4", "mobile", "Firefox", false},
        {"Safari on iPad",
         "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.1 Mobile/15E148 Safari/604.1",
         "198.51.100.4", "tablet", "Safari", false},
        {"curl", "curl/8.4.0", "127.0.0.1", "bot", "curl", true},
        {"python-requests", "python-requests/2.31.0", "127.0.0.1", "bot", "python-requests", true},
        {"Go", "Go-http-client/1.1", "127.0.0.1", "bot", "Go-http-client", true},
        {"Wget", "Wget/1.21.3", "127.0.0.1", "bot", "Wget", true},
        {"Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
         "66.249.66.1", "bot", "bot", true},
        {"Barracuda link protection",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Barracuda Sentinel (EE)", "64.235.144.1", "bot",
         "Barracuda", true},
        {"Mimecast", "Mimecast URL Protect", "205.139.110.1", "bot", "Mimecast", true},
        {"empty agent", "", "198.51.100.4", "bot", "other", true},
        {"blank agent", "   ", "", "bot", "other", true},
    };
    return cases;
}

TEST(AgentsTest, ClassifiesRealWorldAgents) {
    for (const AgentCase& c : RealWorldAgents()) {
        AgentInfo info = ClassifyAgent(c.agent, c.address);
        EXPECT_EQ(info.device, c.device) << c.name;
        EXPECT_EQ(info.client, c.client) << c.name;
        EXPECT_EQ(info.machine, c.machine) << c.name;
    }
}

// The cache keeps what the agent's text says, never the address's verdict: the same agent from
// another address is classified again by its address rules.
TEST(AgentsTest, CacheClassifiesAsTheRules) {
    AgentCache cache;
    auto check = [&](const std::string& when) {
        for (const AgentCase& c : RealWorldAgents()) {
            AgentInfo info = cache.Classify(c.agent, c.address);
            EXPECT_EQ(info.device, c.device) << c.name << when;
            EXPECT_EQ(info.client, c.client) << c.name << when;
            EXPECT_EQ(info.machine, c.machine) << c.name << when;
        }
    };
    check(" (first sight)");
    check(" (cached)");

    const char* mpp = "Mozilla/5.0";
    EXPECT_TRUE(cache.Classify(mpp, "17.1.2.3").machine);
    EXPECT_FALSE(cache.Classify(mpp, "198.51.100.4").machine) << "cached from an Apple address";
    EXPECT_TRUE(cache.Classify(mpp, "17.1.2.3").machine);
    const char* office = "Mozilla/4.0 (compatible; ms-office; MSOffice 16)";
    EXPECT_EQ(cache.Classify(office, "198.51.100.4").device, "desktop");
    EXPECT_EQ(cache.Classify(office, "104.47.1.1").device, "proxy");

    // Far more agents than slots: every answer is still the rules' answer.
    for (int i = 0; i < 3 * static_cast<int>(AgentCache::kSlots); ++i) {
        const std::string agent = i % 2 == 0
                                      ? fmt::format("Mozilla/5.0 (X11; Linux) Firefox/{}.0", i)
                                      : fmt::format("SomeScanner/{} bot", i);
        const AgentInfo cached = cache.Classify(agent, "198.51.100.4");
        EXPECT_EQ(cached.client, i % 2 == 0 ? "Firefox" : "bot") << agent;
        EXPECT_EQ(cached.machine, i % 2 != 0) << agent;
    }
    check(" (after evictions)");
    const std::string huge(AgentCache::kMaxAgent + 1, 'a');
    EXPECT_EQ(cache.Classify(huge, "").device, "desktop");
}

TEST(AgentsTest, ParsesAddressesStrictly) {
    const char* mpp = "Mozilla/5.0";
    EXPECT_TRUE(ClassifyAgent(mpp, "17.0.0.0").machine);
    EXPECT_TRUE(ClassifyAgent(mpp, "17.255.255.255").machine);
    EXPECT_TRUE(ClassifyAgent(mpp, "[::ffff:17.0.0.1]").machine);
    EXPECT_TRUE(ClassifyAgent(mpp, "::FFFF:1100:0001").machine) << "hex form of 17.0.0.1";
    for (const char* bad :
         {"16.255.255.255", "18.0.0.0", "17.0.0.256", "17.0.0", "17.0.0.1.2", "17..0.1",
          "17.0.0.1 ", "1700.0.0.1", "::ffff:17.0.0", "1::2::3", ":::", "::ffff:17.0.0.1:1",
          "garbage", "", "fe80::1%eth0", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "[17.0.0.1"}) {
        EXPECT_FALSE(ClassifyAgent(mpp, bad).machine) << bad;
    }
    const char* office = "Mozilla/4.0 (compatible; ms-office; MSOffice 16)";
    EXPECT_TRUE(ClassifyAgent(office, "2a01:111:f403:c000::1").machine);
    EXPECT_TRUE(ClassifyAgent(office, "2a01:0111:f400:0000:0000:0000:0000:0001").machine);
    EXPECT_FALSE(ClassifyAgent(office, "2a01:111:f401::1").machine);
    EXPECT_TRUE(ClassifyAgent(office, "104.47.127.255").machine);
    EXPECT_FALSE(ClassifyAgent(office, "104.47.128.0").machine);
}

// ---- with a database ----------------------------------------------------------------------

constexpr std::int64_t kT0 = 1'800'000'000'000;  // the start of an hour

// An event as the endpoints make them: a desktop Chrome agent.
Event Ev(EventKind kind, std::int64_t delivery, std::int64_t profile, std::int64_t at_ms,
         std::int32_t link = -1) {
    Event e;
    e.kind = kind;
    e.delivery_id = delivery;
    e.profile_id = profile;
    e.link_id = link;
    e.at = FromUnixMillis(at_ms);
    e.device = "desktop";
    e.client = "Chrome";
    e.agent = "Mozilla/5.0 (X11) Chrome/119.0.0.0 Safari/537.36";
    return e;
}

class TrackingDbTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        auto box = SecretBox::FromKey(std::string(SecretBox::kKeyBytes, 'z'));
        ASSERT_TRUE(box);
        box_ = std::make_unique<SecretBox>(std::move(*box));
    }

    std::int64_t Int(const std::string& sql) {
        auto rows =
            storage::WithRead(db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, {}); });
        EXPECT_TRUE(rows) << sql << ": " << rows.error().message << " " << rows.error().detail;
        if (!rows || rows->empty()) return -1;
        return storage::AsInt(rows->rows[0][0], -1);
    }

    std::int64_t MakeDelivery(const std::string& label = "Spring sale") {
        auto rows = storage::WithWrite(db(), [&](storage::Transaction& tx) {
            return tx.QuerySql(
                "INSERT INTO deliveries (label, state, content, audience, settings, created_at, "
                "created_by, modified_at, modified_by) VALUES ('" +
                    label + "', 'finished', '{}', '{}', '{}', 0, 't', 0, 't') RETURNING id",
                {});
        });
        EXPECT_TRUE(rows) << rows.error().message << " " << rows.error().detail;
        return rows ? storage::AsInt(rows->rows[0][0]) : 0;
    }

    void Exec(const std::string& sql) {
        auto done =
            storage::WithWrite(db(), [&](storage::Transaction& tx) { return tx.ExecSql(sql, {}); });
        ASSERT_TRUE(done) << sql << ": " << done.error().message << " " << done.error().detail;
    }

    // The sum of a delivery_stats column of a delivery.
    std::int64_t Stat(std::int64_t delivery, const std::string& column) {
        return Int("SELECT CAST(COALESCE(SUM(" + column +
                   "), 0) AS BIGINT) FROM delivery_stats "
                   "WHERE delivery_id = " +
                   std::to_string(delivery));
    }
    std::int64_t LinkStat(std::int64_t delivery, int link, const std::string& column) {
        return Int("SELECT CAST(COALESCE(SUM(" + column +
                   "), 0) AS BIGINT) FROM "
                   "delivery_link_stats WHERE delivery_id = " +
                   std::to_string(delivery) + " AND link_id = " + std::to_string(link));
    }
    std::int64_t AgentStat(std::int64_t delivery, const std::string& device,
                           const std::string& client, const std::string& column) {
        return Int("SELECT CAST(COALESCE(SUM(" + column +
                   "), 0) AS BIGINT) FROM "
                   "delivery_agent_stats WHERE delivery_id = " +
                   std::to_string(delivery) + " AND device = '" + device + "' AND client = '" +
                   client + "'");
    }
    // Events whose stored User-Agent is LIKE `pattern`.
    std::int64_t EventsOfAgent(const std::string& pattern) {
        return Int(
            "SELECT COUNT(*) FROM tracking_events e JOIN tracking_agents a ON a.id = "
            "e.agent_id WHERE a.agent LIKE '" +
            pattern + "'");
    }

    std::int64_t Events(const std::string& where = "1 = 1") {
        return Int("SELECT COUNT(*) FROM tracking_events WHERE " + where);
    }

    FakeClock clock_{FromUnixMillis(kT0)};
    std::unique_ptr<SecretBox> box_;
};

TEST_P(TrackingDbTest, KeysRotateAndReachOtherNodes) {
    KeyStore node1(db(), clock_, *box_);
    ASSERT_TRUE(node1.Load());
    auto k1 = node1.Current();
    ASSERT_NE(k1, nullptr);
    EXPECT_EQ(k1->current(), "k1");
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_keys"), 1);
    ASSERT_TRUE(node1.Load()) << "a second Load keeps k1";
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_keys"), 1);
    const std::string old_token = k1->Sign(TokenKind::kUnsubscribe, 5, 6);

    // Another node (its own pool on the same database) reads the same k1.
    auto catalog = storage::QueryCatalog::Load(db().dialect());
    ASSERT_TRUE(catalog);
    auto other_db = storage::testing::Reopen(fresh(), {}, std::move(*catalog));
    ASSERT_TRUE(other_db) << other_db.error().message;
    ASSERT_TRUE((*other_db)->PrepareCatalog());
    KeyStore node2(**other_db, clock_, *box_);
    ASSERT_TRUE(node2.Load());
    EXPECT_TRUE(node2.Current()->Verify(TokenKind::kUnsubscribe, old_token));

    auto k2 = node1.Rotate();
    ASSERT_TRUE(k2) << k2.error().message;
    EXPECT_EQ(*k2, "k2");
    EXPECT_EQ(node1.Current()->current(), "k2");
    const std::string new_token = node1.Current()->Sign(TokenKind::kUnsubscribe, 5, 6);
    EXPECT_TRUE(new_token.starts_with("k2.")) << new_token;
    EXPECT_TRUE(node1.Current()->Verify(TokenKind::kUnsubscribe, old_token))
        << "k1 still verifies after k2 became current";

    // node2 has not reloaded: it does not know k2 yet, and Refresh respects max_age.
    EXPECT_FALSE(node2.Current()->Verify(TokenKind::kUnsubscribe, new_token));
    ASSERT_TRUE(node2.Refresh(std::chrono::seconds(60)));
    EXPECT_EQ(node2.Current()->current(), "k1");
    ASSERT_TRUE(node2.Refresh(std::chrono::seconds(0)));
    EXPECT_EQ(node2.Current()->current(), "k1") << "at most one reload a second";
    clock_.Advance(std::chrono::seconds(1));
    ASSERT_TRUE(node2.Refresh(std::chrono::seconds(0)));
    EXPECT_EQ(node2.Current()->current(), "k2");
    EXPECT_TRUE(node2.Current()->Verify(TokenKind::kUnsubscribe, new_token));
    EXPECT_TRUE(node2.Current()->Verify(TokenKind::kUnsubscribe, old_token));

    auto k3 = node2.Rotate();
    ASSERT_TRUE(k3);
    EXPECT_EQ(*k3, "k3");
    auto list = node1.List();
    ASSERT_TRUE(list) << list.error().message;
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[0].id, "k1");
    EXPECT_FALSE((*list)[0].current);
    EXPECT_EQ((*list)[2].id, "k3");
    EXPECT_TRUE((*list)[2].current);
    EXPECT_EQ((*list)[0].created_at, FromUnixMillis(kT0));
    EXPECT_TRUE((*list)[0].retired_at.has_value()) << "k1 stopped signing when k2 came";
    EXPECT_TRUE((*list)[1].retired_at.has_value());
    EXPECT_FALSE((*list)[2].retired_at.has_value()) << "the signing key is not retired";

    // Secrets are sealed at rest.
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_keys WHERE secret LIKE 'v1.%'"), 3);
    auto wrong = SecretBox::FromKey(std::string(SecretBox::kKeyBytes, 'y'));
    ASSERT_TRUE(wrong);
    KeyStore wrong_node(db(), clock_, *wrong);
    EXPECT_FALSE(wrong_node.Load()) << "another installation key cannot open the keys";
}

TEST_P(TrackingDbTest, LinkRegistryStoresTrackedLinksOnly) {
    const std::int64_t d = MakeDelivery();
    LinkRegistry registry(db());
    EXPECT_EQ(registry.Cached(d), nullptr);
    std::vector<render::LinkInfo> links = {
        Link(0, "https://shop.example/sale?a=1&amp;b=2", true, "Sale"),
        Link(1, "{{ profile.site }}/me?id={{ profile.id }}", true, "Your page"),
        Link(2, "mailto:help@shop.example", false, "Help", "mailto"),
        Link(3, "https://shop.example/no-track", false, "Quiet"),
    };
    auto stored = registry.Register(d, links);
    ASSERT_TRUE(stored) << stored.error().message << " " << stored.error().detail;
    ASSERT_EQ((*stored)->size(), 2u);
    EXPECT_EQ((*stored)->at(0).url, "https://shop.example/sale?a=1&b=2");
    EXPECT_EQ((*stored)->at(1).url, "");
    EXPECT_EQ((*stored)->at(1).label, "Your page");
    EXPECT_EQ(registry.Cached(d), *stored);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_links WHERE delivery_id = " + std::to_string(d)),
              2);

    // Idempotent: the same links again (one relabelled) update the rows in place.
    links[0].label = "Big sale";
    auto again = registry.Register(d, links);
    ASSERT_TRUE(again);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_links WHERE delivery_id = " + std::to_string(d)),
              2);

    // A fresh registry (another node) loads from the database on Get, not on Cached.
    LinkRegistry other(db());
    EXPECT_EQ(other.Cached(d), nullptr);
    auto got = other.Get(d);
    ASSERT_TRUE(got) << got.error().message;
    ASSERT_EQ((*got)->size(), 2u);
    EXPECT_EQ((*got)->at(0).label, "Big sale");
    EXPECT_EQ((*got)->at(0).category, "link");
    EXPECT_EQ((*got)->at(1).url, "");
    EXPECT_NE(other.Cached(d), nullptr);

    // A delivery without links: empty, and not cached (its links may come later).
    const std::int64_t d2 = MakeDelivery("Empty");
    auto none = other.Get(d2);
    ASSERT_TRUE(none);
    EXPECT_TRUE((*none)->empty());
    EXPECT_EQ(other.Cached(d2), nullptr);

    // Deleting the delivery deletes its links.
    Exec("DELETE FROM deliveries WHERE id = " + std::to_string(d));
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_links"), 0);
}

TEST_P(TrackingDbTest, OneRecipientOpeningFiveTimesIsOneUniqueOpen) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    for (int i = 0; i < 5; ++i) ingestor.Accept(Ev(EventKind::kOpen, d, 7, kT0 + i * 60'000));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Stat(d, "opens"), 5);
    EXPECT_EQ(Stat(d, "unique_opens"), 1);
    EXPECT_EQ(Stat(d, "machine_opens"), 0);
    EXPECT_EQ(Events("kind = 'open'"), 5);
    EXPECT_EQ(AgentStat(d, "desktop", "Chrome", "opens"), 5);
    // More opens later, in another batch: still one unique.
    ingestor.Accept(Ev(EventKind::kOpen, d, 7, kT0 + 600'000));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Stat(d, "opens"), 6);
    EXPECT_EQ(Stat(d, "unique_opens"), 1);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_uniques"), 1);
    IngestStats s = ingestor.stats();
    EXPECT_EQ(s.accepted, 6u);
    EXPECT_EQ(s.written, 6u);
    EXPECT_EQ(s.queued, 0u);
}

TEST_P(TrackingDbTest, ClicksUniquesPerLinkAndImplicitOpens) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    // Profile 3 opened first; 1 clicks both links; 2 clicks link 0 twice; 3 clicks link 1.
    ingestor.Accept(Ev(EventKind::kOpen, d, 3, kT0 + 1'000));
    ingestor.Accept(Ev(EventKind::kClick, d, 1, kT0 + 2'000, 0));
    ingestor.Accept(Ev(EventKind::kClick, d, 1, kT0 + 3'000, 1));
    ingestor.Accept(Ev(EventKind::kClick, d, 2, kT0 + 4'000, 0));
    ingestor.Accept(Ev(EventKind::kClick, d, 2, kT0 + 5'000, 0));
    ingestor.Accept(Ev(EventKind::kClick, d, 3, kT0 + 6'000, 1));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Stat(d, "clicks"), 5);
    EXPECT_EQ(Stat(d, "unique_clicks"), 3);
    EXPECT_EQ(LinkStat(d, 0, "clicks"), 3);
    EXPECT_EQ(LinkStat(d, 0, "unique_clicks"), 2);
    EXPECT_EQ(LinkStat(d, 1, "clicks"), 2);
    EXPECT_EQ(LinkStat(d, 1, "unique_clicks"), 2);
    EXPECT_EQ(Stat(d, "opens"), 3) << "one real open, two implicit ones (profiles 1 and 2)";
    EXPECT_EQ(Stat(d, "unique_opens"), 3);
    EXPECT_EQ(AgentStat(d, "desktop", "Chrome", "clicks"), 5);
    EXPECT_EQ(Events("kind = 'click' AND link_id = 0"), 3);

    // Later: 1 opens for real (no new unique), 4 clicks without opening (implicit open), 3
    // clicks link 0 (a new link clicker, not a new clicker).
    ingestor.Accept(Ev(EventKind::kOpen, d, 1, kT0 + 60'000));
    ingestor.Accept(Ev(EventKind::kClick, d, 4, kT0 + 61'000, 0));
    ingestor.Accept(Ev(EventKind::kClick, d, 3, kT0 + 62'000, 0));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Stat(d, "opens"), 5);
    EXPECT_EQ(Stat(d, "unique_opens"), 4);
    EXPECT_EQ(Stat(d, "clicks"), 7);
    EXPECT_EQ(Stat(d, "unique_clicks"), 4);
    EXPECT_EQ(LinkStat(d, 0, "unique_clicks"), 4);
    EXPECT_GE(Stat(d, "unique_opens"), Stat(d, "unique_clicks"));

    // A click and a real open of a new recipient in one batch: the open is the unique one.
    ingestor.Accept(Ev(EventKind::kClick, d, 5, kT0 + 70'000, 1));
    ingestor.Accept(Ev(EventKind::kOpen, d, 5, kT0 + 71'000));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Stat(d, "opens"), 6);
    EXPECT_EQ(Stat(d, "unique_opens"), 5);

    // Unsubscribes and mirror views.
    ingestor.Accept(Ev(EventKind::kUnsubscribe, d, 1, kT0 + 80'000));
    ingestor.Accept(Ev(EventKind::kMirror, d, 1, kT0 + 81'000));
    ingestor.Accept(Ev(EventKind::kMirror, d, 1, kT0 + 82'000));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Stat(d, "unsubscribes"), 1);
    EXPECT_EQ(Stat(d, "mirror_views"), 2);
    EXPECT_EQ(Stat(d, "opens"), 6) << "unsubscribes and mirror views are not opens";
}

TEST_P(TrackingDbTest, MachineOpensCountApart) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    // By agent: Google's image proxy.
    Event proxy = Ev(EventKind::kOpen, d, 1, kT0 + 10'000);
    AgentInfo info = ClassifyAgent("Mozilla/5.0 (via ggpht.com GoogleImageProxy)", "");
    proxy.machine = info.machine;
    proxy.device = info.device;
    proxy.client = info.client;
    ingestor.Accept(proxy);
    // By timing: 1.5 s after the render time (machine), then 2.5 s after (a person).
    Event fast = Ev(EventKind::kOpen, d, 2, kT0 + 1'500);
    fast.rendered_at_s = kT0 / 1000;
    ingestor.Accept(fast);
    Event slow = Ev(EventKind::kOpen, d, 3, kT0 + 2'500);
    slow.rendered_at_s = kT0 / 1000;
    ingestor.Accept(slow);
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Stat(d, "machine_opens"), 2);
    EXPECT_EQ(Stat(d, "opens"), 1);
    EXPECT_EQ(Stat(d, "unique_opens"), 1);
    EXPECT_EQ(Events("machine = " + std::string(GetParam() == "postgres" ? "TRUE" : "1")), 2);
    EXPECT_EQ(AgentStat(d, "proxy", "Gmail", "machine_opens"), 1);
    EXPECT_EQ(AgentStat(d, "proxy", "Gmail", "opens"), 0);
    EXPECT_EQ(AgentStat(d, "desktop", "Chrome", "machine_opens"), 1);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_uniques"), 1) << "machine opens are no uniques";

    // With the timing rule off, a fast open is a person's.
    Ingestor untimed(db(), clock_, {.machine_open_seconds = 0});
    Event fast4 = Ev(EventKind::kOpen, d, 4, kT0 + 1'000);
    fast4.rendered_at_s = kT0 / 1000;
    untimed.Accept(fast4);
    ASSERT_TRUE(untimed.Flush());
    EXPECT_EQ(Stat(d, "machine_opens"), 2);
    EXPECT_EQ(Stat(d, "unique_opens"), 2);
}

TEST_P(TrackingDbTest, CountsPerHour) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    ingestor.Accept(Ev(EventKind::kOpen, d, 1, kT0 + 5));
    ingestor.Accept(Ev(EventKind::kOpen, d, 2, kT0 + 3'600'000 + 5));
    ingestor.Accept(Ev(EventKind::kOpen, d, 1, kT0 + 3'600'000 + 6));
    ASSERT_TRUE(ingestor.Flush());
    const std::string where = "delivery_id = " + std::to_string(d) + " AND hour = ";
    EXPECT_EQ(Int("SELECT unique_opens FROM delivery_stats WHERE " + where + std::to_string(kT0)),
              1);
    EXPECT_EQ(
        Int("SELECT opens FROM delivery_stats WHERE " + where + std::to_string(kT0 + 3'600'000)),
        2);
    EXPECT_EQ(Int("SELECT unique_opens FROM delivery_stats WHERE " + where +
                  std::to_string(kT0 + 3'600'000)),
              1);
}

TEST_P(TrackingDbTest, EventsOfDeletedDeliveriesAreDropped) {
    const std::int64_t kept = MakeDelivery("Kept");
    const std::int64_t gone = MakeDelivery("Gone");
    Ingestor ingestor(db(), clock_);
    ingestor.Accept(Ev(EventKind::kOpen, kept, 1, kT0));
    ingestor.Accept(Ev(EventKind::kClick, gone, 1, kT0, 0));
    ingestor.Accept(Ev(EventKind::kOpen, gone, 2, kT0));
    ingestor.Accept(Ev(EventKind::kOpen, 999'999, 2, kT0));
    Exec("DELETE FROM deliveries WHERE id = " + std::to_string(gone));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Events(), 1);
    EXPECT_EQ(Stat(kept, "opens"), 1);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM delivery_stats"), 1);
    EXPECT_EQ(ingestor.stats().dropped, 3u);
    EXPECT_EQ(ingestor.stats().written, 4u);
}

TEST_P(TrackingDbTest, FailedWritesKeepTheBatch) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    Exec("ALTER TABLE tracking_events RENAME TO tracking_events_away");
    ingestor.Accept(Ev(EventKind::kOpen, d, 1, kT0));
    ingestor.Accept(Ev(EventKind::kClick, d, 1, kT0, 0));
    EXPECT_FALSE(ingestor.Flush());
    ingestor.Accept(Ev(EventKind::kOpen, d, 2, kT0));
    EXPECT_FALSE(ingestor.Flush());
    EXPECT_EQ(ingestor.stats().queued, 3u);
    EXPECT_EQ(ingestor.stats().failures, 2u);
    EXPECT_EQ(Stat(d, "opens"), 0) << "nothing of a failed batch is written";
    Exec("ALTER TABLE tracking_events_away RENAME TO tracking_events");
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Events(), 3);
    // The agent row added by the failed batches was rolled back with them, not kept in memory.
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_events e "
                  "JOIN tracking_agents a ON a.id = e.agent_id"),
              3);
    EXPECT_EQ(Stat(d, "opens"), 2);
    EXPECT_EQ(Stat(d, "clicks"), 1);
    EXPECT_EQ(ingestor.stats().queued, 0u);
}

// The database down for long: past max_queued waiting events, new ones are refused (memory
// stays bounded) and counted; what was accepted is still written once the database is back,
// and events are accepted again.
TEST_P(TrackingDbTest, PastTheQueueBoundEventsAreRefusedNotLost) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_, IngestOptions{.max_queued = 3});
    Exec("ALTER TABLE tracking_events RENAME TO tracking_events_away");
    EXPECT_TRUE(ingestor.Accept(Ev(EventKind::kOpen, d, 1, kT0)));
    EXPECT_TRUE(ingestor.Accept(Ev(EventKind::kOpen, d, 2, kT0)));
    EXPECT_FALSE(ingestor.Flush());
    EXPECT_TRUE(ingestor.Accept(Ev(EventKind::kOpen, d, 3, kT0)));
    EXPECT_FALSE(ingestor.Accept(Ev(EventKind::kOpen, d, 4, kT0)));
    EXPECT_FALSE(ingestor.Accept(Ev(EventKind::kClick, d, 4, kT0, 0)));
    EXPECT_EQ(ingestor.stats().accepted, 3u);
    EXPECT_EQ(ingestor.stats().queued, 3u);
    EXPECT_EQ(ingestor.stats().refused, 2u);
    Exec("ALTER TABLE tracking_events_away RENAME TO tracking_events");
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Events(), 3);
    EXPECT_EQ(Stat(d, "opens"), 3);
    EXPECT_TRUE(ingestor.Accept(Ev(EventKind::kOpen, d, 5, kT0)));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Events(), 4);
    EXPECT_EQ(ingestor.stats().refused, 2u);
}

TEST_P(TrackingDbTest, OddAgentsDoNotBlockABatch) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    Event e = Ev(EventKind::kOpen, d, 1, kT0);
    const char raw[] = "bad \xff\xfe bytes \0 and tab\t";
    e.agent = std::string(raw, sizeof raw - 1) + std::string(400, 'x');
    e.device = "";
    e.client = "";
    ingestor.Accept(e);
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Int("SELECT LENGTH(a.agent) FROM tracking_events e "
                  "JOIN tracking_agents a ON a.id = e.agent_id"),
              256);
    EXPECT_EQ(AgentStat(d, "other", "other", "opens"), 1);

    // Two agents that differ only in bytes the log cannot keep are one stored agent, in one
    // batch (each looked up once, both events pointing at the one row).
    for (const char* other : {"Mail\001Client/2", "Mail\002Client/2", "Mail\001Client/2"}) {
        Event o = Ev(EventKind::kOpen, d, 2, kT0 + 1);
        o.agent = other;
        ingestor.Accept(o);
    }
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_agents WHERE agent = 'Mail?Client/2'"), 1);
    EXPECT_EQ(EventsOfAgent("Mail?Client/2"), 3);
}

// The writer reuses its log rows from one batch to the next: a shorter batch after a longer one
// writes its own rows only, each with its own values (no link, other texts).
TEST_P(TrackingDbTest, EachBatchWritesItsOwnLogRows) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    for (int i = 0; i < 3; ++i) {
        Event e = Ev(EventKind::kClick, d, 10 + i, kT0 + i, /*link=*/2);
        e.device = "mobile";
        e.client = "Gmail";
        e.machine = true;
        ingestor.Accept(e);
    }
    ASSERT_TRUE(ingestor.Flush());
    ingestor.Accept(Ev(EventKind::kOpen, d, 20, kT0 + 10));
    ASSERT_TRUE(ingestor.Flush());
    EXPECT_EQ(Events(), 4);
    EXPECT_EQ(Events("kind = 'click' AND link_id = 2 AND device = 'mobile' AND client = 'Gmail' "
                     "AND machine AND profile_id BETWEEN 10 AND 12"),
              3);
    EXPECT_EQ(Events("kind = 'open' AND link_id IS NULL AND device = 'desktop' AND "
                     "client = 'Chrome' AND NOT machine AND profile_id = 20 AND at = " +
                     std::to_string(kT0 + 10)),
              1);
}

// Two nodes (two writers) record the same recipients' opens and clicks at the same time, in
// overlapping batches: every count is exact, and no batch fails (on PostgreSQL their
// transactions wait on each other's unique and roll-up rows; a deadlock would fail a flush).
TEST_P(TrackingDbTest, TwoWritersAtOnceCountExactly) {
    const std::int64_t d = MakeDelivery();
    constexpr int kRounds = 100;
    constexpr int kRecipients = 300;
    constexpr int kLinks = 12;
    constexpr int kAgents = 40;
    std::atomic<int> failed_flushes{0};
    auto node = [&](int seed) {
        Ingestor ingestor(db(), clock_);
        std::uint32_t x = static_cast<std::uint32_t>(seed) * 2654435761u + 1;
        auto next = [&x] {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            return x;
        };
        for (int round = 0; round < kRounds; ++round) {
            for (int i = 0; i < 200; ++i) {
                const auto profile = static_cast<std::int64_t>(next() % kRecipients) + 1;
                const auto at = kT0 + (next() % 7'200'000);  // two hours: two roll-up rows
                Event e = next() % 2 == 0 ? Ev(EventKind::kOpen, d, profile, at)
                                          : Ev(EventKind::kClick, d, profile, at,
                                               static_cast<int>(next() % kLinks));
                // New agents on both nodes, met in different orders.
                e.agent = "Mozilla/5.0 (agent " + std::to_string(next() % kAgents) + ")";
                ingestor.Accept(e);
            }
            if (auto st = ingestor.Flush(); !st) {
                ++failed_flushes;
                ADD_FAILURE() << "flush failed: " << st.error().message << " (" << st.error().detail
                              << ")";
            }
        }
        ASSERT_TRUE(ingestor.Flush());
        EXPECT_EQ(ingestor.stats().failures, 0u);
    };
    std::thread a(node, 1);
    std::thread b(node, 2);
    a.join();
    b.join();
    EXPECT_EQ(failed_flushes.load(), 0);
    const std::int64_t all = 2 * kRounds * 200;
    EXPECT_EQ(Events(), all);
    auto sum = [&](const std::string& column) {
        return Int("SELECT COALESCE(SUM(" + column +
                   "), 0) FROM delivery_stats WHERE delivery_id = " + std::to_string(d));
    };
    EXPECT_EQ(sum("clicks"), Events("kind = 'click'"));
    EXPECT_EQ(sum("unique_clicks"),
              Int("SELECT COUNT(DISTINCT profile_id) FROM tracking_events WHERE kind = 'click'"));
    EXPECT_EQ(sum("unique_opens"), Int("SELECT COUNT(DISTINCT profile_id) FROM tracking_events"));
    EXPECT_EQ(Int("SELECT COALESCE(SUM(unique_clicks), 0) FROM delivery_link_stats"),
              Int("SELECT COUNT(*) FROM (SELECT DISTINCT profile_id, link_id FROM "
                  "tracking_events WHERE kind = 'click') u"));
    EXPECT_EQ(Int("SELECT COALESCE(SUM(clicks), 0) FROM delivery_link_stats"),
              Events("kind = 'click'"));
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_agents"), kAgents);
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_events e JOIN tracking_agents a ON a.id = "
                  "e.agent_id"),
              all);
}

// What keeps writers on several nodes from deadlocking (TwoWritersAtOnceCountExactly catches a
// deadlock only now and then, being a race): all unique rows of a delivery go in one statement,
// in the table's key order, not one statement per kind and hour. Read from SQLite's own trace.
TEST(TrackingSqliteTest, UniqueRowsGoInOneStatementPerDelivery) {
    storage::testing::StartSqliteStatementLog();
    auto fresh = storage::testing::MakeFresh("sqlite");
    ASSERT_TRUE(fresh) << fresh.error().message;
    storage::Database& db = *fresh->db;
    std::vector<std::int64_t> deliveries;
    for (int i = 0; i < 2; ++i) {
        auto rows = storage::WithWrite(db, [&](storage::Transaction& tx) {
            return tx.QuerySql(
                "INSERT INTO deliveries (label, state, content, audience, settings, created_at, "
                "created_by, modified_at, modified_by) VALUES ('d', 'finished', '{}', '{}', "
                "'{}', 0, 't', 0, 't') RETURNING id",
                {});
        });
        ASSERT_TRUE(rows) << rows.error().message;
        deliveries.push_back(storage::AsInt(rows->rows[0][0]));
    }
    FakeClock clock{FromUnixMillis(kT0)};
    Ingestor ingestor(db, clock);
    // Human opens, implicit opens, clicks on two links, in two hours, for both deliveries.
    for (const std::int64_t d : deliveries) {
        for (std::int64_t p = 1; p <= 6; ++p) {
            const std::int64_t at = kT0 + (p % 2) * 3'600'000 + p;
            if (p % 3 == 0) ingestor.Accept(Ev(EventKind::kOpen, d, p, at));
            ingestor.Accept(Ev(EventKind::kClick, d, p, at + 1, static_cast<std::int32_t>(p % 2)));
        }
    }
    storage::testing::StartSqliteStatementLog();  // from here on: the flush only
    ASSERT_TRUE(ingestor.Flush());
    int statements = 0;
    for (const auto& s : storage::testing::StopSqliteStatementLog()) {
        if (s.find("INSERT INTO tracking_uniques") != std::string::npos) ++statements;
    }
    EXPECT_EQ(statements, 2) << "one per delivery";
    auto count = [&](const std::string& sql) {
        auto rows =
            storage::WithRead(db, [&](storage::Transaction& tx) { return tx.QuerySql(sql, {}); });
        EXPECT_TRUE(rows) << rows.error().message;
        return rows && !rows->empty() ? storage::AsInt(rows->rows[0][0]) : -1;
    };
    // Per delivery: 6 openers (2 human, 4 implied by a click), 6 clickers, 6 link clickers.
    EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_uniques"), 2 * 18);
    EXPECT_EQ(count("SELECT SUM(unique_opens) FROM delivery_stats"), 2 * 6);
    EXPECT_EQ(count("SELECT SUM(opens) FROM delivery_stats"), 2 * 6);
    EXPECT_EQ(count("SELECT SUM(unique_clicks) FROM delivery_stats"), 2 * 6);
    EXPECT_EQ(count("SELECT SUM(unique_clicks) FROM delivery_link_stats"), 2 * 6);
    // Two hours each: the uniques are counted in the hour they were first seen.
    EXPECT_EQ(count("SELECT COUNT(*) FROM delivery_stats WHERE unique_clicks = 3"), 2 * 2);
}

TEST_P(TrackingDbTest, AgentsAreStoredOnce) {
    const std::int64_t d = MakeDelivery();
    Ingestor ingestor(db(), clock_);
    for (int batch = 0; batch < 2; ++batch) {
        for (int i = 0; i < 4; ++i) {
            Event e = Ev(EventKind::kOpen, d, i, kT0 + i);
            if (i % 2 == 1) e.agent = "Mozilla/5.0 (iPhone) Mobile/15E148";
            ingestor.Accept(e);
        }
        ASSERT_TRUE(ingestor.Flush());
    }
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_agents"), 2);
    EXPECT_EQ(EventsOfAgent("%iPhone%"), 4);
    // Another writer (a second node, a restart) finds the existing rows.
    Ingestor other(db(), clock_);
    other.Accept(Ev(EventKind::kOpen, d, 9, kT0));
    ASSERT_TRUE(other.Flush());
    EXPECT_EQ(Int("SELECT COUNT(*) FROM tracking_agents"), 2);
    EXPECT_EQ(Int("SELECT COUNT(DISTINCT agent_id) FROM tracking_events"), 2);
}

TEST_P(TrackingDbTest, ConcurrentAcceptsAreAllWrittenByStop) {
    const std::int64_t d = MakeDelivery();
    constexpr int kThreads = 8;
    constexpr int kPerThread = 20'000;
    Ingestor ingestor(db(), clock_,
                      {.flush_interval = std::chrono::milliseconds(50), .max_batch = 20'000});
    ingestor.Start();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const std::int64_t profile = t * 1000 + i % 1000;
                ingestor.Accept(i % 4 == 3 ? Ev(EventKind::kClick, d, profile, kT0 + i, i % 3)
                                           : Ev(EventKind::kOpen, d, profile, kT0 + i));
            }
        });
    }
    for (auto& th : threads) th.join();
    ingestor.Stop();
    ingestor.Stop();  // idempotent
    IngestStats s = ingestor.stats();
    EXPECT_EQ(s.accepted, static_cast<std::uint64_t>(kThreads * kPerThread));
    EXPECT_EQ(s.written, s.accepted);
    EXPECT_EQ(s.queued, 0u);
    EXPECT_EQ(Events(), kThreads * kPerThread);
    // A profile's events all have one kind (i % 1000 fixes i % 4): 250 of each thread's 1000
    // profiles only click, and their first click is an implicit open.
    EXPECT_EQ(Stat(d, "opens"), kThreads * kPerThread * 3 / 4 + kThreads * 250);
    EXPECT_EQ(Stat(d, "clicks"), kThreads * kPerThread / 4);
    EXPECT_EQ(Stat(d, "unique_opens"), kThreads * 1000);
    EXPECT_EQ(Stat(d, "unique_clicks"), kThreads * 250);
}

// CPU seconds used so far by the calling thread.
double ThreadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU seconds (user + system) of a process and of its children, from /proc: the PostgreSQL
// server's backends, WAL writer and checkpointer are the postmaster's children.
double ProcessTreeCpuSeconds(long root) {
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    double total = 0;
    std::error_code ec;
    for (const auto& dir : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = dir.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(dir.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream fields(stat.substr(close + 2));
        std::string state;
        long ppid = 0;
        fields >> state >> ppid;
        const long pid = std::stol(name);
        if (pid != root && ppid != root) continue;
        std::string skip;
        for (int i = 0; i < 9; ++i) fields >> skip;  // pgrp .. cmajflt
        double utime = 0, stime = 0;
        fields >> utime >> stime;
        total += (utime + stime) / tick;
    }
    return total;
}

// Not a limit, a measurement: the writer's CPU time per event for 200,000 events in batches of
// 50,000, opens and clicks on three links, from 256 and 2,000 recipients (a load test replaying
// a few URLs) and from 100,000 (every other event a new unique: the worst case). CPU time of
// the writing thread (and on PostgreSQL of the server's processes) rather than wall time: the
// machine may be shared. OVERTURE_TRACKING_BENCH_PREFILL=<rows> first fills tracking_events
// with that many rows of other deliveries and recipients (the cost of the log's indexes grows
// with it). Printed, not asserted; it takes a minute, so it runs only when
// OVERTURE_TRACKING_BENCH=1 (correctness is the other tests' job).
TEST_P(TrackingDbTest, WriteThroughputIsMeasured) {
    if (std::getenv("OVERTURE_TRACKING_BENCH") == nullptr) {
        GTEST_SKIP() << "a measurement: set OVERTURE_TRACKING_BENCH=1 to run it";
    }
    constexpr int kEvents = 200'000;
    const char* prefill_env = std::getenv("OVERTURE_TRACKING_BENCH_PREFILL");
    const std::int64_t prefill = prefill_env != nullptr ? std::atoll(prefill_env) : 0;
    const bool postgres = db().dialect() == storage::Dialect::kPostgres;
    if (prefill > 0) {
        const std::string columns =
            "INSERT INTO tracking_events (delivery_id, profile_id, kind, link_id, machine, at, "
            "device, client, agent_id) ";
        const std::string values = "SELECT 999999, (i * 7919) % 1000003, 'open', NULL, FALSE, " +
                                   std::to_string(kT0) +
                                   " - 86400000 + i, 'desktop', 'Chrome', NULL";
        const std::string n = std::to_string(prefill);
        Exec(postgres
                 ? columns + values + " FROM generate_series(CAST(1 AS BIGINT), " + n + ") AS g(i)"
                 : "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < " + n +
                       ") " + columns + values + " FROM c");
        if (postgres) Exec("ANALYZE tracking_events");
    }
    long postmaster = 0;
    if (postgres) {
        const std::int64_t backend = Int("SELECT pg_backend_pid()");
        std::ifstream in("/proc/" + std::to_string(backend) + "/stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::istringstream fields(stat.substr(stat.rfind(')') + 2));
        std::string state;
        fields >> state >> postmaster;
    }
    for (const int recipients : {256, 2'000, 100'000}) {
        const std::int64_t d = MakeDelivery();
        Ingestor ingestor(db(), clock_);
        for (int i = 0; i < kEvents; ++i) {
            // Each recipient opens, then clicks; the ids spread over those of the prefill.
            const std::int64_t profile = (i / 2 * 7919L) % recipients * 104'729L % 1'000'003;
            Event e = i % 2 == 0 ? Ev(EventKind::kOpen, d, profile, kT0 + i)
                                 : Ev(EventKind::kClick, d, profile, kT0 + i, i % 3);
            e.agent =
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                "Gecko) Chrome/119.0.0.0 Safari/537.36";
            ingestor.Accept(std::move(e));
        }
        const auto start = std::chrono::steady_clock::now();
        const double cpu_start = ThreadCpuSeconds();
        const double server_start = postgres ? ProcessTreeCpuSeconds(postmaster) : 0;
        ASSERT_TRUE(ingestor.Flush());
        const double cpu = ThreadCpuSeconds() - cpu_start;
        const double server = postgres ? ProcessTreeCpuSeconds(postmaster) - server_start : 0;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf(
            "[ measure  ] %s: %d events of %d recipients (%lld rows before): %.2f s wall, "
            "writer %.2f us CPU/event, server %.2f us CPU/event\n",
            GetParam().c_str(), kEvents, recipients, static_cast<long long>(prefill), seconds,
            cpu * 1e6 / kEvents, server * 1e6 / kEvents);
        EXPECT_EQ(Events("delivery_id = " + std::to_string(d)), kEvents);
        EXPECT_EQ(Stat(d, "unique_opens"), recipients);
        EXPECT_EQ(Stat(d, "unique_clicks"), recipients);
    }
}

OVERTURE_INSTANTIATE_BACKENDS(TrackingDbTest);

}  // namespace
}  // namespace overture::tracking
