#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/testing/temp_dir.hpp"
#include "importexport/csv_detect.hpp"
#include "importexport/csv_reader.hpp"
#include "importexport/csv_writer.hpp"

namespace overture::importexport {
namespace {

using overture::test_util::TempDir;
using overture::test_util::WriteFile;

using Fields = std::vector<std::string>;

struct Row {
    std::uint64_t line = 0;
    Fields fields;
    std::string error;  // expected: a substring of the record's error; empty: no error
};

std::vector<Row> ReadAll(CsvReader& reader) {
    std::vector<Row> rows;
    CsvRecord record;
    for (;;) {
        auto more = reader.Next(record);
        EXPECT_TRUE(more.has_value()) << (more ? "" : more.error().message);
        if (!more || !*more) break;
        rows.push_back(
            {record.line, Fields(record.fields.begin(), record.fields.end()), record.error});
    }
    return rows;
}

std::vector<Row> ReadAll(const std::string& data, CsvOptions options = {}) {
    return ReadAll(*CsvReader::FromString(data, options));
}

void ExpectRows(const std::vector<Row>& got, const std::vector<Row>& want,
                const std::string& context) {
    ASSERT_EQ(got.size(), want.size()) << context;
    for (std::size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE(context + ", record " + std::to_string(i));
        EXPECT_EQ(got[i].line, want[i].line);
        if (want[i].error.empty()) {
            EXPECT_EQ(got[i].error, "");
            EXPECT_EQ(got[i].fields, want[i].fields);
        } else {
            EXPECT_NE(got[i].error.find(want[i].error), std::string::npos) << got[i].error;
        }
    }
}

void WriteGzip(const std::string& path, const std::string& data, const char* mode = "wb") {
    gzFile gz = gzopen(path.c_str(), mode);
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, data.data(), static_cast<unsigned>(data.size())),
              static_cast<int>(data.size()));
    ASSERT_EQ(gzclose(gz), Z_OK);
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every parse case runs with these read sizes, so that each record is also split across
// refills at every possible byte.
constexpr std::size_t kChunks[] = {1, 2, 3, 7, 64, std::size_t{1} << 20};

struct ParseCase {
    const char* name;
    std::string input;
    std::vector<Row> want;
    CsvOptions options = {};
};

std::vector<ParseCase> ParseCases() {
    CsvOptions semicolon;
    semicolon.delimiter = ';';
    CsvOptions tab;
    tab.delimiter = '\t';
    CsvOptions latin1;
    latin1.encoding = Encoding::kLatin1;
    return {
        {"simple", "a,b,c\n1,2,3\n", {{1, {"a", "b", "c"}}, {2, {"1", "2", "3"}}}},
        {"no final line end", "a,b\n1,2", {{1, {"a", "b"}}, {2, {"1", "2"}}}},
        {"crlf", "a,b\r\n1,2\r\n", {{1, {"a", "b"}}, {2, {"1", "2"}}}},
        {"lone cr", "a,b\r1,2\r", {{1, {"a", "b"}}, {2, {"1", "2"}}}},
        {"mixed line ends", "a\r\nb\nc\rd", {{1, {"a"}}, {2, {"b"}}, {3, {"c"}}, {4, {"d"}}}},
        {"single field", "x", {{1, {"x"}}}},
        {"empty input", "", {}},
        {"only line ends", "\n\r\n\r\r\n", {}},
        {"empty lines skipped", "\n\na,b\n\r\n\nc,d\n\n", {{3, {"a", "b"}}, {6, {"c", "d"}}}},
        {"empty fields", ",,\na,\n,b", {{1, {"", "", ""}}, {2, {"a", ""}}, {3, {"", "b"}}}},
        {"spaces kept", " a , b \n", {{1, {" a ", " b "}}}},
        {"quoted delimiter", "\"a,b\",c\n", {{1, {"a,b", "c"}}}},
        {"escaped quotes",
         "\"he said \"\"hi\"\"\",x\n\"\"\"\"\n",
         {{1, {"he said \"hi\"", "x"}}, {2, {"\""}}}},
        {"empty quoted", "\"\",x,\"\"\n", {{1, {"", "x", ""}}}},
        {"quoted at end of input", "a,\"b\"", {{1, {"a", "b"}}}},
        {"quote inside unquoted kept", "ab\"c,d\"\n", {{1, {"ab\"c", "d\""}}}},
        {"embedded lf",
         "\"line1\nline2\",x\nnext,y\n",
         {{1, {"line1\nline2", "x"}}, {3, {"next", "y"}}}},
        {"embedded crlf and cr",
         "\"a\r\nb\rc\",d\r\ne,f\r\n",
         {{1, {"a\r\nb\rc", "d"}}, {4, {"e", "f"}}}},
        {"embedded blank lines", "1,\"\n\n\",2\n3\n", {{1, {"1", "\n\n", "2"}}, {4, {"3"}}}},
        {"escape next to newline", "\"\"\"\n\"\"\",z\nw\n", {{1, {"\"\n\"", "z"}}, {3, {"w"}}}},
        {"char after closing quote",
         "\"a\"x,b\nc,d\n",
         {{1, {}, "unexpected character 'x' after a closing quote in field 1"}, {2, {"c", "d"}}}},
        {"space after closing quote",
         "1,\"a\" ,b\n2\n",
         {{1, {}, "unexpected character ' ' after a closing quote in field 2"}, {2, {"2"}}}},
        {"resync after multi-line field",
         "1,\"a\nb\"x,y\n2,z\n",
         {{1, {}, "after a closing quote in field 2"}, {3, {"2", "z"}}}},
        {"bad byte after closing quote",
         "\"a\"\xc3\xa9\n2\n",
         {{1, {}, "unexpected byte 0xC3 after a closing quote in field 1"}, {2, {"2"}}}},
        {"unterminated quote at eof",
         "a,b\nc,\"open\nd,e\n",
         {{1, {"a", "b"}},
          {2, {}, "a quoted field starting on line 2 is never closed"},
          {3, {"d", "e"}}}},
        {"invalid utf-8",
         "ok,\xff\nnext,\xc3\xa9\n\xe2\x82,x\n\xed\xa0\x80\n",
         {{1, {}, "invalid UTF-8 in field 2"},
          {2, {"next", "\xc3\xa9"}},
          {3, {}, "invalid UTF-8 in field 1"},
          {4, {}, "invalid UTF-8 in field 1"}}},
        {"bom skipped", "\xEF\xBB\xBFid,name\n1,x\n", {{1, {"id", "name"}}, {2, {"1", "x"}}}},
        {"bom alone", "\xEF\xBB\xBF", {}},
        {"semicolon", "a;\"b;c\";d\n", {{1, {"a", "b;c", "d"}}}, semicolon},
        {"tab", "a\tb,c\n", {{1, {"a", "b,c"}}}, tab},
        {"latin-1",
         "caf\xE9,\"\xFF\"\n\xC3\n",
         {{1, {"caf\xC3\xA9", "\xC3\xBF"}}, {2, {"\xC3\x83"}}},
         latin1},
        {"latin-1 with bom", "\xEF\xBB\xBF\xE9\n", {{1, {"\xC3\xA9"}}}, latin1},
    };
}

TEST(CsvReaderTest, ParsesCasesAtEveryBufferBoundary) {
    for (const ParseCase& c : ParseCases()) {
        for (std::size_t chunk : kChunks) {
            CsvOptions options = c.options;
            options.read_chunk_bytes = chunk;
            ExpectRows(ReadAll(c.input, options), c.want,
                       std::string(c.name) + " (chunk " + std::to_string(chunk) + ")");
        }
    }
}

TEST(CsvReaderTest, FieldsLongerThanTheLimitAreMalformedAndReadingResumes) {
    const std::string big(kCsvMaxFieldBytes + 10, 'a');
    const std::string exact(kCsvMaxFieldBytes, 'b');
    // A stray quote swallows the rest of the file: the record fails after the limit and the
    // lines after its first line are read again.
    std::string runaway = "1,\"oops\n";
    std::size_t lines = 0;
    while (runaway.size() < 3 * kCsvMaxFieldBytes) {
        runaway +=
            "2,"
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n";
        ++lines;
    }
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20}) {
        CsvOptions options;
        options.read_chunk_bytes = chunk;
        ExpectRows(ReadAll("x," + big + "\ny\n", options),
                   {{1, {}, "field 2 is longer than 1048576 bytes"}, {2, {"y"}}}, "unquoted");
        ExpectRows(ReadAll("\"" + big + "\",x\ny\n", options),
                   {{1, {}, "field 1 is longer than 1048576 bytes"}, {2, {"y"}}}, "quoted");
        ExpectRows(ReadAll(exact + ",\"" + exact + "\"\n", options), {{1, {exact, exact}}},
                   "exactly the limit");
        auto rows = ReadAll(runaway, options);
        ASSERT_EQ(rows.size(), lines + 1);
        EXPECT_NE(rows[0].error.find("is a quote never closed?"), std::string::npos)
            << rows[0].error;
        EXPECT_EQ(rows[1].line, 2u);
        EXPECT_EQ(rows[1].fields.size(), 2u);
        EXPECT_EQ(rows.back().error, "");
        EXPECT_EQ(rows.back().line, lines + 1);
    }
}

