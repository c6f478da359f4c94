#include "service/imports.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>
#include <limits>

#include "common/strings.hpp"
#include "importexport/csv_detect.hpp"
#include "service/queries.hpp"

namespace overture::service {

namespace json = boost::json;
using importexport::ColumnMapping;
using importexport::ImportSpec;
using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;
using storage::Value;

namespace {

json::object SniffJson(const importexport::CsvSniff& s) {
    json::array preview;
    for (const auto& row : s.preview) {
        json::array cells;
        for (const auto& c : row) cells.push_back(json::string(c));
        preview.push_back(std::move(cells));
    }
    return {{"gzip", s.gzip},
            {"encoding", s.encoding == importexport::Encoding::kUtf8 ? "utf-8" : "latin-1"},
            {"delimiter", std::string(1, s.delimiter)},
            {"hasHeader", s.has_header},
            {"columnCount", s.column_count},
            {"preview", std::move(preview)}};
}

std::string_view OnBadName(importexport::OnBadValue v) {
    switch (v) {
        case importexport::OnBadValue::kIgnoreValue:
            return "ignore";
        case importexport::OnBadValue::kUseDefault:
            return "default";
        default:
            return "reject";
    }
}

json::array MappingJson(const std::vector<ColumnMapping>& columns,
                        const std::vector<std::string>& header) {
    json::array out;
    for (const auto& m : columns) {
        json::object o{{"source", m.source},         {"target", m.target},
                       {"format", m.format},         {"onBadValue", OnBadName(m.on_bad)},
                       {"default", m.default_value}, {"keepWhenEmpty", m.keep_when_empty}};
        if (m.source >= 0 && static_cast<std::size_t>(m.source) < header.size()) {
            o["column"] = header[m.source];
        }
        out.push_back(std::move(o));
    }
    return out;
}

std::string SafeFileName(std::string_view name) {
    auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::string out;
    for (char c : name) {
        out.push_back(static_cast<unsigned char>(c) < 0x20 ? '_' : c);
        if (out.size() >= 200) break;
    }
    return out.empty() ? "upload.csv" : out;
}

// Reads the start request into a spec; format settings default to what was detected.
Result<ImportSpec> SpecFrom(const json::object& req, const json::object& sniff) {
    static constexpr std::string_view kAllowed[] = {"resource",  "mode",     "keys",     "columns",
                                                    "delimiter", "encoding", "hasHeader"};
    for (const auto& kv : req) {
        if (std::find(std::begin(kAllowed), std::end(kAllowed), kv.key()) == std::end(kAllowed)) {
            return Fail(Error::InvalidField(std::string(kv.key()),
                                            fmt::format("unknown field '{}'", kv.key())));
        }
    }
    ImportSpec spec;
    auto str = [&](std::string_view key, std::string fallback) -> Result<std::string> {
        auto it = req.find(key);
        if (it == req.end() || it->value().is_null()) return fallback;
        if (!it->value().is_string()) {
            return Fail(
                Error::InvalidField(std::string(key), fmt::format("{} must be a string", key)));
        }
        return std::string(it->value().as_string());
    };
    auto resource = str("resource", "profile");
    if (!resource) return Fail(resource.error());
    spec.resource = *resource;
    auto mode = str("mode", "upsert");
    if (!mode) return Fail(mode.error());
    auto parsed_mode = importexport::ParseImportMode(*mode);
    if (!parsed_mode)
        return Fail(Error::InvalidField("mode", "mode must be insert, update, upsert or delete"));
    spec.mode = *parsed_mode;
    auto delimiter = str("delimiter", std::string(sniff.at("delimiter").as_string()));
    if (!delimiter) return Fail(delimiter.error());
    if (*delimiter == "\\t" || *delimiter == "tab") *delimiter = "\t";
    if (delimiter->size() != 1)
        return Fail(Error::InvalidField("delimiter", "delimiter must be one character"));
    spec.csv.delimiter = (*delimiter)[0];
    auto encoding = str("encoding", std::string(sniff.at("encoding").as_string()));
    if (!encoding) return Fail(encoding.error());
    if (*encoding == "utf-8") {
        spec.csv.encoding = importexport::Encoding::kUtf8;
    } else if (*encoding == "latin-1") {
        spec.csv.encoding = importexport::Encoding::kLatin1;
    } else {
        return Fail(Error::InvalidField("encoding", "encoding must be utf-8 or latin-1"));
    }
    spec.has_header = sniff.at("hasHeader").as_bool();
    if (auto it = req.find("hasHeader"); it != req.end()) {
        if (!it->value().is_bool())
            return Fail(Error::InvalidField("hasHeader", "hasHeader must be true or false"));
        spec.has_header = it->value().as_bool();
    }
    if (auto it = req.find("keys"); it != req.end()) {
        if (!it->value().is_array())
            return Fail(Error::InvalidField("keys", "keys must be an array of fields"));
        for (const auto& k : it->value().as_array()) {
            if (!k.is_string())
                return Fail(Error::InvalidField("keys", "keys must be an array of fields"));
            spec.keys.emplace_back(k.as_string());
        }
    }
    auto cols = req.find("columns");
    if (cols == req.end() || !cols->value().is_array()) {
        return Fail(Error::InvalidField("columns", "columns must be an array of {source, target}"));
    }
    for (const auto& c : cols->value().as_array()) {
        if (!c.is_object())
            return Fail(Error::InvalidField("columns", "each column must be an object"));
        const auto& o = c.as_object();
        ColumnMapping m;
        auto src = o.find("source");
        auto tgt = o.find("target");
        if (src == o.end() || !src->value().is_int64() || tgt == o.end() ||
            !tgt->value().is_string()) {
            return Fail(Error::InvalidField(
                "columns", "each column needs a source number and a target field"));
        }
        m.source = static_cast<int>(src->value().as_int64());
        m.target = std::string(tgt->value().as_string());
        for (std::string_view key : {"format", "default"}) {
            auto f = o.find(key);
            if (f != o.end() && !f->value().is_string() && !f->value().is_null()) {
                return Fail(
                    Error::InvalidField("columns", fmt::format("{} must be a string", key)));
            }
        }
        if (auto f = o.find("keepWhenEmpty");
            f != o.end() && !f->value().is_bool() && !f->value().is_null()) {
            return Fail(Error::InvalidField("columns", "keepWhenEmpty must be true or false"));
        }
        if (auto f = o.find("format"); f != o.end() && f->value().is_string()) {
            m.format = std::string(f->value().as_string());
        }
        if (auto f = o.find("onBadValue"); f != o.end() && f->value().is_string()) {
            auto v = f->value().as_string();
            if (v == "reject") {
                m.on_bad = importexport::OnBadValue::kRejectLine;
            } else if (v == "ignore") {
                m.on_bad = importexport::OnBadValue::kIgnoreValue;
            } else if (v == "default") {
                m.on_bad = importexport::OnBadValue::kUseDefault;
            } else {
                return Fail(
                    Error::InvalidField("columns", "onBadValue must be reject, ignore or default"));
            }
        }
        if (auto f = o.find("default"); f != o.end() && f->value().is_string()) {
            m.default_value = std::string(f->value().as_string());
        }
        if (auto f = o.find("keepWhenEmpty"); f != o.end() && f->value().is_bool()) {
            m.keep_when_empty = f->value().as_bool();
        }
        spec.columns.push_back(std::move(m));
    }
    return spec;
}

}  // namespace

ImportService::ImportService(storage::Database& db, const Clock& clock, Random& random,
                             const SchemaService& schema, std::filesystem::path directory)
    : db_(db),
      clock_(clock),
      random_(random),
      schema_(schema),
      directory_(std::move(directory)),
      worker_([this] { WorkerLoop(); }) {}

ImportService::~ImportService() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        for (auto& [id, live] : live_) live.cancel->store(true);
    }
    cv_.notify_all();
    worker_.join();
}

