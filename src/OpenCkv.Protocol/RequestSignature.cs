using System.Security.Cryptography;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// What a device's request key signs to authenticate an HTTP request (docs/ckv-protocol.md §3): the method, the
/// path with its query, the SHA-256 of the body, the account and device, the client's clock and a fresh nonce. The
/// server accepts a signature once, within a window around its own clock, from a key listed for that device.
/// </summary>
public static class RequestSignature
{
    /// <summary>The shortest nonce accepted: 128 bits.</summary>
    public const int MinNonceSize = 16;

    /// <summary>The signed bytes.</summary>
    public static byte[] ToBeSigned(string method, string pathAndQuery, ReadOnlySpan<byte> body, byte[] accountId, byte[] deviceId, ulong timestampMs, byte[] nonce)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        ArgumentNullException.ThrowIfNull(nonce);
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.Request), byte.MaxValue);
        writer.WriteOpaque(System.Text.Encoding.ASCII.GetBytes(method.ToUpperInvariant()), 16, 1);
        writer.WriteOpaque(System.Text.Encoding.UTF8.GetBytes(pathAndQuery), ushort.MaxValue, 1);
        writer.WriteFixed(SHA256.HashData(body), 32);
        writer.WriteFixed(accountId, HandleRecord.AccountIdSize);
        writer.WriteFixed(deviceId, Device.IdSize);
        writer.WriteUInt64(timestampMs);
        writer.WriteOpaque(nonce, 64, MinNonceSize);
        return writer.ToArray();
    }
}
