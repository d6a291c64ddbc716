using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Hashing;

namespace OpenCkv.Benchmarks;

/// <summary>
/// Tree-node hashing (SHA-256 over 65 and 66 bytes, two compression-function runs like OpenSSL's 64-byte figure),
/// commitments, and the BCL's one-shot SHA-256 as the baseline.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class HashBenchmarks
{
    private const int Batch = 1000;
    private readonly byte[] _left = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _right = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _input64 = RandomNumberGenerator.GetBytes(64);
    private readonly byte[] _opening = RandomNumberGenerator.GetBytes(16);
    private readonly byte[] _label = "mailto:alice@example.com"u8.ToArray();
    private readonly byte[] _value = RandomNumberGenerator.GetBytes(600);
    private readonly byte[] _digest = new byte[32];
    private CryptoSuite _suite = null!;

    [Params(CryptoPath.Native, CryptoPath.Portable)]
    public CryptoPath Path { get; set; }

    [GlobalSetup]
    public void Setup() => _suite = Path == CryptoPath.Native ? CryptoSuite.Native! : CryptoSuite.Portable;

    /// <summary>1,000 log-tree parent hashes (66-byte input), chained so none can be skipped.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public byte[] LogParent66()
    {
        TreeHasher hasher = _suite.TreeHashes;
        for (int i = 0; i < Batch; i++)
        {
            hasher.LogParent(false, _digest, true, _right, _digest);
        }

        return _digest;
    }

    /// <summary>1,000 prefix-tree parent hashes (65-byte input).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public byte[] PrefixParent65()
    {
        TreeHasher hasher = _suite.TreeHashes;
        for (int i = 0; i < Batch; i++)
        {
            hasher.PrefixParent(_digest, _left, _digest);
        }

        return _digest;
    }

    /// <summary>1,000 plain SHA-256 hashes of 64 bytes through the engine (OpenSSL's measured size).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public byte[] Sha256Of64()
    {
        Sha256Engine engine = _suite.Sha256;
        for (int i = 0; i < Batch; i++)
        {
            engine.Hash(_input64, _digest);
            _input64[0] = _digest[0];
        }

        return _digest;
    }

    /// <summary>The BCL's SHA256.HashData on 64 bytes: the baseline the native engine exists to beat.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public byte[] BclHashDataOf64()
    {
        for (int i = 0; i < Batch; i++)
        {
            SHA256.HashData(_input64, _digest);
            _input64[0] = _digest[0];
        }

        return _digest;
    }

    /// <summary>A KT commitment to a 600-byte value (a typical handle record).</summary>
    [Benchmark]
    public byte[] Commitment600()
    {
        _suite.Commitments.Compute(_opening, _label, 3, _value, [], _digest);
        return _digest;
    }
}
