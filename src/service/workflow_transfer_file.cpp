// The transferFile activity (data): copies or moves a file inside the workflow files folder.
//
// params: {"from": "incoming/nightly.csv", "to": "archive/nightly-{date}.csv",
//          "mode": "copy" (default) | "move"}
// ports: in -> out (passes its inbound table when it has one; it may also follow a Scheduler).
//
// Both paths are relative to the files folder and follow its rules (service/workflow_files.hpp);
// "{run}" and "{date}" are replaced. The destination is replaced when it exists. Remote
// transfers (sftp://) are not available yet: Check says so. A dry run copies nothing.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "service/workflow_files.hpp"

namespace overture::service::wf {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using workflow::Context;
using workflow::Outcome;
using workflow::Problem;

class TransferFile final : public workflow::ActivityType {
  public:
    explicit TransferFile(const ServiceActivityDeps& deps) : deps_(deps) {}

    std::string_view type() const override { return "transferFile"; }
    std::string_view category() const override { return "data"; }
    std::string_view label() const override { return "Transfer file"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params,
                               const workflow::CheckContext&) const override {
        std::vector<Problem> out;
        for (const char* key : {"from", "to"}) {
            if (StringParam(params, key).value_or("").starts_with("sftp://")) {
                out.push_back(
                    MakeProblem(fmt::format("params.{}", key),
                                "SFTP transfers are not available yet: use a path inside the "
                                "workflow files folder"));
            } else if (auto problem =
                           PathParamProblem(params, key, fmt::format("'{}' is required", key))) {
                out.push_back(std::move(*problem));
            }
        }
        auto mode = StringParam(params, "mode").value_or("copy");
        if (mode != "copy" && mode != "move") {
            out.push_back(MakeProblem("params.mode", "mode must be copy or move"));
        }
        return out;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        const auto& params = ctx.activity().params;
        const std::string from = ExpandPath(StringParam(params, "from").value_or(""), ctx);
        const std::string to = ExpandPath(StringParam(params, "to").value_or(""), ctx);
        const bool move = StringParam(params, "mode").value_or("copy") == "move";
        if (ctx.dry_run()) {
            ctx.Log(workflow::LogLevel::kInfo, fmt::format("dry run: '{}' would be {} to '{}'",
                                                           from, move ? "moved" : "copied", to));
            return Pass(MaybeInboundTable(ctx));
        }
        auto source = Resolve(deps_.directory, from, /*create_parent=*/false);
        if (!source) return Fail(source.error());
        std::error_code ec;
        if (!fs::is_regular_file(*source, ec)) {
            return Fail(Error::NotFound(
                fmt::format("the file '{}' does not exist in the workflow files folder", from)));
        }
        auto target = Resolve(deps_.directory, to, /*create_parent=*/true);
        if (!target) return Fail(target.error());
        if (*source == *target) {
            return Fail(
                Error::InvalidArgument(fmt::format("'{}' and '{}' are the same file", from, to)));
        }
        if (move) {
            fs::rename(*source, *target, ec);
        } else {
            fs::copy_file(*source, *target, fs::copy_options::overwrite_existing, ec);
        }
        if (ec) {
            return Fail(Error::FailedPrecondition(fmt::format("'{}' could not be {} to '{}': {}",
                                                              from, move ? "moved" : "copied", to,
                                                              ec.message())));
        }
        const auto size = fs::file_size(*target, ec);
        ctx.Log(workflow::LogLevel::kInfo,
                fmt::format("'{}' {} to '{}' ({} bytes)", from, move ? "moved" : "copied", to,
                            ec ? 0 : size));
        return Pass(MaybeInboundTable(ctx));
    }

  private:
    ServiceActivityDeps deps_;
};

}  // namespace

std::unique_ptr<workflow::ActivityType> MakeTransferFile(const ServiceActivityDeps& deps) {
    return std::make_unique<TransferFile>(deps);
}

}  // namespace overture::service::wf
