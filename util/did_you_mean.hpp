#pragma once
// Suggestions for a misspelt name: the closest known name by edit distance.

#include <optional>
#include <string>
#include <vector>

namespace ramify {

// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `name`, when it is close enough to be a typo (at
// most 2 edits, and fewer than half of the name's letters); ties: the first.
std::optional<std::string> closest_name(const std::string& name, const std::vector<std::string>& candidates);

// " (did you mean 'X'?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace ramify
