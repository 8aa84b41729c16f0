#pragma once
// An --exec or --set value the shell split into words, because it was not
// quoted: `--exec file=wc -c {path}` gives ramify `file=wc`, then `-c`
// (which is --config) and `{path}`. Found before the options are parsed,
// where the words still stand in their order.

#include <string>
#include <vector>

namespace ramify {

// Throws ConfigError when a word after an --exec or --set value, before the
// next `--` option, holds a placeholder ({path}, {id}, ...):
//   '{path}' is part of the --exec value 'file=wc': the shell split it into words;
//   quote the whole value: --exec 'file=wc -c {path}'
void refuse_split_values(const std::vector<std::string>& args);

}  // namespace ramify
