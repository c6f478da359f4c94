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
// Thread-safe (pure functions).
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

}  // namespace overture::tracking