Status ImportService::Recover() {
    auto r = storage::WithWrite(db_, [&](Transaction& tx) {
        return tx.Exec(q::kImportInterrupted, {ToUnixMillis(clock_.Now())});
    });
    if (!r) return Fail(r.error());
    return {};
}

Result<json::object> ImportService::Upload(const Actor& actor, std::string_view file_name,
                                           std::string_view body, std::string_view resource) {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    if (body.empty())
        return Fail(Error::InvalidField("body", "the upload is empty: send the file as the body"));
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    bool gzip = body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
                static_cast<unsigned char>(body[1]) == 0x8b;
    auto path = directory_ /
                fmt::format("upload-{}{}", RandomToken(random_, 12), gzip ? ".csv.gz" : ".csv");
    {
        std::ofstream out(path, std::ios::binary);
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
        if (!out.flush()) {
            return Fail(Error::Unavailable("could not store the upload",
                                           fmt::format("writing {} failed", path.string())));
        }
    }
    auto sniff = importexport::Sniff(path.string());
    if (!sniff) {
        std::filesystem::remove(path, ec);
        return Fail(Error::InvalidField("body", sniff.error().message));
    }
    auto sniff_json = SniffJson(*sniff);
    auto name = SafeFileName(file_name);
    auto id = storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(q::kImportInsert,
                             {ToUnixMillis(clock_.Now()), actor.username, name, path.string(),
                              static_cast<std::int64_t>(body.size()), json::serialize(sniff_json)});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
    if (!id) return Fail(id.error());
    auto out = Get(actor, *id);
    if (!out) return Fail(out.error());
    std::vector<std::string> header;
    if (sniff->has_header && !sniff->preview.empty()) header = sniff->preview.front();
    auto model = schema_.Current();
    const schema::Resource* r = model->Find(resource.empty() ? "profile" : resource);
    if (r && !header.empty()) {
        (*out)["suggestedColumns"] = MappingJson(importexport::AutoMap(*r, header), header);
    } else {
        (*out)["suggestedColumns"] = json::array();
    }
    return out;
}

