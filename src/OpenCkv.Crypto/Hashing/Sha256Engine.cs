namespace OpenCkv.Crypto.Hashing;

/// <summary>
/// SHA-256 over small inputs, the suite hash of KT_128_SHA256_P256 (KT §17.1, FIPS 180-4). Tree hashing calls this
/// millions of times, so the native engine avoids the per-call setup of <c>SHA256.HashData</c>.
/// </summary>
public abstract class Sha256Engine
{
    /// <summary>Output length in bytes (KT: <c>Hash.Nh</c>).</summary>
    public const int HashSize = 32;

    private protected Sha256Engine()
    {
    }

    /// <summary>The implementation behind this engine.</summary>
    public abstract CryptoPath Path { get; }

    /// <summary>Writes SHA-256(<paramref name="data"/>) into the first 32 bytes of <paramref name="destination"/>.</summary>
    public abstract void Hash(ReadOnlySpan<byte> data, Span<byte> destination);

    /// <summary>Returns an HMAC-SHA256 (RFC 2104) bound to one key, with the padded key blocks absorbed once.</summary>
    public abstract FixedKeyHmac CreateHmac(ReadOnlySpan<byte> key);

    /// <summary>Convenience form of <see cref="Hash(ReadOnlySpan{byte}, Span{byte})"/>.</summary>
    public byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new byte[HashSize];
        Hash(data, digest);
        return digest;
    }

    private protected static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException("The destination must hold at least 32 bytes.", nameof(destination));
        }
    }
}

/// <summary>HMAC-SHA256 with a key fixed at creation. Thread-safe.</summary>
public abstract class FixedKeyHmac
{
    private protected FixedKeyHmac()
    {
    }

    /// <summary>Writes HMAC(key, <paramref name="data"/>) into the first 32 bytes of <paramref name="destination"/>.</summary>
    public abstract void Compute(ReadOnlySpan<byte> data, Span<byte> destination);
}
