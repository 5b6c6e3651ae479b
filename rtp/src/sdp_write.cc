// SDP writer (RFC 8866 section 5). Lines end in CRLF and follow the order the RFC mandates:
//   session: v o s i? u? e* p* c? b* t (r*) z? k? a*
//   media:   m i? c? b* k? a*
// Lines the parser kept verbatim (unknown types, repeated single fields) go after the typed
// fields and before the attributes of their section, so that parsing the output puts every
// value back where it was: the typed field is always written before its repeats.
// Typed media attributes come in a fixed order (rtpmap, fmtp, rtcp-fb, rtcp, rtcp-mux, extmap,
// direction, mid, ssrc, source-filter) and then the other attributes in their input order.
#include <cstdint>
#include <string>

#include "confcast/rtp/sdp.h"
#include "sdp_internal.h"

namespace confcast::rtp {
namespace {

class Writer {
 public:
  void Line(char type, std::string_view value) {
    out_ += type;
    out_ += '=';
    out_ += value;
    out_ += "\r\n";
  }
  void Attr(std::string_view name, std::string_view value) {
    out_ += "a=";
    out_ += name;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }
  void Flag(std::string_view name) { Line('a', name); }
  void Raw(std::string_view line) {
    out_ += line;
    out_ += "\r\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string ConnectionValue(const SdpConnection& c) {
  return "IN " + std::string(ToString(c.addr_type)) + " " +
         sdp_internal::FormatConnectionAddress(c);
}

void WriteBandwidths(Writer& w, const std::vector<SdpBandwidth>& bws) {
  for (const auto& b : bws) w.Line('b', b.type + ":" + std::to_string(b.value));
}

void WriteAttributes(Writer& w, const std::vector<SdpAttribute>& attrs) {
  for (const auto& a : attrs) {
    if (a.value) {
      w.Attr(a.name, *a.value);
    } else {
      w.Flag(a.name);
    }
  }
}

void WriteSourceFilters(Writer& w, const std::vector<SourceFilter>& filters) {
  for (const auto& f : filters) {
    // RFC 4570 3 writes a space after the colon.
    std::string v = f.include ? " incl IN " : " excl IN ";
    v += f.addr_type ? ToString(*f.addr_type) : "*";
    v += ' ';
    v += f.destination;
    for (const auto& s : f.sources) v += ' ' + s;
    w.Attr("source-filter", v);
  }
}

std::string MediaLineValue(const MediaDescription& m) {
  std::string v(m.TypeName());
  v += ' ' + std::to_string(m.port);
  if (m.port_count) v += '/' + std::to_string(*m.port_count);
  v += ' ' + m.proto;
  for (auto pt : m.payload_types) v += ' ' + std::to_string(pt);
  for (const auto& f : m.formats) v += ' ' + f;
  return v;
}

void WriteMediaAttributes(Writer& w, const MediaDescription& m) {
  for (const auto& r : m.rtpmaps) {
    std::string v =
        std::to_string(r.payload_type) + ' ' + r.encoding + '/' + std::to_string(r.clock_rate);
    if (r.channels) v += '/' + std::to_string(*r.channels);
    w.Attr("rtpmap", v);
  }
  for (const auto& f : m.fmtps) {
    std::string v = std::to_string(f.payload_type);
    if (!f.parameters.empty()) {
      v += ' ';
      for (std::size_t i = 0; i < f.parameters.size(); ++i) {
        if (i) v += ';';
        v += f.parameters[i].key + '=' + f.parameters[i].value;
      }
    } else if (!f.raw.empty()) {
      v += ' ' + f.raw;
    }
    w.Attr("fmtp", v);
  }
  for (const auto& fb : m.rtcp_feedback) {
    std::string v = fb.payload_type ? std::to_string(*fb.payload_type) : "*";
    v += ' ' + fb.type;
    if (fb.parameters) v += ' ' + *fb.parameters;
    w.Attr("rtcp-fb", v);
  }
  if (m.rtcp) {
    std::string v = std::to_string(m.rtcp->port);
    if (m.rtcp->address) v += ' ' + ConnectionValue(*m.rtcp->address);
    w.Attr("rtcp", v);
  }
  if (m.rtcp_mux) w.Flag("rtcp-mux");
  for (const auto& x : m.extmaps) {
    std::string v = std::to_string(x.id);
    if (x.direction) v += '/' + std::string(ToString(*x.direction));
    v += ' ' + x.uri;
    if (x.attributes) v += ' ' + *x.attributes;
    w.Attr("extmap", v);
  }
  if (m.direction) w.Flag(ToString(*m.direction));
  if (m.mid) w.Attr("mid", *m.mid);
  for (const auto& s : m.ssrcs) {
    std::string v = std::to_string(s.ssrc) + ' ' + s.attribute;
    if (s.value) v += ':' + *s.value;
    w.Attr("ssrc", v);
  }
  WriteSourceFilters(w, m.source_filters);
  WriteAttributes(w, m.attributes);
}

}  // namespace

std::string SerializeSdp(const SessionDescription& sdp) {
  Writer w;
  w.Line('v', "0");
  const SdpOrigin& o = sdp.origin;
  w.Line('o', o.username + ' ' + std::to_string(o.session_id) + ' ' +
                  std::to_string(o.session_version) + ' ' + o.net_type + ' ' + o.addr_type + ' ' +
                  o.address);
  // RFC 8866 5.3: a session without a meaningful name uses "s= " (the parser trims it back).
  w.Line('s', sdp.session_name.empty() ? std::string_view(" ") : sdp.session_name);
  if (sdp.info) w.Line('i', *sdp.info);
  if (sdp.uri) w.Line('u', *sdp.uri);
  for (const auto& e : sdp.emails) w.Line('e', e);
  for (const auto& p : sdp.phones) w.Line('p', p);
  if (sdp.connection) w.Line('c', ConnectionValue(*sdp.connection));
  WriteBandwidths(w, sdp.bandwidths);
  for (const auto& t : sdp.timings) {
    w.Line('t', std::to_string(t.start) + ' ' + std::to_string(t.stop));
    for (const auto& r : t.repeats) w.Line('r', r);
  }
  if (sdp.time_zones) w.Line('z', *sdp.time_zones);
  if (sdp.key) w.Line('k', *sdp.key);
  for (const auto& l : sdp.other_lines) w.Raw(l);
  // Typed before the rest: a repeated direction flag kept in attributes must stay second.
  if (sdp.direction) w.Flag(ToString(*sdp.direction));
  WriteSourceFilters(w, sdp.source_filters);
  WriteAttributes(w, sdp.attributes);

  for (const auto& m : sdp.media) {
    w.Line('m', MediaLineValue(m));
    if (m.title) w.Line('i', *m.title);
    if (m.connection) w.Line('c', ConnectionValue(*m.connection));
    WriteBandwidths(w, m.bandwidths);
    if (m.key) w.Line('k', *m.key);
    for (const auto& l : m.other_lines) w.Raw(l);
    WriteMediaAttributes(w, m);
  }
  return w.Take();
}

}  // namespace confcast::rtp
