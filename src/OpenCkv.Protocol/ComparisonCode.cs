using System.Buffers.Binary;
using System.Security.Cryptography;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>Which side of an on-device comparison a device plays.</summary>
public enum ComparisonRole : byte
{
    /// <summary>Sends the commitment first, opens it last.</summary>
    Initiator = 1,

    /// <summary>Answers the commitment with its own key, device and nonce.</summary>
    Responder = 2,
}

/// <summary>
/// The on-device comparison (DESIGN §5, docs/ckv-protocol.md §5), in the order of Vaudenay's short-authentication
/// -string protocol: the initiator commits to (role, account key, device id, nonce); the responder answers with its
/// own account key, device id and nonce; the initiator opens. Both then show an 8-digit code derived from both keys,
/// both device ids and both nonces. An attacker in the middle must fix its answer before it sees the initiator's
/// nonce, so it gets one guess of about 2^-26.6 per session.
/// </summary>
public static class ComparisonCode
{
    /// <summary>The nonce length: 256 bits.</summary>
    public const int NonceSize = 32;

    /// <summary>The commitment the initiator sends.</summary>
    public static byte[] Commit(ComparisonRole role, byte[] accountKey, byte[] deviceId, byte[] nonce) =>
        Commit(Contexts.ComparisonCommitment, role, accountKey, deviceId, nonce);

    /// <summary>A commitment under <paramref name="context"/> (the comparison's, or the join exchange's).</summary>
    internal static byte[] Commit(string context, ComparisonRole role, byte[] accountKey, byte[] deviceId, byte[] nonce)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(context), byte.MaxValue);
        writer.WriteUInt8((byte)role);
        writer.WriteFixed(accountKey, Device.KeySize);
        writer.WriteFixed(deviceId, Device.IdSize);
        writer.WriteFixed(nonce, NonceSize);
        return SHA256.HashData(writer.WrittenSpan);
    }

    /// <summary>True when the opening matches the commitment received earlier.</summary>
    public static bool Opens(byte[] commitment, byte[] accountKey, byte[] deviceId, byte[] nonce) =>
        Opens(Contexts.ComparisonCommitment, commitment, accountKey, deviceId, nonce);

    /// <summary>True when the opening matches a commitment made under <paramref name="context"/>.</summary>
    internal static bool Opens(string context, byte[] commitment, byte[] accountKey, byte[] deviceId, byte[] nonce)
    {
        ArgumentNullException.ThrowIfNull(commitment);
        return CryptographicOperations.FixedTimeEquals(commitment, Commit(context, ComparisonRole.Initiator, accountKey, deviceId, nonce));
    }

    /// <summary>
    /// The code both devices show: SHA-256 over the context, the initiator's key, device id and nonce, then the
    /// responder's; the first 8 bytes as a big-endian number modulo 10^8, as eight digits.
    /// </summary>
    public static string Code(byte[] initiatorKey, byte[] initiatorDevice, byte[] initiatorNonce, byte[] responderKey, byte[] responderDevice, byte[] responderNonce) =>
        Code(Contexts.ComparisonCode, initiatorKey, initiatorDevice, initiatorNonce, responderKey, responderDevice, responderNonce);

    /// <summary>A code under <paramref name="context"/> (the comparison's, or the join exchange's).</summary>
    internal static string Code(
        string context, byte[] initiatorKey, byte[] initiatorDevice, byte[] initiatorNonce, byte[] responderKey, byte[] responderDevice, byte[] responderNonce)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(context), byte.MaxValue);
        writer.WriteFixed(initiatorKey, Device.KeySize);
        writer.WriteFixed(initiatorDevice, Device.IdSize);
        writer.WriteFixed(initiatorNonce, NonceSize);
        writer.WriteFixed(responderKey, Device.KeySize);
        writer.WriteFixed(responderDevice, Device.IdSize);
        writer.WriteFixed(responderNonce, NonceSize);
        ulong value = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(writer.WrittenSpan)) % 100_000_000UL;
        return value.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
    }
}