Result<json::object> ImportService::Start(const Actor& actor, std::int64_t id,
                                          const json::object& request) {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto current = Get(actor, id);
    if (!current) return Fail(current.error());
    const auto& sniff = current->at("sniff").as_object();
    auto spec = SpecFrom(request, sniff);
    if (!spec) return Fail(spec.error());
    spec->path = std::string(current->at("filePath").as_string());
    spec->actor = actor.username;
    spec->rejects_path = (directory_ / fmt::format("import-{}-rejects.csv", id)).string();
    auto model = schema_.Current();
    if (auto st = importexport::CheckSpec(
            *model, *spec, static_cast<std::size_t>(sniff.at("columnCount").as_int64()));
        !st) {
        return Fail(st.error());
    }
    auto queued = storage::WithWrite(db_, [&](Transaction& tx) {
        return tx.Exec(q::kImportQueue,
                       {id, spec->resource, json::serialize(request), spec->rejects_path});
    });
    if (!queued) return Fail(queued.error());
    if (*queued == 0) {
        return Fail(Error::FailedPrecondition(
            fmt::format("import {} was already started; upload the file again to re-run it", id)));
    }
    {
        std::lock_guard lock(mu_);
        Live live;
        live.progress.phase = "queued";
        live.cancel = std::make_shared<std::atomic<bool>>(false);
        live_[id] = live;
        queue_.push_back(Job{id, std::move(*spec)});
    }
    cv_.notify_all();
    return Get(actor, id);
}

void ImportService::WorkerLoop() {
    while (true) {
        Job job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            RunJob(job);
        } catch (const std::exception& e) {
            // The catch-all boundary of background work: log it with the job, keep going.
            spdlog::error("import {}: {}", job.id, e.what());
        }
        std::lock_guard lock(mu_);
        live_.erase(job.id);
    }
}

void ImportService::RunJob(const Job& job) {
    std::shared_ptr<std::atomic<bool>> cancel;
    {
        std::lock_guard lock(mu_);
        cancel = live_[job.id].cancel;
    }
    if (cancel->load()) {
        auto r = storage::WithWrite(db_, [&](Transaction& tx) {
            return tx.Exec(
                q::kImportFinish,
                {job.id, std::string("cancelled"), std::int64_t{0}, std::int64_t{0},
                 std::int64_t{0}, std::int64_t{0}, std::int64_t{0}, std::int64_t{0},
                 std::string("cancelled before it started"), ToUnixMillis(clock_.Now())});
        });
        if (!r) spdlog::error("import {}: {}", job.id, r.error().message);
        return;
    }
    auto started = storage::WithWrite(db_, [&](Transaction& tx) {
        return tx.Exec(q::kImportStart, {job.id, ToUnixMillis(clock_.Now())});
    });
    if (!started) spdlog::warn("import {}: {}", job.id, started.error().message);
    auto model = schema_.Current();
    auto result = importexport::RunImport(
        db_, *model, job.spec, clock_,
        [&](const importexport::ImportProgress& p) {
            std::lock_guard lock(mu_);
            live_[job.id].progress = p;
        },
        cancel.get());
    importexport::ImportResult counts = result ? *result : importexport::ImportResult{};
    std::string status = result ? "succeeded" : (cancel->load() ? "cancelled" : "failed");
    Value error = result ? Value() : Value(result.error().message);
    if (!result) {
        spdlog::warn("import {} {}: {} {}", job.id, status, result.error().message,
                     result.error().detail);
    }
    auto i64 = [](std::uint64_t v) { return Value(static_cast<std::int64_t>(v)); };
    auto finished = storage::WithWrite(db_, [&](Transaction& tx) {
        return tx.Exec(q::kImportFinish,
                       {job.id, status, i64(counts.read), i64(counts.inserted), i64(counts.updated),
                        i64(counts.unchanged), i64(counts.deleted), i64(counts.rejected), error,
                        ToUnixMillis(clock_.Now())});
    });
    if (!finished) spdlog::error("import {}: {}", job.id, finished.error().message);
}