TEST(CsvReaderTest, TooManyFieldsIsMalformed) {
    std::string ok(kCsvMaxFields - 1, ',');
    std::string too_many(kCsvMaxFields, ',');
    auto rows = ReadAll(ok + "\n" + too_many + "\nlast\n");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].error, "");
    EXPECT_EQ(rows[0].fields.size(), kCsvMaxFields);
    EXPECT_EQ(rows[1].line, 2u);
    EXPECT_NE(rows[1].error.find("more than 10000 fields"), std::string::npos) << rows[1].error;
    EXPECT_EQ(rows[2].fields, Fields{"last"});
    EXPECT_EQ(rows[2].line, 3u);
}

TEST(CsvReaderTest, RejectsBadOptions) {
    CsvOptions same;
    same.delimiter = '"';
    EXPECT_THROW(CsvReader::FromString("", same), std::invalid_argument);
    CsvOptions newline;
    newline.delimiter = '\n';
    EXPECT_THROW(CsvReader::FromString("", newline), std::invalid_argument);
    TempDir dir;
    WriteFile(dir.File("a.csv"), "a\n");
    auto r = CsvReader::Open(dir.File("a.csv"), same);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(CsvReaderTest, OpenReportsMissingFilesAndDirectories) {
    TempDir dir;
    auto missing = CsvReader::Open(dir.File("nope.csv"), {});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    EXPECT_NE(missing.error().message.find("nope.csv"), std::string::npos);
    auto directory = CsvReader::Open(dir.File(""), {});
    ASSERT_FALSE(directory);
    EXPECT_EQ(directory.error().code, ErrorCode::kInvalidArgument);
}

TEST(CsvReaderTest, ReadsPlainFileWithProgress) {
    TempDir dir;
    const std::string data = "id,name\n1,\"a\nb\"\n2,c\n";
    WriteFile(dir.File("a.csv"), data);
    auto reader = CsvReader::Open(dir.File("a.csv"), {});
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ((*reader)->file_size(), data.size());
    ExpectRows(ReadAll(**reader), {{1, {"id", "name"}}, {2, {"1", "a\nb"}}, {4, {"2", "c"}}},
               "file");
    EXPECT_EQ((*reader)->bytes_consumed(), data.size());
}

std::string GeneratedCsv(std::size_t target_bytes, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out;
    std::uint64_t n = 0;
    while (out.size() < target_bytes) {
        out += std::to_string(n++) + ",user" + std::to_string(rng() % 100000) +
               "@example.com,Name " + std::to_string(rng() % 1000) + ",";
        if (rng() % 10 == 0) {
            out += "\"quoted, with \"\"escapes\"\"\nand a newline\"";
        } else {
            out += "plain value";
        }
        out += ",12.5,2024-05-01,true,FR\n";
    }
    return out;
}

TEST(CsvReaderTest, GzipRoundTripMatchesPlain) {
    TempDir dir;
    const std::string data = GeneratedCsv(3 << 20, 1);
    WriteGzip(dir.File("a.csv.gz"), data);
    WriteFile(dir.File("a.csv"), data);
    auto gz = CsvReader::Open(dir.File("a.csv.gz"), {});
    ASSERT_TRUE(gz) << gz.error().message;
    auto plain = CsvReader::Open(dir.File("a.csv"), {});
    ASSERT_TRUE(plain);
    const std::uint64_t compressed = std::filesystem::file_size(dir.File("a.csv.gz"));
    EXPECT_EQ((*gz)->file_size(), compressed);
    EXPECT_LT((*gz)->bytes_consumed(), compressed + 1);
    CsvRecord a;
    CsvRecord b;
    std::size_t records = 0;
    for (;;) {
        auto more_a = (*gz)->Next(a);
        auto more_b = (*plain)->Next(b);
        ASSERT_TRUE(more_a && more_b);
        ASSERT_EQ(*more_a, *more_b);
        if (!*more_a) break;
        ASSERT_EQ(a.line, b.line);
        ASSERT_EQ(a.fields, b.fields);
        ASSERT_EQ(a.error, "");
        ++records;
    }
    EXPECT_GT(records, 10000u);
    EXPECT_EQ((*gz)->bytes_consumed(), compressed);
}

TEST(CsvReaderTest, GzipWithSeveralMembers) {
    TempDir dir;
    WriteGzip(dir.File("m.gz"), "a,b\n");
    WriteGzip(dir.File("m.gz"), "c,d\n", "ab");
    auto reader = CsvReader::Open(dir.File("m.gz"), {});
    ASSERT_TRUE(reader);
    ExpectRows(ReadAll(**reader), {{1, {"a", "b"}}, {2, {"c", "d"}}}, "members");
}

TEST(CsvReaderTest, CorruptGzipFailsWithThePath) {
    TempDir dir;
    WriteFile(dir.File("bad.gz"), std::string("\x1f\x8b", 2) + "this is not deflate data");
    auto bad = CsvReader::Open(dir.File("bad.gz"), {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(bad.error().message.find("bad.gz"), std::string::npos) << bad.error().message;

    // Truncated in the middle: the first chunks read fine, then Next() fails, and keeps failing.
    WriteGzip(dir.File("full.gz"), GeneratedCsv(4 << 20, 2));
    const std::string full = ReadFile(dir.File("full.gz"));
    WriteFile(dir.File("cut.gz"), full.substr(0, full.size() / 2));
    auto cut = CsvReader::Open(dir.File("cut.gz"), {});
    ASSERT_TRUE(cut) << cut.error().message;
    CsvRecord record;
    Result<bool> more = true;
    while (more && *more) more = (*cut)->Next(record);
    ASSERT_FALSE(more);
    EXPECT_NE(more.error().message.find("truncated"), std::string::npos) << more.error().message;
    EXPECT_FALSE((*cut)->Next(record));
}

TEST(CsvReaderTest, GzipString) {
    TempDir dir;
    WriteGzip(dir.File("s.gz"), "x,y\n");
    ExpectRows(ReadAll(ReadFile(dir.File("s.gz"))), {{1, {"x", "y"}}}, "gzip string");
}

TEST(CsvReaderTest, LargeInputAcrossRefillsMatchesSmallChunks) {
    const std::string data = GeneratedCsv(3 << 20, 3);
    CsvOptions small;
    small.read_chunk_bytes = 1000;
    auto a = ReadAll(data);
    auto b = ReadAll(data, small);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i].fields, b[i].fields) << i;
        ASSERT_EQ(a[i].line, b[i].line) << i;
        ASSERT_EQ(a[i].fields.size(), 8u) << i;
    }
}

