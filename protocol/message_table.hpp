#pragma once
// Typed dispatch for one channel: a handler per message type, registered by
// the type it takes (`table.on<Hello>(...)` for frames of type Hello::kType,
// or under another frame type, as kill-worker takes a Kill). dispatch()
// decodes the body as that type and calls the handler; a type nobody
// registered, or a body that does not decode, raises DecodeError (which the
// reactor counts as a bad message).

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "protocol/codec.hpp"

namespace ramify {

template <class Signature>
class MessageTable;

template <class Result, class... Args>
class MessageTable<Result(Args...)> {
 public:
  template <class T, class Handler>
  void on(Handler handler) {
    on<T>(T::kType, std::move(handler));
  }

  template <class T, class Handler>
  void on(std::string type, Handler handler) {
    handlers_[std::move(type)] = [handler = std::move(handler)](std::string_view body, Args... args) -> Result {
      return handler(decode<T>(body), std::forward<Args>(args)...);
    };
  }

  bool handles(std::string_view type) const { return handlers_.find(type) != handlers_.end(); }

  Result dispatch(std::string_view type, std::string_view body, Args... args) const {
    auto it = handlers_.find(type);
    if (it == handlers_.end()) throw DecodeError("unknown message type '" + std::string(type) + "'");
    return it->second(body, std::forward<Args>(args)...);
  }

 private:
  std::map<std::string, std::function<Result(std::string_view, Args...)>, std::less<>> handlers_;
};

}  // namespace ramify