json::object ImportService::RowJson(const std::vector<Value>& r) const {
    auto parse = [](const Value& v) -> json::value {
        if (IsNull(v)) return nullptr;
        boost::system::error_code ec;
        auto doc = json::parse(AsString(v), ec);
        return ec ? json::value(nullptr) : doc;
    };
    auto time = [](const Value& v) -> json::value {
        if (IsNull(v)) return nullptr;
        return json::string(FormatRfc3339(FromUnixMillis(AsInt(v))));
    };
    json::object o;
    o["id"] = AsInt(r[0]);
    o["createdAt"] = time(r[1]);
    o["createdBy"] = AsString(r[2]);
    o["fileName"] = AsString(r[3]);
    o["filePath"] = AsString(r[4]);
    o["fileBytes"] = AsInt(r[5]);
    o["sniff"] = parse(r[6]);
    o["status"] = AsString(r[7]);
    o["resource"] = IsNull(r[8]) ? json::value(nullptr) : json::value(AsString(r[8]));
    o["request"] = parse(r[9]);
    o["counters"] = {{"read", AsInt(r[10])},    {"inserted", AsInt(r[11])},
                     {"updated", AsInt(r[12])}, {"unchanged", AsInt(r[13])},
                     {"deleted", AsInt(r[14])}, {"rejected", AsInt(r[15])}};
    o["hasRejects"] = AsInt(r[15]) > 0;
    o["error"] = IsNull(r[17]) ? json::value(nullptr) : json::value(AsString(r[17]));
    o["startedAt"] = time(r[18]);
    o["finishedAt"] = time(r[19]);
    std::lock_guard lock(mu_);
    auto it = live_.find(AsInt(r[0]));
    if (it != live_.end()) {
        const auto& p = it->second.progress;
        double share = p.bytes_total ? static_cast<double>(p.bytes_done) / p.bytes_total : 0;
        if (p.phase == "reconciling" || p.phase == "writing") share = 0.99;
        if (p.phase == "done") share = 1;
        o["progress"] = {{"phase", p.phase},
                         {"lines", p.lines},
                         {"rejected", p.rejected},
                         {"bytesDone", p.bytes_done},
                         {"bytesTotal", p.bytes_total},
                         {"percent", static_cast<int>(share * 100)}};
    } else {
        std::string status = AsString(r[7]);
        bool over = status == "succeeded" || status == "failed" || status == "cancelled";
        o["progress"] = {{"phase", over ? "done" : status}, {"percent", over ? 100 : 0}};
    }
    return o;
}

Result<json::object> ImportService::Get(const Actor& actor, std::int64_t id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto rows =
        storage::WithRead(db_, [&](Transaction& tx) { return tx.Query(q::kImportGet, {id}); });
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Error::NotFound(fmt::format("there is no import {}", id)));
    return RowJson(rows->rows[0]);
}

Result<Page<json::object>> ImportService::List(const Actor& actor, const PageRequest& page) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(page.cursor, std::numeric_limits<std::int64_t>::max());
    if (!before) return Fail(before.error());
    auto rows = storage::WithRead(db_, [&](Transaction& tx) {
        return tx.Query(q::kImportList, {*before, std::int64_t{page.limit} + 1});
    });
    if (!rows) return Fail(rows.error());
    Page<json::object> out;
    for (const auto& r : rows->rows) {
        if (out.items.size() == static_cast<std::size_t>(page.limit)) {
            out.next = EncodeCursor(out.items.back().at("id").as_int64());
            break;
        }
        out.items.push_back(RowJson(r));
    }
    return out;
}

Result<std::filesystem::path> ImportService::RejectsFile(const Actor& actor,
                                                         std::int64_t id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto rows =
        storage::WithRead(db_, [&](Transaction& tx) { return tx.Query(q::kImportGet, {id}); });
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(Error::NotFound(fmt::format("there is no import {}", id)));
    const auto& r = rows->rows[0];
    std::error_code ec;
    if (IsNull(r[16]) || !std::filesystem::exists(AsString(r[16]), ec)) {
        return Fail(Error::NotFound(fmt::format("import {} has no rejects file", id)));
    }
    return std::filesystem::path(AsString(r[16]));
}

Status ImportService::Cancel(const Actor& actor, std::int64_t id) {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    if (auto item = Get(actor, id); !item) return Fail(item.error());
    std::lock_guard lock(mu_);
    auto it = live_.find(id);
    if (it == live_.end()) {
        return Fail(Error::FailedPrecondition(fmt::format("import {} is not running", id)));
    }
    it->second.cancel->store(true);
    return {};
}

}  // namespace overture::service
