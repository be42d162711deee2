// "Did you mean": the closest of a set of words to a mistyped one. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gsb::core {

// Optimal-string-alignment distance (insertions, deletions, substitutions, transpositions).
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` within max_distance ("" if none; ties: the first).
std::string closest(std::string_view word, const std::vector<std::string>& candidates, size_t max_distance = 2);

}  // namespace gsb::core
