using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>A device of the keychain circle as the circle lists it: its id and the name the person gave it.</summary>
public sealed record CircleMember(byte[] DeviceId, string Name) : ITlsCodec<CircleMember>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFixed(DeviceId, Device.IdSize);
        writer.WriteOpaque(System.Text.Encoding.UTF8.GetBytes(Name), byte.MaxValue, 1);
    }

    /// <inheritdoc />
    public static CircleMember Decode(ref TlsReader reader) =>
        new(reader.ReadFixed(Device.IdSize).ToArray(), KeychainPayload.Text(ref reader, byte.MaxValue));
}

/// <summary>A contact card as the keychain syncs it: name, handle label, saved public code (empty: none).</summary>
public sealed record ContactCard(string Name, string Label, string Code) : ITlsCodec<ContactCard>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteOpaque(System.Text.Encoding.UTF8.GetBytes(Name), byte.MaxValue, 1);
        writer.WriteOpaque(System.Text.Encoding.UTF8.GetBytes(Label), byte.MaxValue, 1);
        writer.WriteOpaque(System.Text.Encoding.UTF8.GetBytes(Code), byte.MaxValue);
    }

    /// <inheritdoc />
    public static ContactCard Decode(ref TlsReader reader) =>
        new(KeychainPayload.Text(ref reader, byte.MaxValue, 1), KeychainPayload.Text(ref reader, byte.MaxValue, 1), KeychainPayload.Text(ref reader, byte.MaxValue));
}

/// <summary>
/// What a keychain blob seals (docs/ckv-protocol.md §6.3): the circle's secrets and what it syncs.
/// <code>
/// struct {
///   opaque account_private_key[32];   // the account key's scalar
///   CircleMember circle&lt;1..2^16-1&gt;;    // the devices of the keychain circle
///   ContactCard contacts&lt;0..2^24-1&gt;;   // the contact book with saved codes
/// } KeychainPayload;
/// </code>
/// </summary>
public sealed record KeychainPayload(byte[] AccountPrivateKey, IReadOnlyList<CircleMember> Circle, IReadOnlyList<ContactCard> Contacts) : ITlsCodec<KeychainPayload>
{
    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFixed(AccountPrivateKey, 32);
        writer.WriteVector(Circle, ushort.MaxValue, 1);
        writer.WriteVector(Contacts, (1UL << 24) - 1);
    }

    /// <inheritdoc />
    public static KeychainPayload Decode(ref TlsReader reader) => new(
        reader.ReadFixed(32).ToArray(),
        reader.ReadVector<CircleMember>(ushort.MaxValue, 1, Device.IdSize + 2),
        reader.ReadVector<ContactCard>((1UL << 24) - 1, 0, 5));

    internal static string Text(ref TlsReader reader, ulong ceiling, ulong floor = 0)
    {
        ReadOnlySpan<byte> bytes = reader.ReadOpaque(ceiling, floor);
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw reader.Fail("text that is not UTF-8");
        }
    }
}

/// <summary>
/// A keychain blob on the relay (docs/ckv-protocol.md §6.3):
/// <code>
/// struct { opaque enc[65]; opaque ciphertext&lt;17..2^24-1&gt;; opaque signature[64]; } SealedBlob;
/// </code>
/// HPKE-sealed <see cref="KeychainPayload"/> to the recipient's encryption key, with
/// <see cref="SignedEnvelopes.KeychainBlobAssociatedData"/> as associated data; the sender's signing key signs
/// <see cref="SignedEnvelopes.KeychainBlobToBeSigned"/> over the same data and the HPKE ciphertext (enc ‖ ciphertext).
/// </summary>
public sealed record SealedBlob(byte[] Enc, byte[] Ciphertext, byte[] Signature) : ITlsCodec<SealedBlob>
{
    /// <summary>The HPKE ciphertext the signature covers.</summary>
    public byte[] SignedCiphertext() => [.. Enc, .. Ciphertext];

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteFixed(Enc, Device.KeySize);
        writer.WriteOpaque(Ciphertext, (1UL << 24) - 1, 17);
        writer.WriteFixed(Signature, Device.SignatureSize);
    }

    /// <inheritdoc />
    public static SealedBlob Decode(ref TlsReader reader) =>
        new(reader.ReadFixed(Device.KeySize).ToArray(), reader.ReadOpaque((1UL << 24) - 1, 17).ToArray(), reader.ReadFixed(Device.SignatureSize).ToArray());
}
