using BenchmarkDotNet.Attributes;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Benchmarks;

/// <summary>ECVRF-P256-SHA256-TAI prove, verify and output-only evaluation on each crypto path.</summary>
[Config(typeof(BenchmarkConfig))]
public class VrfBenchmarks
{
    private VrfKeyPair _key = null!;
    private EcVrfP256 _vrf = null!;
    private byte[] _proof = null!;
    private readonly byte[] _alpha = "mailto:alice@example.com\0\0\0\x03"u8.ToArray();
    private readonly byte[] _output = new byte[32];

    [Params(CryptoPath.Native, CryptoPath.Portable)]
    public CryptoPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _vrf = (Path == CryptoPath.Native ? CryptoSuite.Native! : CryptoSuite.Portable).Vrf;
        _key = _vrf.GenerateKeyPair();
        _proof = _vrf.Prove(_key, _alpha);
    }

    [Benchmark]
    public byte[] Prove() => _vrf.Prove(_key, _alpha);

    [Benchmark]
    public bool Verify() => _vrf.TryVerify(_key.PublicKey, _alpha, _proof, _output);

    [Benchmark]
    public byte[] Evaluate()
    {
        _vrf.Evaluate(_key, _alpha, _output);
        return _output;
    }
}
