using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OpenCkv.Crypto.Hashing;

/// <summary>
/// KT §11.6 commitments: commitment = HMAC(Kc, CommitmentValue) with the suite's fixed key Kc (§17.1) and
/// 16-byte openings (Nc). CommitmentValue is the TLS encoding of
/// <c>struct { opaque opening[Nc]; opaque label&lt;0..2^8-1&gt;; uint32 version; UpdateValue update; }</c>,
/// where <c>UpdateValue = struct { opaque value&lt;0..2^32-1&gt;; UpdateSuffix suffix; }</c> (§11.5).
/// </summary>
public sealed class CommitmentScheme
{
    /// <summary>Nc: the opening size in bytes.</summary>
    public const int OpeningSize = 16;

    /// <summary>The commitment size (HMAC-SHA256 output).</summary>
    public const int CommitmentSize = 32;

    /// <summary>The longest label the TLS vector <c>label&lt;0..2^8-1&gt;</c> can carry.</summary>
    public const int MaxLabelLength = byte.MaxValue;

    private static readonly byte[] FixedKey = Convert.FromHexString("d821f8790d97709796b4d7903357c3f5"); // Kc, §17.1
    private readonly FixedKeyHmac _hmac;

    internal CommitmentScheme(Sha256Engine sha256) => _hmac = sha256.CreateHmac(FixedKey);

    /// <summary>Draws a fresh opening from the system CSPRNG (§11.6 allows any value indistinguishable from random).</summary>
    public static byte[] NewOpening() => RandomNumberGenerator.GetBytes(OpeningSize);

    /// <summary>
    /// Computes the commitment to (label, version, value) with the given opening. <paramref name="suffix"/> is the
    /// already-encoded <c>UpdateSuffix</c>: empty except in third-party management mode.
    /// </summary>
    public void Compute(
        ReadOnlySpan<byte> opening,
        ReadOnlySpan<byte> label,
        uint version,
        ReadOnlySpan<byte> value,
        ReadOnlySpan<byte> suffix,
        Span<byte> commitment)
    {
        if (opening.Length != OpeningSize)
        {
            throw new ArgumentException("A commitment opening is 16 bytes (Nc).", nameof(opening));
        }

        if (label.Length > MaxLabelLength)
        {
            throw new ArgumentException("A label is at most 255 bytes.", nameof(label));
        }

        int length = checked(OpeningSize + 1 + label.Length + 4 + 4 + value.Length + suffix.Length);
        byte[]? heap = length > 1024 ? new byte[length] : null;
        Span<byte> buffer = heap ?? stackalloc byte[length];
        opening.CopyTo(buffer);
        int at = OpeningSize;
        buffer[at++] = (byte)label.Length;                               // label<0..2^8-1>
        label.CopyTo(buffer[at..]);
        at += label.Length;
        BinaryPrimitives.WriteUInt32BigEndian(buffer[at..], version);   // uint32 version
        at += 4;
        BinaryPrimitives.WriteUInt32BigEndian(buffer[at..], (uint)value.Length); // value<0..2^32-1>
        at += 4;
        value.CopyTo(buffer[at..]);
        at += value.Length;
        suffix.CopyTo(buffer[at..]);
        _hmac.Compute(buffer, commitment);
    }

    /// <summary>True when <paramref name="commitment"/> opens to (label, version, value) under <paramref name="opening"/>.</summary>
    public bool Verify(
        ReadOnlySpan<byte> commitment,
        ReadOnlySpan<byte> opening,
        ReadOnlySpan<byte> label,
        uint version,
        ReadOnlySpan<byte> value,
        ReadOnlySpan<byte> suffix)
    {
        if (commitment.Length != CommitmentSize || opening.Length != OpeningSize || label.Length > MaxLabelLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[CommitmentSize];
        Compute(opening, label, version, value, suffix, expected);
        return CryptographicOperations.FixedTimeEquals(expected, commitment);
    }
}
