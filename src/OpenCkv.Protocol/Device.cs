using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// One device of a handle record (docs/ckv-protocol.md §2.3): its id and three separate P-256 public keys —
/// message signing, message encryption (HPKE), request authentication — with the device's proof that it holds the
/// signing key, bound to the account and to the other two keys.
/// </summary>
public sealed record Device(byte[] DeviceId, byte[] SigningKey, byte[] EncryptionKey, byte[] RequestKey, byte[] Possession) : ITlsCodec<Device>
{
    /// <summary>The length of a device id.</summary>
    public const int IdSize = 16;

    /// <summary>The length of an uncompressed P-256 public key.</summary>
    public const int KeySize = 65;

    /// <summary>The length of an r ‖ s signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>
    /// The bytes the device's signing key signs (§2.3): context, account id, account key, device id, then the
    /// signing, encryption and request keys.
    /// </summary>
    public static byte[] PossessionToBeSigned(byte[] accountId, byte[] accountKey, byte[] deviceId, byte[] signingKey, byte[] encryptionKey, byte[] requestKey)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.DevicePossession), byte.MaxValue);
        writer.WriteFixed(accountId, HandleRecord.AccountIdSize);
        writer.WriteFixed(accountKey, KeySize);
        writer.WriteFixed(deviceId, IdSize);
        writer.WriteFixed(signingKey, KeySize);
        writer.WriteFixed(encryptionKey, KeySize);
        writer.WriteFixed(requestKey, KeySize);
        return writer.ToArray();
    }

    /// <summary>A device entry for keys the caller holds, with its possession proof made by <paramref name="signing"/>.</summary>
    public static Device Create(byte[] accountId, byte[] accountKey, byte[] deviceId, EcdsaP256PrivateKey signing, byte[] encryptionKey, byte[] requestKey)
    {
        ArgumentNullException.ThrowIfNull(signing);
        byte[] signingKey = signing.PublicKey.Encoded.ToArray();
        byte[] proof = signing.Sign(PossessionToBeSigned(accountId, accountKey, deviceId, signingKey, encryptionKey, requestKey));
        return new Device(deviceId, signingKey, encryptionKey, requestKey, proof);
    }

    /// <summary>True when the possession proof verifies for this account and account key.</summary>
    public bool PossessionVerifies(byte[] accountId, byte[] accountKey) =>
        EcdsaP256PublicKey.IsValidEncoding(EncryptionKey) &&
        EcdsaP256PublicKey.IsValidEncoding(RequestKey) &&
        EcdsaP256PublicKey.TryGetShared(SigningKey, out EcdsaP256PublicKey? key) &&
        key.Verify(PossessionToBeSigned(accountId, accountKey, DeviceId, SigningKey, EncryptionKey, RequestKey), Possession);

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFixed(DeviceId, IdSize);
        writer.WriteFixed(SigningKey, KeySize);
        writer.WriteFixed(EncryptionKey, KeySize);
        writer.WriteFixed(RequestKey, KeySize);
        writer.WriteFixed(Possession, SignatureSize);
    }

    /// <inheritdoc />
    public static Device Decode(ref TlsReader reader) => new(
        reader.ReadFixed(IdSize).ToArray(),
        reader.ReadFixed(KeySize).ToArray(),
        reader.ReadFixed(KeySize).ToArray(),
        reader.ReadFixed(KeySize).ToArray(),
        reader.ReadFixed(SignatureSize).ToArray());

    /// <summary>The encoded size.</summary>
    public const int EncodedSize = IdSize + (3 * KeySize) + SignatureSize;

    /// <inheritdoc />
    public bool Equals(Device? other) =>
        other is not null && DeviceId.AsSpan().SequenceEqual(other.DeviceId) && SigningKey.AsSpan().SequenceEqual(other.SigningKey) &&
        EncryptionKey.AsSpan().SequenceEqual(other.EncryptionKey) && RequestKey.AsSpan().SequenceEqual(other.RequestKey) &&
        Possession.AsSpan().SequenceEqual(other.Possession);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(DeviceId);
}
