#pragma once
// The workflow graph (docs/workflows.md, "The graph"): activities and transitions, stored as
// JSON in workflows.graph and copied into each run.
//
//   {"activities": [{"id": "query1", "type": "query", "label": "Profiles in FR, DE, IT",
//                    "x": 240, "y": 80, "params": {...},
//                    "onError": {"policy": "stop" | "skip" | "retry", "retries": 3,
//                                "delaySeconds": 60}}],
//    "transitions": [{"id": "t2", "from": "query1", "fromPort": "out", "to": "seg1",
//                     "toPort": "in"}],
//    "variables": {"campaign": "winter"}}
//
// - Ids are 1-64 characters of [A-Za-z0-9_-], unique among activities and among transitions.
// - fromPort defaults to "out", toPort to "in". Which ports exist depends on the activity's type
//   and parameters (ActivityType::OutputPorts / InputPorts).
// - Several transitions may leave one port: each gets the same population.
// - An activity with no inbound transition starts when the run starts (Start, Scheduler,
//   External signal; any other type there is a problem).
//
// Thread-safety: plain values; the functions are pure.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace overture::workflow {

enum class ErrorPolicy { kStop, kSkip, kRetry };
std::string_view ErrorPolicyName(ErrorPolicy p);  // "stop", "skip", "retry"

struct OnError {
    ErrorPolicy policy = ErrorPolicy::kStop;
    int retries = 3;         // kRetry: attempts after the first (1-20)
    int delay_seconds = 60;  // kRetry: before each new attempt (0-86400)
};

struct ActivityDef {
    std::string id;
    std::string type;
    std::string label;
    double x = 0, y = 0;  // canvas position, kept for the UI
    boost::json::object params;
    OnError on_error;
};

struct TransitionDef {
    std::string id;
    std::string from;
    std::string from_port = "out";
    std::string to;
    std::string to_port = "in";
};

struct Graph {
    std::vector<ActivityDef> activities;
    std::vector<TransitionDef> transitions;
    boost::json::object variables;

    const ActivityDef* Find(std::string_view activity_id) const;
    std::vector<const TransitionDef*> Inbound(std::string_view activity_id) const;
    std::vector<const TransitionDef*> Outbound(std::string_view activity_id) const;
};

// A problem found when a graph is checked, for the canvas: which activity (or transition) and
// which parameter, with a message a marketer understands.
struct Problem {
    std::string activity;    // "" when about the graph or a transition
    std::string transition;  // "" unless about a transition
    std::string field;       // "params.expression", "" for the activity as a whole
    std::string message;
};

// Reads the JSON form. kInvalidArgument, naming the member ("activities[2].id"), only for JSON
// that is not a graph at all (wrong types, missing ids, duplicate ids, more than 500 activities
// or 2000 transitions); everything a user fixes on the canvas is a Problem of Check instead.
Result<Graph> ParseGraph(const boost::json::value& json);
boost::json::object GraphToJson(const Graph& graph);

}  // namespace overture::workflow