// --- writer ---

std::string WriteRows(const std::vector<Fields>& rows, CsvWriterOptions options = {}) {
    std::string out;
    CsvWriter writer(options);
    writer.OpenString(&out);
    for (const Fields& row : rows) {
        std::vector<std::string_view> views(row.begin(), row.end());
        EXPECT_TRUE(writer.Row(views));
    }
    EXPECT_TRUE(writer.Close());
    return out;
}

TEST(CsvWriterTest, QuotesOnlyWhatNeedsIt) {
    struct Case {
        std::string value;
        std::string written;
    };
    const std::vector<Case> cases = {
        {"plain", "plain"},     {"", ""},
        {"a,b", "\"a,b\""},     {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"a\nb", "\"a\nb\""},   {"a\rb", "\"a\rb\""},
        {" lead", "\" lead\""}, {"trail ", "\"trail \""},
        {"in side", "in side"}, {"caf\xC3\xA9", "caf\xC3\xA9"},
        {"a;b", "a;b"},         {"\"", "\"\"\"\""},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(WriteRows({{c.value, "x"}}), c.written + ",x\n") << c.value;
    }
    EXPECT_EQ(WriteRows({{""}}), "\"\"\n");  // not an empty line
    CsvWriterOptions semicolon;
    semicolon.delimiter = ';';
    semicolon.line_ending = LineEnding::kCrLf;
    EXPECT_EQ(WriteRows({{"a;b", "c,d"}, {"e", "f"}}, semicolon), "\"a;b\";c,d\r\ne;f\r\n");
}

