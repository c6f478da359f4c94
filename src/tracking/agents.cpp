// User-Agent and address classification for tracking events (tracking/agents.hpp). The tables
// below are short on purpose: they name the agents that fetch images or follow links without a
// person behind them often enough to skew a report, and the families a marketer asks about.
// Matching is by substring on the agent (case-insensitive unless said), first match wins.
#include "tracking/agents.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "common/strings.hpp"

namespace overture::tracking {
namespace {

// ---- addresses --------------------------------------------------------------------------

struct Address {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // v4 in the first 4
};

// The peer address, "[v6]" brackets and a "%zone" suffix allowed; an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d, what a dual-stack socket reports) counts as IPv4.
std::optional<Address> ParseAddress(std::string_view s) {
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    if (auto pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct);
    if (s.empty() || s.size() > 64) return std::nullopt;
    char text[65];  // inet_pton wants a terminated string
    std::copy(s.begin(), s.end(), text);
    text[s.size()] = '\0';
    Address a;
    if (s.find(':') == std::string_view::npos) {
        if (inet_pton(AF_INET, text, a.bytes.data()) != 1) return std::nullopt;
        return a;
    }
    if (inet_pton(AF_INET6, text, a.bytes.data()) != 1) return std::nullopt;
    static constexpr std::array<std::uint8_t, 12> kMapped = {0, 0, 0, 0, 0,    0,
                                                             0, 0, 0, 0, 0xFF, 0xFF};
    if (std::equal(kMapped.begin(), kMapped.end(), a.bytes.begin())) {
        std::copy(a.bytes.begin() + 12, a.bytes.end(), a.bytes.begin());
        std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
        return a;
    }
    a.v6 = true;
    return a;
}

struct Range {
    bool v6;
    std::array<std::uint8_t, 16> prefix;
    int bits;
};

bool InRange(const Address& a, const Range& r) {
    if (a.v6 != r.v6) return false;
    int bits = r.bits;
    for (int k = 0; bits > 0; ++k, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xFF : static_cast<std::uint8_t>(0xFF << (8 - bits));
        if ((a.bytes[k] & mask) != (r.prefix[k] & mask)) return false;
    }
    return true;
}

// Apple Mail Privacy Protection fetches remote content through Apple's proxies, from Apple's
// 17.0.0.0/8 (ARIN NET-17-0-0-0-1; Apple's "Mail Privacy Protection" support notes and the
// ESPs' write-ups of MPP, e.g. Litmus and SendGrid, say MPP opens come from there with the
// bare agent "Mozilla/5.0").
constexpr Range kApple[] = {{false, {17}, 8}};

// Exchange Online Protection's outbound ranges (Microsoft 365 "URLs and IP address ranges",
// Exchange Online, ID 9), from where Microsoft's mail servers fetch or scan content.
constexpr Range kMicrosoft[] = {
    {false, {40, 92}, 15},
    {false, {40, 107}, 16},
    {false, {52, 100}, 14},
    {false, {104, 47}, 17},
    {true, {0x2a, 0x01, 0x01, 0x11, 0xf4, 0x00}, 48},  // 2a01:111:f400::/48
    {true, {0x2a, 0x01, 0x01, 0x11, 0xf4, 0x03}, 48},  // 2a01:111:f403::/48
};

template <std::size_t N>
bool InAny(const std::optional<Address>& a, const Range (&ranges)[N]) {
    if (!a) return false;
    for (const Range& r : ranges) {
        if (InRange(*a, r)) return true;
    }
    return false;
}

// ---- agents -----------------------------------------------------------------------------

bool Contains(std::string_view lower_agent, std::string_view lower_needle) {
    return lower_agent.find(lower_needle) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

struct Family {
    std::string_view needle;  // lower case
    std::string_view name;
};

// Image proxies: the provider's servers fetch the pixel when the message is delivered or
// first shown, so the open says nothing about a person.
//   Gmail: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com
//   GoogleImageProxy)" (Google's "Image proxy" notes for senders, 2013).
//   Yahoo: "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html".
constexpr Family kProxies[] = {
    {"googleimageproxy", "Gmail"},
    {"yahoomailproxy", "Yahoo"},
};

// Link scanners of mail security gateways and HTTP tools; none is a person reading mail.
// Names as their agents carry them (vendor documentation of URL defense / sandboxing, and what
// shows up in tracking logs).
constexpr Family kBots[] = {
    {"barracuda", "Barracuda"},
    {"mimecast", "Mimecast"},
    {"proofpoint", "Proofpoint"},
    {"symantec", "Symantec"},
    {"python-requests", "python-requests"},
    {"python-urllib", "python-urllib"},
    {"curl/", "curl"},
    {"go-http-client", "Go-http-client"},
    {"wget/", "Wget"},
    {"libwww-perl", "libwww-perl"},
    {"okhttp", "okhttp"},
    {"headlesschrome", "HeadlessChrome"},
    {"crawler", "bot"},
    {"spider", "bot"},
    {"scanner", "bot"},
};

// "bot" as a word or a name's end ("Googlebot/2.1", "bingbot", "Slackbot-LinkExpanding"), but
// not inside a device name such as "CUBOT".
bool HasBotToken(std::string_view a) {
    for (std::size_t at = a.find("bot"); at != std::string_view::npos; at = a.find("bot", at + 1)) {
        if (at >= 2 && a.substr(at - 2, 2) == "cu") continue;
        const std::size_t after = at + 3;
        if (after == a.size()) return true;
        const char c = a[after];
        if (!(c >= 'a' && c <= 'z')) return true;
    }
    return false;
}

// Mail and browser families, in the order they are tried: mail clients first (their agents
// often also carry a browser token), then browsers whose agents carry another's token (Edge
// and Opera say "Chrome", Chrome says "Safari") before the one they imitate.
constexpr Family kClients[] = {
    {"thunderbird/", "Thunderbird"},
    {"microsoft outlook", "Outlook"},
    {"ms-office", "Outlook"},
    {"msoffice", "Outlook"},
    {"outlook-ios", "Outlook"},
    {"outlook-android", "Outlook"},
    {"gmail", "Gmail"},
    {"yahoomobilemail", "Yahoo"},
    {"samsungemail", "Samsung Email"},
    {"samsung email", "Samsung Email"},
    {"edg/", "Edge"},
    {"edge/", "Edge"},
    {"edga/", "Edge"},
    {"edgios/", "Edge"},
    {"opr/", "Opera"},
    {"opera", "Opera"},
    {"chrome/", "Chrome"},
    {"crios/", "Chrome"},
    {"firefox/", "Firefox"},
    {"fxios/", "Firefox"},
};

// Apple Mail (macOS, iOS, iPadOS) shows messages in a WebKit view whose agent has no browser
// token: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML,
// like Gecko) Mobile/15E148", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)
// AppleWebKit/605.1.15 (KHTML, like Gecko)".
bool IsAppleMail(std::string_view a) {
    return Contains(a, "applewebkit") && !Contains(a, "safari") && !Contains(a, "chrome") &&
           (Contains(a, "iphone") || Contains(a, "ipad") || Contains(a, "macintosh"));
}

// Android tablets leave "Mobile" out of the agent (Chrome for Android's documented phone and
// tablet agent patterns), so Android alone means a tablet.
std::string Device(std::string_view a) {
    if (Contains(a, "ipad") || Contains(a, "tablet")) return "tablet";
    if (Contains(a, "mobile") || Contains(a, "iphone") || Contains(a, "ipod")) return "mobile";
    if (Contains(a, "android")) return "tablet";
    return "desktop";
}

}  // namespace

namespace {

AgentText ClassifyAgentText(std::string_view user_agent) {
    const std::string a = Lower(Trim(user_agent));
    for (const Family& f : kProxies) {
        if (Contains(a, f.needle)) return {{"proxy", std::string(f.name), true}};
    }
    AgentText out;
    // Apple's MPP proxy sends a bare "Mozilla/5.0": no platform in parentheses, no engine.
    out.apple_rule = !Contains(a, "(");
    out.microsoft_rule = Contains(a, "ms-office");
    if (a.empty()) {
        out.info = {"bot", "other", true};
        return out;
    }
    for (const Family& f : kBots) {
        if (Contains(a, f.needle)) {
            out.info = {"bot", std::string(f.name), true};
            return out;
        }
    }
    if (HasBotToken(a)) {
        out.info = {"bot", "bot", true};
        return out;
    }
    out.info.device = Device(a);
    out.info.client = "other";
    for (const Family& f : kClients) {
        if (Contains(a, f.needle)) {
            out.info.client = std::string(f.name);
            return out;
        }
    }
    if (IsAppleMail(a)) {
        out.info.client = "Apple Mail";
    } else if (Contains(a, "safari/")) {
        out.info.client = "Safari";
    }
    return out;
}

AgentInfo ApplyAddressRules(const AgentText& text, std::string_view remote_address) {
    if (!text.apple_rule && !text.microsoft_rule) return text.info;
    const auto address = ParseAddress(remote_address);
    if (text.apple_rule && InAny(address, kApple)) return {"proxy", "Apple Mail", true};
    if (text.microsoft_rule && InAny(address, kMicrosoft)) return {"proxy", "Outlook", true};
    return text.info;
}

}  // namespace

AgentInfo ClassifyAgent(std::string_view user_agent, std::string_view remote_address) {
    return ApplyAddressRules(ClassifyAgentText(user_agent), remote_address);
}

AgentInfo AgentCache::Classify(std::string_view user_agent, std::string_view remote_address) {
    if (user_agent.size() > kMaxAgent) return ClassifyAgent(user_agent, remote_address);
    const std::size_t hash = std::hash<std::string_view>()(user_agent);
    Slot& first = slots_[hash % kSlots];
    Slot& second = slots_[(hash / kSlots) % kSlots];
    Slot* slot = nullptr;
    if (first.used_at != 0 && first.agent == user_agent) {
        slot = &first;
    } else if (second.used_at != 0 && second.agent == user_agent) {
        slot = &second;
    } else {
        slot = first.used_at <= second.used_at ? &first : &second;
        slot->agent.assign(user_agent);
        slot->text = ClassifyAgentText(user_agent);
    }
    slot->used_at = ++clock_;
    return ApplyAddressRules(slot->text, remote_address);
}

}  // namespace overture::tracking
