#pragma once
// Checking and previewing message templates (docs/personalization.md, "The API"): Validate
// compiles a subject, an HTML part and a text part in strict mode and reports the first error
// of each part or the profile fields they read; Render compiles them in lenient mode and
// renders a preview with the data of a profile, a test profile or a JSON context given by the
// caller. Previews get fake special URLs (https://preview.invalid/...) until tracking signs
// real ones. Includes (`{% include "footer" %}`) resolve through the content fragments
// (service/fragments.hpp) once SetFragments was called; without it every include is an error.
// Thread-safe (holds only references).
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "render/template.hpp"
#include "service/actor.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"

namespace overture::service {

class FragmentService;

// The parts of a message; a part not given is not compiled. The subject and the text part are
// compiled in text mode, the HTML part in HTML mode.
struct TemplateParts {
    std::optional<std::string> subject;
    std::optional<std::string> html;
    std::optional<std::string> text;
};

// One compile error: the part ("subject", "html", "text"), the position (characters, from 1)
// and the engine's message ("line L, column C: what") and excerpt.
struct TemplateError {
    std::string part;
    int line = 0;
    int column = 0;
    std::string message;
    std::string excerpt;
};

struct TemplateValidation {
    // The first error of each part, in the order subject, html, text; empty when valid.
    std::vector<TemplateError> errors;
    // When valid: the first-level profile members the parts read (fields and 1-N links),
    // sorted, unique, and whether a part reads the whole profile.
    std::vector<std::string> fields;
    bool whole_profile = false;
};

// Where the data of a preview comes from: at most one of the three; none renders with no data.
struct PreviewData {
    std::optional<std::int64_t> profile_id;
    std::optional<std::int64_t> test_profile_id;
    // {"profile", "event", "target", "delivery"}: each optional, any JSON.
    std::optional<boost::json::object> context;
};

struct RenderedParts {
    std::optional<std::string> subject;
    std::optional<std::string> html;
    std::optional<std::string> text;
};

// Rows of each 1-N link of a profile (profile.purchases) a preview loads, newest ids last.
inline constexpr int kPreviewLinkRows = 100;
// The special URLs of a preview.
inline constexpr std::string_view kPreviewUnsubscribeUrl = "https://preview.invalid/unsubscribe";
inline constexpr std::string_view kPreviewMirrorUrl = "https://preview.invalid/mirror";
inline constexpr std::string_view kPreviewSubscriptionUrl = "https://preview.invalid/subscriptions";

class TemplateService {
  public:
    TemplateService(const RecordService& records, const SchemaService& schema,
                    render::Limits limits = {})
        : records_(records), schema_(schema), limits_(limits) {}

    // Set once by app/ before serving (and by tests): the stored fragments, loaded at each
    // Validate and Render.
    void SetFragments(const FragmentService* fragments) { fragments_ = fragments; }

    // Needs kReadData. kInvalidArgument when no part is given. Compile errors are not a
    // failure: they are in the result's errors.
    Result<TemplateValidation> Validate(const Actor& actor, const TemplateParts& parts) const;

    // Needs kReadData. kInvalidArgument when no part is given, when more than one source of
    // data is given, for a context with other keys than profile, event, target and delivery,
    // and for a compile or render error (details: part, line, column, excerpt; "limit" naming
    // the render::Limits member when a limit stopped the render). kNotFound for an unknown
    // profile or test profile.
    Result<RenderedParts> Render(const Actor& actor, const TemplateParts& parts,
                                 const PreviewData& data) const;

  private:
    // The stored fragments, or an empty provider without SetFragments.
    Result<render::FragmentProvider> Fragments() const;

    const RecordService& records_;
    const SchemaService& schema_;
    render::Limits limits_;
    const FragmentService* fragments_ = nullptr;
};

}  // namespace overture::service
