#pragma once
// Content fragments (docs/deliveries.md, "Content fragments"): named blocks of template text (a
// header, a footer, a legal notice) kept once and included in messages with
// `{% include "footer" %}`. The render engine asks for them through a render::FragmentProvider;
// Provider() gives one over the stored fragments.
//
// A fragment's name is fixed at creation: [a-z0-9][a-z0-9_-]*, at most 64 characters, unique.
// Its source must compile (HTML mode, lenient, as at send time) with its includes resolved
// through the store as it would be after the save; an unknown included fragment, fragments
// that include each other in a cycle, and a syntax error fail with kInvalidArgument whose
// details hold field "source", line and column in the fragment's own source (for a problem in
// an included fragment, the position of the include that leads to it) and, for an include
// problem, "fragment" naming the fragment at fault.
//
// Reading needs kReadData; creating, changing and deleting need kWriteData. Changes go to the
// audit trail ("fragment.create", "fragment.update", "fragment.delete"). Thread-safe (holds only
// references).
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "render/template.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

using FragmentId = StrongId<struct FragmentIdTag>;

// At most this many bytes of source (the engine's own limit is larger).
inline constexpr std::size_t kMaxFragmentSourceBytes = 256 * 1024;

struct Fragment {
    FragmentId id;
    std::string name;
    std::string label;
    std::string description;
    std::string source;
    TimePoint created_at;
    std::string created_by;
    TimePoint modified_at;
    std::string modified_by;
};

struct NewFragment {
    std::string name;
    std::string label;        // the name when empty; at most 200 characters
    std::string description;  // at most 2,000 characters
    std::string source;
};

struct FragmentPatch {
    std::optional<std::string> label, description, source;
};

struct FragmentListQuery {
    PageRequest page;
    std::string search;  // in the name or the label, case-insensitive
};

class FragmentService {
  public:
    FragmentService(storage::Database& db, const Clock& clock, const AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    // kWriteData. kInvalidArgument naming the field ("name", "label", "description", "source",
    // with line and column for the source); kAlreadyExists (field "name") for a name in use.
    Result<Fragment> Create(const Actor& actor, const NewFragment& in) const;
    // kReadData. Oldest first.
    Result<Page<Fragment>> List(const Actor& actor, const FragmentListQuery& query) const;
    Result<std::int64_t> Count(const Actor& actor, const std::string& search) const;
    // kReadData. kNotFound.
    Result<Fragment> Get(const Actor& actor, FragmentId id) const;
    // kWriteData. kNotFound; kInvalidArgument as Create.
    Result<Fragment> Update(const Actor& actor, FragmentId id, const FragmentPatch& patch) const;
    // kWriteData. kNotFound; kFailedPrecondition naming the stored fragments that include it.
    // Messages that include it fail to compile afterwards (preparation and previews say so).
    Status Delete(const Actor& actor, FragmentId id) const;

    // Every stored fragment (name -> source), loaded in one query, behind a provider for
    // render::CompileOptions::fragments. No permission check: for the sender, preparations,
    // proofs and previews. The provider is a snapshot, safe to call from any thread.
    Result<render::FragmentProvider> Provider() const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
};

}  // namespace overture::service
