using System.Security.Cryptography;

namespace OpenCkv.Crypto.Hashing;

/// <summary>SHA-256 and HMAC through the BCL: works everywhere .NET does.</summary>
internal sealed class PortableSha256Engine : Sha256Engine
{
    public static PortableSha256Engine Instance { get; } = new();

    public override CryptoPath Path => CryptoPath.Portable;

    public override void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination);
        SHA256.HashData(data, destination);
    }

    public override FixedKeyHmac CreateHmac(ReadOnlySpan<byte> key) => new PortableHmac(key.ToArray());

    private sealed class PortableHmac(byte[] key) : FixedKeyHmac
    {
        public override void Compute(ReadOnlySpan<byte> data, Span<byte> destination)
        {
            CheckDestination(destination);
            HMACSHA256.HashData(key, data, destination);
        }
    }
}