TEST(CsvWriterTest, ReportsMisuseAndWriteErrors) {
    CsvWriter unopened;
    std::vector<std::string_view> row = {"a"};
    EXPECT_EQ(unopened.Row(row).error().code, ErrorCode::kFailedPrecondition);
    EXPECT_TRUE(unopened.Close());

    std::string out;
    CsvWriter writer;
    writer.OpenString(&out);
    EXPECT_EQ(writer.Row({}).error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(writer.Close());
    EXPECT_EQ(writer.Row(row).error().code, ErrorCode::kFailedPrecondition);

    TempDir dir;
    CsvWriter nowhere;
    auto st = nowhere.Open(dir.File("missing/dir/x.csv"));
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("missing/dir/x.csv"), std::string::npos);

    if (std::filesystem::exists("/dev/full")) {  // every write fails with ENOSPC
        CsvWriter full;
        ASSERT_TRUE(full.Open("/dev/full"));
        EXPECT_TRUE(full.Row(row));  // buffered
        auto closed = full.Close();
        ASSERT_FALSE(closed);
        EXPECT_NE(closed.error().message.find("/dev/full"), std::string::npos);
        EXPECT_FALSE(full.Close());  // the first result again
    }
}

TEST(CsvWriterTest, WriterToReaderRoundTripWithNastyValues) {
    std::vector<Fields> rows = {
        {"id", "value", "note"},
        {"1", "", "\"\""},
        {"2", "a,b;c\td|e", " spaced "},
        {"3", "line1\nline2\r\nline3\rline4", "\"quoted\""},
        {"4", "\n", "\r"},
        {"5", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", ",\",\""},
        {""},
        {"", ""},
    };
    std::mt19937 rng(7);
    const std::string alphabet = "ab,\"\r\n ;";
    for (int i = 0; i < 500; ++i) {
        Fields row;
        const std::size_t n = 1 + rng() % 5;
        for (std::size_t k = 0; k < n; ++k) {
            std::string v;
            const std::size_t len = rng() % 12;
            for (std::size_t j = 0; j < len; ++j) v += alphabet[rng() % alphabet.size()];
            row.push_back(v);
        }
        rows.push_back(row);
    }
    TempDir dir;
    for (LineEnding ending : {LineEnding::kLf, LineEnding::kCrLf}) {
        CsvWriterOptions options;
        options.line_ending = ending;
        CsvWriter writer(options);
        ASSERT_TRUE(writer.Open(dir.File("round.csv")));
        for (const Fields& row : rows) {
            std::vector<std::string_view> views(row.begin(), row.end());
            ASSERT_TRUE(writer.Row(views));
        }
        ASSERT_TRUE(writer.Close());
        for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, std::size_t{1} << 20}) {
            CsvOptions read;
            read.read_chunk_bytes = chunk;
            auto reader = CsvReader::Open(dir.File("round.csv"), read);
            ASSERT_TRUE(reader);
            auto got = ReadAll(**reader);
            ASSERT_EQ(got.size(), rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                ASSERT_EQ(got[i].fields, rows[i]) << "row " << i << ", chunk " << chunk;
                ASSERT_EQ(got[i].error, "");
            }
        }
    }
}

