#pragma once
// Who opened or clicked (docs/tracking.md, "Machine opens"): the device and client family of a
// User-Agent, and whether the request came from a machine rather than a person (privacy proxies
// that prefetch images, link scanners of mail security gateways, bots).
//
// Rules, in order (the table lives in agents.cpp with the source of each entry):
//   - proxies: Google's image proxy ("GoogleImageProxy"), Yahoo's ("YahooMailProxy"), Apple Mail
//     Privacy Protection (a generic "Mozilla/5.0" without a browser token from Apple's 17.0.0.0/8),
//     Outlook/Office 365 prefetch ("ms-office" agents from Microsoft ranges) -> device "proxy";
//   - scanners and bots: bot/crawler/spider/scanner tokens, Barracuda, Mimecast, Proofpoint,
//     Symantec, "python-requests", "curl", "Go-http-client", "Wget", empty agent -> "bot";
//   - else device from the agent (iPad/Tablet -> tablet, Mobile/iPhone/iPod -> mobile, Android
//     without Mobile -> tablet, else desktop) and client from the first matching family
//     (Thunderbird, Outlook, Apple Mail, Gmail, Yahoo, Samsung Email, Edge, Chrome, Firefox,
//     Safari, Opera, other).
// An open within `machine_open_seconds` of its message's render time is a machine open whatever
// the agent says (the ingestion applies that rule; it knows the time from the open token).
//
// ClassifyAgent is a pure function (thread-safe). AgentCache, for the I/O threads, keeps what
// the agent alone says for the last distinct agents, so a request pays a hash and a compare
// instead of some forty substring searches; one cache per thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace overture::tracking {

struct AgentInfo {
    std::string device;    // desktop, mobile, tablet, proxy, bot
    std::string client;    // Gmail, Apple Mail, Outlook, ..., other
    bool machine = false;  // device is proxy or bot
};

// `remote_address` is the peer's IP address text (v4 or v6); may be empty.
AgentInfo ClassifyAgent(std::string_view user_agent, std::string_view remote_address);

// What the agent's text says, and the address rules that may still make it a proxy (the
// address is looked at only when one applies: Apple's bare agent, or an "ms-office" agent).
struct AgentText {
    AgentInfo info;
    bool apple_rule = false;
    bool microsoft_rule = false;
};

// ClassifyAgent with the text part cached: two-way set-associative by the agent's hash (an
// agent may sit in one of two slots; a new one replaces the less recently used). Agents longer
// than kMaxAgent bytes are not cached. Not thread-safe: one per thread.
class AgentCache {
  public:
    static constexpr std::size_t kSlots = 128;
    static constexpr std::size_t kMaxAgent = 512;

    AgentInfo Classify(std::string_view user_agent, std::string_view remote_address);

  private:
    struct Slot {
        std::uint64_t used_at = 0;  // 0: empty
        std::string agent;
        AgentText text;
    };
    std::array<Slot, kSlots> slots_;
    std::uint64_t clock_ = 0;
};

}  // namespace overture::tracking
