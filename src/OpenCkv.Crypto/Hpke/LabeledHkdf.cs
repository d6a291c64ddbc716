using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OpenCkv.Crypto.Hpke;

/// <summary>
/// HKDF-SHA256 (KDF 0x0001) with HPKE's labels: every input is prefixed by "HPKE-v1", a suite id (the KEM's or the
/// whole suite's) and a label, so keys derived for one purpose or suite never equal keys derived for another.
/// </summary>
internal static class LabeledHkdf
{
    /// <summary>Nh: the SHA-256 output size, and the size of every extracted key.</summary>
    public const int HashSize = 32;

    /// <summary>The longest output HKDF-Expand can give: 255 blocks of Nh bytes.</summary>
    public const int MaxExpandLength = 255 * HashSize;

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    /// <summary>RFC 9180 §4 LabeledExtract: HKDF-Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm).</summary>
    public static byte[] Extract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm)
    {
        byte[] labeledIkm = [.. Version, .. suiteId, .. label, .. ikm];
        var prk = new byte[HashSize];
        try
        {
            HKDF.Extract(HashAlgorithmName.SHA256, labeledIkm, salt, prk);
            return prk;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(labeledIkm);
        }
    }

    /// <summary>RFC 9180 §4 LabeledExpand: HKDF-Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L).</summary>
    public static byte[] Expand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxExpandLength);
        var labeledInfo = new byte[checked(2 + Version.Length + suiteId.Length + label.Length + info.Length)];
        BinaryPrimitives.WriteUInt16BigEndian(labeledInfo, (ushort)length);
        Span<byte> rest = labeledInfo.AsSpan(2);
        Version.CopyTo(rest);
        suiteId.CopyTo(rest[Version.Length..]);
        label.CopyTo(rest[(Version.Length + suiteId.Length)..]);
        info.CopyTo(rest[(Version.Length + suiteId.Length + label.Length)..]);

        var output = new byte[length];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, labeledInfo);
        return output;
    }
}