// --- sniffing ---

TEST(CsvSniffTest, DetectsDelimiterHeaderAndEncoding) {
    struct Case {
        const char* name;
        std::string data;
        char delimiter;
        bool has_header;
        std::size_t columns;
        Encoding encoding;
    };
    const std::vector<Case> cases = {
        {"comma with header", "email,first_name,age\na@x.org,Ann,31\nb@y.org,\"Bob, Jr\",42\n", ',',
         true, 3, Encoding::kUtf8},
        {"comma without header", "a@x.org,Ann,31\nb@y.org,Bob,42\nc@z.org,Cy,50\n", ',', false, 3,
         Encoding::kUtf8},
        {"semicolon with decimal commas",
         "Name;Price;Date\nTea;1,5;01.05.2024\nCoffee;2,25;02.05.2024\nMilk;0,99;03.05.2024\n", ';',
         true, 3, Encoding::kUtf8},
        {"tab without header", "1\t2.5\t2024-01-01\n2\t3.5\t2024-01-02\n3\t4\t2024-01-03\n", '\t',
         false, 3, Encoding::kUtf8},
        {"tab with identifier header", "first_name\tlast_name\nAnn\tLee\nBob\tKay\n", '\t', true, 2,
         Encoding::kUtf8},
        {"pipe", "id|city\n1|Paris\n2|Rome\n", '|', true, 2, Encoding::kUtf8},
        {"quoted delimiters ignored", "\"a;b;c\",x\n\"d;e;f\",y\n\"g;h;i\",z\n", ',', false, 2,
         Encoding::kUtf8},
        {"latin-1",
         "nom;ville\nRen\xE9;Orl\xE9"
         "ans\nZo\xE9;N\xEEmes\n",
         ';', true, 2, Encoding::kLatin1},
        {"single column", "email\na@x.org\nb@x.org\n", ',', true, 1, Encoding::kUtf8},
        {"duplicate names are data", "Ann,Ann\nBob,Bob\n", ',', false, 2, Encoding::kUtf8},
    };
    for (const Case& c : cases) {
        auto sniff = SniffString(c.data);
        ASSERT_TRUE(sniff) << c.name;
        EXPECT_EQ(sniff->delimiter, c.delimiter) << c.name;
        EXPECT_EQ(sniff->has_header, c.has_header) << c.name;
        EXPECT_EQ(sniff->column_count, c.columns) << c.name;
        EXPECT_EQ(sniff->encoding, c.encoding) << c.name;
        EXPECT_FALSE(sniff->gzip) << c.name;
    }
}

