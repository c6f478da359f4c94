#pragma once
// The states of a delivery and the one table of allowed transitions (docs/deliveries.md,
// "Lifecycle"). Pure functions; thread-safe.
#include <optional>
#include <string_view>
#include <vector>

namespace overture::delivery {

enum class State {
    kDraft,      // being edited; also after a preparation with blocking errors
    kPreparing,  // the worker computes the target and applies the typology
    kReady,      // prepared; may be proofed and confirmed
    kScheduled,  // confirmed; sending starts at start_at
    kSending,    // the sender works through the pending rows
    kPaused,     // nothing is sent until resumed
    kStopped,    // stopped for good by a user
    kFinished,   // every row is sent, failed or ignored
    kFailed,     // the sender could not go on (no route, a template that fails to compile)
};

// What users (and the worker) do to a delivery.
enum class Action {
    kEdit,           // change content, audience, settings
    kPrepare,        // user
    kPrepared,       // worker: preparation done without blocking errors
    kPrepareFailed,  // worker: blocking errors, back to draft
    kConfirm,        // user (supervisor)
    kStart,          // worker: start_at reached
    kPause,          // user
    kResume,         // user (supervisor)
    kStop,           // user
    kFinish,         // worker: nothing left to send
    kFail,           // worker: cannot go on
    kDelete,         // user
    kProof,          // user: send proofs
};

std::string_view StateName(State s);  // "draft", "preparing", ...
std::optional<State> ParseState(std::string_view name);
std::string_view ActionName(Action a);  // "edit", "prepare", ...

// The state after `action`, or nullopt when the action is not allowed in `from`. kEdit from
// ready gives draft; kEdit, kProof keep the state otherwise; kDelete gives the same state (the
// row goes away).
std::optional<State> Next(State from, Action action);

// The user actions allowed in a state (edit, prepare, confirm, pause, resume, stop, delete,
// proof), for the UI's buttons.
std::vector<Action> UserActions(State s);

// True for states the sender works in or waits for (scheduled, sending, paused): rows of such
// deliveries count as "scheduled" for fatigue rules.
bool IsInFlight(State s);

}  // namespace overture::delivery
