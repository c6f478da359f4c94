// The shared part of the service's workflow activities (service/workflow_files.hpp).
#include "service/workflow_files.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>
#include <system_error>

#include "common/strings.hpp"
#include "service/roles.hpp"
#include "storage/sql_text.hpp"

namespace overture::service {

namespace wf {

namespace fs = std::filesystem;
namespace json = boost::json;

workflow::Problem MakeProblem(std::string field, std::string message) {
    workflow::Problem p;
    p.field = std::move(field);
    p.message = std::move(message);
    return p;
}

std::optional<std::string> StringParam(const json::object& params, std::string_view key) {
    const json::value* v = params.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

std::optional<std::int64_t> IntParam(const json::object& params, std::string_view key) {
    const json::value* v = params.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

std::optional<bool> BoolParam(const json::object& params, std::string_view key, bool fallback) {
    const json::value* v = params.if_contains(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_bool()) return std::nullopt;
    return v->get_bool();
}

std::optional<std::string> PathProblem(std::string_view path) {
    if (path.empty()) return "the path is required";
    if (path.size() > 1000) return "the path must be at most 1,000 characters";
    if (path.starts_with("sftp://") || path.find("://") != std::string_view::npos) {
        return "only paths inside the workflow files folder are supported (SFTP comes later)";
    }
    if (path.front() == '/') {
        return "the path must be relative to the workflow files folder, not absolute";
    }
    if (path.find('\\') != std::string_view::npos) return "the path must use '/', not '\\'";
    if (path.find('\0') != std::string_view::npos) return "the path must not contain NUL";
    if (path.size() >= 2 && path[1] == ':') {
        return "the path must be relative to the workflow files folder, not absolute";
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const auto part = path.substr(start, end - start);
        if (part == "..") return "the path must not contain '..'";
        if (part == ".") return "the path must not contain '.' parts";
        if (part.empty()) return "the path must not contain empty parts ('//' or a final '/')";
        start = end + 1;
    }
    return std::nullopt;
}

std::optional<workflow::Problem> PathParamProblem(const boost::json::object& params,
                                                  std::string_view key, std::string missing) {
    const std::string field = fmt::format("params.{}", key);
    auto path = StringParam(params, key);
    if (!path || path->empty()) return MakeProblem(field, std::move(missing));
    if (auto problem = PathProblem(*path)) return MakeProblem(field, std::move(*problem));
    return std::nullopt;
}

std::string ExpandPath(std::string_view path, const workflow::Context& ctx) {
    const std::string run = std::to_string(ctx.run_id());
    const std::string date = FormatRfc3339(ctx.clock().Now()).substr(0, 10);
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size();) {
        if (path.substr(i).starts_with("{run}")) {
            out += run;
            i += 5;
        } else if (path.substr(i).starts_with("{date}")) {
            out += date;
            i += 6;
        } else {
            out += path[i++];
        }
    }
    return out;
}

namespace {

// True when `p` is `root` or below it (both absolute and lexically normal).
bool Inside(const fs::path& root, const fs::path& p) {
    auto r = root.begin();
    auto q = p.begin();
    for (; r != root.end(); ++r, ++q) {
        if (r->empty() && std::next(r) == root.end()) return true;  // trailing separator
        if (q == p.end() || *r != *q) return false;
    }
    return true;
}

}  // namespace

Result<fs::path> Resolve(const std::string& directory, std::string_view relative,
                         bool create_parent) {
    if (auto problem = PathProblem(relative)) {
        return Fail(Error::InvalidArgument(fmt::format("the path '{}': {}", relative, *problem)));
    }
    std::error_code ec;
    fs::create_directories(directory, ec);
    const fs::path root = fs::weakly_canonical(fs::absolute(directory, ec), ec);
    if (ec) {
        return Fail(Error::InvalidArgument(fmt::format(
            "the workflow files folder '{}' cannot be used: {}", directory, ec.message())));
    }
    const fs::path wanted = root / fs::path(std::string(relative));
    // The folder that holds the file must resolve inside the root before anything is created,
    // and again after (a link could have been made meanwhile: checked once more below).
    auto check = [&](const fs::path& p) -> Result<fs::path> {
        std::error_code e;
        fs::path real = fs::weakly_canonical(p, e);
        if (e) {
            return Fail(Error::InvalidArgument(
                fmt::format("the path '{}' cannot be resolved: {}", relative, e.message())));
        }
        if (!Inside(root, real)) {
            return Fail(Error::InvalidArgument(fmt::format(
                "the path '{}' leads outside the workflow files folder (through a symbolic "
                "link)",
                relative)));
        }
        return real;
    };
    if (auto parent = check(wanted.parent_path()); !parent) return Fail(parent.error());
    if (create_parent) {
        fs::create_directories(wanted.parent_path(), ec);
        if (ec) {
            return Fail(Error::InvalidArgument(
                fmt::format("the folder of '{}' cannot be created: {}", relative, ec.message())));
        }
    }
    return check(wanted);
}

Actor RunActor(const workflow::Context& ctx) {
    Actor a;
    a.username = ctx.run_as();
    a.role = ParseRole(ctx.run_as_role()).value_or(Role::kAnalyst);
    return a;
}

std::optional<workflow::Table> MaybeInboundTable(const workflow::Context& ctx) {
    for (const auto& in : ctx.inputs()) {
        if (in.table) return in.table;
    }
    return std::nullopt;
}

Result<workflow::Table> InboundTable(const workflow::Context& ctx) {
    if (auto t = MaybeInboundTable(ctx)) return std::move(*t);
    return Fail(Error::FailedPrecondition(
        fmt::format("the activity '{}' needs a population: connect an activity that gives one",
                    ctx.activity().label.empty() ? ctx.activity().id : ctx.activity().label)));
}

workflow::Outcome Pass(std::optional<workflow::Table> table) {
    workflow::Output out;
    out.table = std::move(table);
    return workflow::Outcome::Done({std::move(out)});
}

Result<RunInfo> LoadRunInfo(workflow::Context& ctx) {
    storage::Params params(ctx.db().dialect());
    const std::string sql = fmt::format(
        "SELECT w.label, r.number FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id "
        "WHERE r.id = {}",
        params.Add(ctx.run_id()));
    auto rows = storage::WithRead(
        ctx.db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, params.values()); });
    if (!rows) return Fail(rows.error());
    RunInfo info;
    if (!rows->empty()) {
        info.workflow_label = storage::AsString(rows->rows[0][0]);
        info.number = storage::AsInt(rows->rows[0][1]);
    }
    return info;
}

std::string CellText(const storage::Value& v) {
    if (std::holds_alternative<std::monostate>(v)) return {};
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return std::get<std::string>(v);
}

}  // namespace wf
}  // namespace overture::service
