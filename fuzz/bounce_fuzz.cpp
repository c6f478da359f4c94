// libFuzzer target of the bounce reader's parsers (channels/email/mime_parse.hpp and
// bounce.hpp, issue 6): arbitrary bytes as a received message. Invariants:
//   - ParseMime either fails with kInvalidArgument and a message, or gives a tree within the
//     limits (depth, number of parts);
//   - ParseBounce never throws and never returns an empty list; a kNotABounce event is alone;
//     every event has a classification reason; a key, when found, is one whose Message-ID
//     parses back to the same key;
//   - parsing twice gives the same events.
// Run with `make fuzz` (docs/development.md, "Fuzzing").
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "channels/email/bounce.hpp"
#include "channels/email/classify.hpp"
#include "channels/email/message_id.hpp"
#include "channels/email/mime_parse.hpp"

namespace {

using namespace overture;
using namespace overture::email;

void Require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "bounce fuzz invariant broken: %s\n", what);
    std::abort();
}

std::size_t Depth(const MimePart& part, std::size_t& parts) {
    ++parts;
    std::size_t deepest = 0;
    for (const auto& child : part.children) {
        const auto d = Depth(child, parts) + 1;
        if (d > deepest) deepest = d;
    }
    return deepest;
}

const Classifier& TheClassifier() {
    static const Classifier classifier = [] {
        auto c = Classifier::Create();
        Require(c.has_value(), "the default rules compile");
        return std::move(*c);
    }();
    return classifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    MimeLimits limits;
    limits.max_depth = 8;
    limits.max_parts = 64;
    auto tree = ParseMime(raw, limits);
    if (tree) {
        std::size_t parts = 0;
        Require(Depth(*tree, parts) <= limits.max_depth + 1, "depth within the limit");
        Require(parts <= limits.max_parts, "parts within the limit");
    } else {
        Require(tree.error().code == ErrorCode::kInvalidArgument, "errors are invalid_argument");
        Require(!tree.error().message.empty(), "errors say what");
    }

    const auto events = ParseBounce(raw, TheClassifier());
    Require(!events.empty(), "at least one event");
    for (const auto& e : events) {
        if (e.kind == BounceKind::kNotABounce) Require(events.size() == 1, "not a bounce is alone");
        Require(!e.classification.reason.empty(), "every event is classified");
        if (e.key) {
            Require(ParseMessageId(MessageId(*e.key, "example.com")) == e.key,
                    "keys round-trip through a Message-ID");
        }
    }
    const auto again = ParseBounce(raw, TheClassifier());
    Require(again.size() == events.size(), "deterministic: the same number of events");
    for (std::size_t i = 0; i < events.size(); ++i) {
        Require(again[i].kind == events[i].kind && again[i].key == events[i].key &&
                    again[i].status == events[i].status &&
                    again[i].classification.reason == events[i].classification.reason,
                "deterministic: the same events");
    }
    return 0;
}
