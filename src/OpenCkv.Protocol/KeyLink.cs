using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>
/// One step of an account's key chain (docs/ckv-protocol.md §2.2): the previous account key's signature over the
/// next one, made when the account key rotates (a lost or stolen device removed). The record counter at the
/// rotation binds the link to a point in the account's history.
/// </summary>
public sealed record KeyLink(byte[] PreviousKey, byte[] NextKey, ulong Counter, byte[] Signature) : ITlsCodec<KeyLink>
{
    /// <summary>The encoded size.</summary>
    public const int EncodedSize = (2 * Device.KeySize) + 8 + Device.SignatureSize;

    /// <summary>The bytes the previous key signs: context, account id, previous key, next key, counter.</summary>
    public static byte[] ToBeSigned(byte[] accountId, byte[] previousKey, byte[] nextKey, ulong counter)
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.KeyRotation), byte.MaxValue);
        writer.WriteFixed(accountId, HandleRecord.AccountIdSize);
        writer.WriteFixed(previousKey, Device.KeySize);
        writer.WriteFixed(nextKey, Device.KeySize);
        writer.WriteUInt64(counter);
        return writer.ToArray();
    }

    /// <summary>The link from <paramref name="previous"/> to <paramref name="nextKey"/>, signed by the previous key.</summary>
    public static KeyLink Create(byte[] accountId, EcdsaP256PrivateKey previous, byte[] nextKey, ulong counter)
    {
        ArgumentNullException.ThrowIfNull(previous);
        byte[] previousKey = previous.PublicKey.Encoded.ToArray();
        return new KeyLink(previousKey, nextKey, counter, previous.Sign(ToBeSigned(accountId, previousKey, nextKey, counter)));
    }

    /// <summary>True when the previous key's signature verifies for this account.</summary>
    public bool Verifies(byte[] accountId) =>
        EcdsaP256PublicKey.IsValidEncoding(NextKey) &&
        EcdsaP256PublicKey.TryGetShared(PreviousKey, out EcdsaP256PublicKey? key) &&
        key.Verify(ToBeSigned(accountId, PreviousKey, NextKey, Counter), Signature);

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFixed(PreviousKey, Device.KeySize);
        writer.WriteFixed(NextKey, Device.KeySize);
        writer.WriteUInt64(Counter);
        writer.WriteFixed(Signature, Device.SignatureSize);
    }

    /// <inheritdoc />
    public static KeyLink Decode(ref TlsReader reader) => new(
        reader.ReadFixed(Device.KeySize).ToArray(),
        reader.ReadFixed(Device.KeySize).ToArray(),
        reader.ReadUInt64(),
        reader.ReadFixed(Device.SignatureSize).ToArray());

    /// <inheritdoc />
    public bool Equals(KeyLink? other) =>
        other is not null && PreviousKey.AsSpan().SequenceEqual(other.PreviousKey) && NextKey.AsSpan().SequenceEqual(other.NextKey) &&
        Counter == other.Counter && Signature.AsSpan().SequenceEqual(other.Signature);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Counter, PreviousKey.Length);
}
