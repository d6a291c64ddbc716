using BenchmarkDotNet.Attributes;
using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Benchmarks;

/// <summary>ECDSA P-256/SHA-256 over a tree-head-sized message, through the BCL.</summary>
[Config(typeof(BenchmarkConfig))]
public class EcdsaBenchmarks
{
    private readonly byte[] _message = new byte[300];
    private EcdsaP256PrivateKey _key = null!;
    private byte[] _signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = EcdsaP256PrivateKey.Generate();
        _signature = _key.Sign(_message);
    }

    [Benchmark]
    public byte[] Sign() => _key.Sign(_message);

    [Benchmark]
    public bool Verify() => _key.PublicKey.Verify(_message, _signature);
}