TEST(CsvSniffTest, PreviewsTheFirstRecordsOfAGzipFile) {
    TempDir dir;
    std::string data = "\xEF\xBB\xBFid;email;city\n";
    for (int i = 0; i < 5000; ++i) {
        data += std::to_string(i) + ";u" + std::to_string(i) +
                "@example.com;\"Saint-\xC3\x89tienne\n" + "cedex\"\n";
    }
    WriteGzip(dir.File("p.csv.gz"), data);
    auto sniff = Sniff(dir.File("p.csv.gz"));
    ASSERT_TRUE(sniff) << sniff.error().message;
    EXPECT_TRUE(sniff->gzip);
    EXPECT_TRUE(sniff->bom);
    EXPECT_EQ(sniff->encoding, Encoding::kUtf8);
    EXPECT_EQ(sniff->delimiter, ';');
    EXPECT_TRUE(sniff->has_header);
    EXPECT_EQ(sniff->column_count, 3u);
    ASSERT_EQ(sniff->preview.size(), kSniffPreviewRecords);
    EXPECT_EQ(sniff->preview[0], (Fields{"id", "email", "city"}));
    EXPECT_EQ(sniff->preview[1], (Fields{"0", "u0@example.com", "Saint-\xC3\x89tienne\ncedex"}));

    auto options = sniff->options();
    auto reader = CsvReader::Open(dir.File("p.csv.gz"), options);
    ASSERT_TRUE(reader);
    EXPECT_EQ(ReadAll(**reader).size(), 5001u);

    auto missing = Sniff(dir.File("missing.csv"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// Not an assertion: a number to watch. Built with sanitizers, this is far below a release build.
TEST(CsvReaderTest, ThroughputSanityPrint) {
    const std::string data = GeneratedCsv(50 << 20, 4);
    auto reader = CsvReader::FromString(data, {});
    CsvRecord record;
    std::size_t fields = 0;
    const auto start = std::chrono::steady_clock::now();
    while (*reader->Next(record)) fields += record.fields.size();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[ throughput ] %.1f MB in %.3f s: %.0f MB/s (%zu fields)\n", data.size() / 1e6,
                seconds, data.size() / 1e6 / seconds, fields);
    EXPECT_GT(fields, 0u);
}

}  // namespace
}  // namespace overture::importexport
