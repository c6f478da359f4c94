#include "delivery/state.hpp"

#include <array>

namespace overture::delivery {

namespace {

constexpr std::array<std::pair<State, std::string_view>, 9> kStates{{
    {State::kDraft, "draft"},
    {State::kPreparing, "preparing"},
    {State::kReady, "ready"},
    {State::kScheduled, "scheduled"},
    {State::kSending, "sending"},
    {State::kPaused, "paused"},
    {State::kStopped, "stopped"},
    {State::kFinished, "finished"},
    {State::kFailed, "failed"},
}};

constexpr std::array<std::pair<Action, std::string_view>, 13> kActions{{
    {Action::kEdit, "edit"},
    {Action::kPrepare, "prepare"},
    {Action::kPrepared, "prepared"},
    {Action::kPrepareFailed, "prepare_failed"},
    {Action::kConfirm, "confirm"},
    {Action::kStart, "start"},
    {Action::kPause, "pause"},
    {Action::kResume, "resume"},
    {Action::kStop, "stop"},
    {Action::kFinish, "finish"},
    {Action::kFail, "fail"},
    {Action::kDelete, "delete"},
    {Action::kProof, "proof"},
}};

}  // namespace

std::string_view StateName(State s) {
    for (const auto& [state, name] : kStates) {
        if (state == s) return name;
    }
    return "unknown";
}

std::optional<State> ParseState(std::string_view name) {
    for (const auto& [state, n] : kStates) {
        if (n == name) return state;
    }
    return std::nullopt;
}

std::string_view ActionName(Action a) {
    for (const auto& [action, name] : kActions) {
        if (action == a) return name;
    }
    return "unknown";
}

std::optional<State> Next(State from, Action action) {
    using enum State;
    switch (action) {
        case Action::kEdit:
            if (from == kDraft) return kDraft;
            if (from == kReady) return kDraft;
            return std::nullopt;
        case Action::kPrepare:
            if (from == kDraft || from == kReady) return kPreparing;
            return std::nullopt;
        case Action::kPrepared:
            if (from == kPreparing) return kReady;
            return std::nullopt;
        case Action::kPrepareFailed:
            if (from == kPreparing) return kDraft;
            return std::nullopt;
        case Action::kConfirm:
            if (from == kReady) return kScheduled;
            return std::nullopt;
        case Action::kStart:
            if (from == kScheduled) return kSending;
            return std::nullopt;
        case Action::kPause:
            if (from == kSending || from == kScheduled) return kPaused;
            return std::nullopt;
        case Action::kResume:
            if (from == kPaused || from == kFailed) return kSending;
            return std::nullopt;
        case Action::kStop:
            if (from == kScheduled || from == kSending || from == kPaused || from == kFailed) {
                return kStopped;
            }
            return std::nullopt;
        case Action::kFinish:
            if (from == kSending) return kFinished;
            return std::nullopt;
        case Action::kFail:
            if (from == kSending || from == kPreparing) return kFailed;
            return std::nullopt;
        case Action::kDelete:
            if (from == kDraft || from == kReady || from == kStopped || from == kFinished ||
                from == kFailed) {
                return from;
            }
            return std::nullopt;
        case Action::kProof:
            if (from == kDraft || from == kReady || from == kScheduled) return from;
            return std::nullopt;
    }
    return std::nullopt;
}

std::vector<Action> UserActions(State s) {
    std::vector<Action> out;
    for (Action a : {Action::kEdit, Action::kPrepare, Action::kConfirm, Action::kPause,
                     Action::kResume, Action::kStop, Action::kDelete, Action::kProof}) {
        if (Next(s, a)) out.push_back(a);
    }
    return out;
}

bool IsInFlight(State s) {
    return s == State::kScheduled || s == State::kSending || s == State::kPaused;
}

}  // namespace overture::delivery
