// SRTP cost per packet: protect (sender) and protect + unprotect (one sender, one receiver) of
// RTP packets through confcast::net::SrtpSession, per suite and packet size. Items are packets,
// bytes are RTP bytes before protection.
#include <benchmark/benchmark.h>
#include <confcast/net/srtp.h>

#include <algorithm>
#include <vector>

namespace {

using namespace confcast::net;

SrtpKey Key(SrtpSuite suite) {
  return SrtpKey{suite, std::vector<std::uint8_t>(SrtpMasterLength(suite), 0x42)};
}

std::vector<std::uint8_t> Plain(std::size_t size) {
  std::vector<std::uint8_t> p(size, 0x5c);
  p[0] = 0x80;
  p[1] = 0x60;
  p[8] = 0x12;  // SSRC 0x12345678
  p[9] = 0x34;
  p[10] = 0x56;
  p[11] = 0x78;
  return p;
}

void Run(benchmark::State& state, SrtpSuite suite, bool unprotect) {
  if (!SrtpSuiteAvailable(suite)) {
    state.SkipWithError("suite not available in this libsrtp2");
    return;
  }
  const auto size = static_cast<std::size_t>(state.range(0));
  auto out = SrtpSession::Create(Key(suite), SrtpDirection::kOutbound);
  auto in = SrtpSession::Create(Key(suite), SrtpDirection::kInbound);
  const auto plain = Plain(size);
  std::vector<std::uint8_t> buf(size + kSrtpTailroom);
  std::uint16_t seq = 0;
  for (auto _ : state) {
    std::copy(plain.begin(), plain.end(), buf.begin());
    buf[2] = static_cast<std::uint8_t>(seq >> 8);
    buf[3] = static_cast<std::uint8_t>(seq);
    ++seq;
    auto n = out->ProtectRtp(buf, size);
    if (!n) {
      state.SkipWithError("protect failed");
      return;
    }
    if (unprotect && !in->UnprotectRtp(buf, *n)) {
      state.SkipWithError("unprotect failed");
      return;
    }
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

void BM_SrtpProtect_AesCm(benchmark::State& s) {
  Run(s, SrtpSuite::kAesCm128HmacSha1_80, false);
}
void BM_SrtpRoundTrip_AesCm(benchmark::State& s) {
  Run(s, SrtpSuite::kAesCm128HmacSha1_80, true);
}
void BM_SrtpProtect_Gcm128(benchmark::State& s) {
  Run(s, SrtpSuite::kAeadAes128Gcm, false);
}
void BM_SrtpRoundTrip_Gcm128(benchmark::State& s) {
  Run(s, SrtpSuite::kAeadAes128Gcm, true);
}
void BM_SrtpRoundTrip_Gcm256(benchmark::State& s) {
  Run(s, SrtpSuite::kAeadAes256Gcm, true);
}

BENCHMARK(BM_SrtpProtect_AesCm)->Arg(160)->Arg(1200);
BENCHMARK(BM_SrtpRoundTrip_AesCm)->Arg(160)->Arg(1200);
BENCHMARK(BM_SrtpProtect_Gcm128)->Arg(160)->Arg(1200);
BENCHMARK(BM_SrtpRoundTrip_Gcm128)->Arg(160)->Arg(1200);
BENCHMARK(BM_SrtpRoundTrip_Gcm256)->Arg(1200);

}  // namespace
