#pragma once
// msgpack adaptors for the public types (whose headers stay free of msgpack).
// Structs travel as arrays; decoding tolerates missing trailing fields (they
// keep their defaults) and ignores extra ones, so fields are only ever appended.

#include <msgpack.hpp>

#include "protocol/log_record.hpp"
#include "protocol/protocol_enums.hpp"
#include "ramify/node.hpp"

namespace ramify::wire {

// Reads element `i` of an array object into `out` when present.
template <class T>
void read_field(const msgpack::object& o, std::uint32_t i, T& out) {
  if (i < o.via.array.size) o.via.array.ptr[i].convert(out);
}

// A record's fields: element `keys` holds [key, value] pairs, element `types`
// (a later addition, so possibly absent) each field's type; a field without
// one is text.
inline void read_fields(const msgpack::object& o, std::uint32_t keys, std::uint32_t types,
                        std::vector<ramify::Field>& out) {
  out.clear();
  if (keys >= o.via.array.size) return;
  const msgpack::object& pairs = o.via.array.ptr[keys];
  if (pairs.type != msgpack::type::ARRAY) throw msgpack::type_error();
  out.resize(pairs.via.array.size);
  for (std::uint32_t i = 0; i < pairs.via.array.size; ++i) {
    const msgpack::object& pair = pairs.via.array.ptr[i];
    if (pair.type != msgpack::type::ARRAY || pair.via.array.size != 2) throw msgpack::type_error();
    pair.via.array.ptr[0].convert(out[i].key);
    pair.via.array.ptr[1].convert(out[i].value);
    out[i].type = ramify::FieldType::text;  // `out` may be reused storage
  }
  if (types >= o.via.array.size) return;
  const msgpack::object& kinds = o.via.array.ptr[types];
  if (kinds.type != msgpack::type::ARRAY) throw msgpack::type_error();
  for (std::uint32_t i = 0; i < kinds.via.array.size && i < out.size(); ++i) {
    const unsigned type = kinds.via.array.ptr[i].as<unsigned>();
    if (type > static_cast<unsigned>(ramify::FieldType::boolean)) throw msgpack::type_error();
    out[i].type = static_cast<ramify::FieldType>(type);
  }
}

// Converts a small unsigned integer to an enum, rejecting values above `max`.
template <class E>
E to_enum(const msgpack::object& o, unsigned max) {
  unsigned v = o.as<unsigned>();
  if (v > max) throw msgpack::type_error();
  return static_cast<E>(v);
}

}  // namespace ramify::wire

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

#define RAMIFY_MSGPACK_ENUM(E, MAX)                                                   \
  template <>                                                                         \
  struct convert<E> {                                                                 \
    const msgpack::object& operator()(const msgpack::object& o, E& v) const {         \
      v = ramify::wire::to_enum<E>(o, MAX);                                           \
      return o;                                                                       \
    }                                                                                 \
  };                                                                                  \
  template <>                                                                         \
  struct pack<E> {                                                                    \
    template <typename Stream>                                                        \
    packer<Stream>& operator()(packer<Stream>& p, const E& v) const {                 \
      p.pack(static_cast<unsigned>(v));                                               \
      return p;                                                                       \
    }                                                                                 \
  };

RAMIFY_MSGPACK_ENUM(ramify::Severity, 3)
RAMIFY_MSGPACK_ENUM(ramify::Status, 2)
RAMIFY_MSGPACK_ENUM(ramify::RecordKind, 2)
RAMIFY_MSGPACK_ENUM(ramify::AssignmentKind, 1)
RAMIFY_MSGPACK_ENUM(ramify::WalkOrder, 1)
RAMIFY_MSGPACK_ENUM(ramify::RunState, 3)
#undef RAMIFY_MSGPACK_ENUM

template <>
struct convert<ramify::Node> {
  const msgpack::object& operator()(const msgpack::object& o, ramify::Node& n) const {
    if (o.type != msgpack::type::ARRAY) throw msgpack::type_error();
    using ramify::wire::read_field;
    read_field(o, 0, n.id);
    read_field(o, 1, n.parent);
    read_field(o, 2, n.level);
    read_field(o, 3, n.label);
    read_field(o, 4, n.is_file);
    read_field(o, 5, n.size);
    read_field(o, 6, n.mtime);
    read_field(o, 7, n.attrs);
    return o;
  }
};

template <>
struct pack<ramify::Node> {
  template <typename Stream>
  packer<Stream>& operator()(packer<Stream>& p, const ramify::Node& n) const {
    p.pack_array(8);
    p.pack(n.id);
    p.pack(n.parent);
    p.pack(n.level);
    p.pack(n.label);
    p.pack(n.is_file);
    p.pack(n.size);
    p.pack(n.mtime);
    p.pack(n.attrs);
    return p;
  }
};

template <>
struct convert<ramify::LogRecord> {
  const msgpack::object& operator()(const msgpack::object& o, ramify::LogRecord& r) const {
    if (o.type != msgpack::type::ARRAY) throw msgpack::type_error();
    // Decoding may reuse a record: fields the array lacks must not keep old values.
    if (o.via.array.size < 18) r = ramify::LogRecord{};
    using ramify::wire::read_field;
    read_field(o, 0, r.kind);
    read_field(o, 1, r.status);
    read_field(o, 2, r.severity);
    read_field(o, 3, r.ts_us);
    read_field(o, 4, r.container_type);
    read_field(o, 5, r.container_id);
    read_field(o, 6, r.label);
    read_field(o, 7, r.err);
    read_field(o, 8, r.msg);
    read_field(o, 9, r.resolved);
    read_field(o, 10, r.search_key);
    read_field(o, 11, r.assignment);
    read_field(o, 12, r.attempt);
    ramify::wire::read_fields(o, 13, 14, r.fields);
    read_field(o, 15, r.start_us);
    read_field(o, 16, r.duration_us);
    read_field(o, 17, r.stamp);
    return o;
  }
};

template <>
struct pack<ramify::LogRecord> {
  template <typename Stream>
  packer<Stream>& operator()(packer<Stream>& p, const ramify::LogRecord& r) const {
    p.pack_array(18);
    p.pack(r.kind);
    p.pack(r.status);
    p.pack(r.severity);
    p.pack(r.ts_us);
    p.pack(r.container_type);
    p.pack(r.container_id);
    p.pack(r.label);
    p.pack(r.err);
    p.pack(r.msg);
    p.pack(r.resolved);
    p.pack(r.search_key);
    p.pack(r.assignment);
    p.pack(r.attempt);
    p.pack_array(static_cast<std::uint32_t>(r.fields.size()));
    for (const ramify::Field& field : r.fields) {
      p.pack_array(2);
      p.pack(field.key);
      p.pack(field.value);
    }
    p.pack_array(static_cast<std::uint32_t>(r.fields.size()));
    for (const ramify::Field& field : r.fields) p.pack(static_cast<unsigned>(field.type));
    p.pack(r.start_us);
    p.pack(r.duration_us);
    p.pack(r.stamp);
    return p;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE
}  // namespace msgpack
