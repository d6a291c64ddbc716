# Sourced by the HTTP benchmark scripts: records the machine and this hour's OpenSSL figures in $out, builds the
# solution, and names the binaries ($bench, $ckv). Extra machine lines come as arguments.
{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
  echo "openssl: $(openssl version)"
  for line in "$@"; do echo "$line"; done
} | tee "$out/machine.txt"
openssl speed -seconds 3 -bytes 64 sha256 2>/dev/null | tail -1 | tee "$out/openssl-sha256.txt"
openssl speed -seconds 3 ecdsap256 2>/dev/null | tail -2 | tee "$out/openssl-ecdsap256.txt"

dotnet build -c Release OpenCkv.sln >/dev/null
bench=bench/OpenCkv.Benchmarks/bin/Release/net10.0/OpenCkv.Benchmarks
ckv=src/OpenCkv.Cli/bin/Release/net10.0/ckv
