using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>What a handle record says about contact key verification (docs/ckv-protocol.md §2.1).</summary>
public enum CkvState : byte
{
    /// <summary>The account has CKV off: a signed opt-out.</summary>
    Off = 0,

    /// <summary>The account has CKV on.</summary>
    On = 1,

    /// <summary>The handle was removed from the account: a signed tombstone, with no devices.</summary>
    Removed = 2,
}

/// <summary>
/// The value the log maps a handle to (DESIGN §4, docs/ckv-protocol.md §2): the label it is served under and
/// the KT version it is meant to be, the account, a record counter that only grows and the hash of the previous
/// record, the CKV state, the account key with its chain of cross-signatures, and the devices. The whole content
/// is signed by the account key (<see cref="Signature"/>), so the server can neither replay, move, trim nor flip it.
/// </summary>
public sealed record HandleRecord(
    ushort FormatVersion,
    byte[] Label,
    uint Version,
    byte[] AccountId,
    ulong Counter,
    byte[] PreviousRecordHash,
    CkvState State,
    byte[] AccountKey,
    IReadOnlyList<KeyLink> Chain,
    IReadOnlyList<Device> Devices,
    byte[] Signature) : ITlsCodec<HandleRecord>
{
    /// <summary>The only format version this code writes and reads.</summary>
    public const ushort CurrentFormat = 1;

    /// <summary>The length of an account id.</summary>
    public const int AccountIdSize = 16;

    /// <summary>At most this many devices per record.</summary>
    public const int MaxDevices = 64;

    /// <summary>At most this many links in a key chain.</summary>
    public const int MaxChain = 1024;

    /// <summary>
    /// The signed bytes (§2.1): the context string, then every field of the record except the signature, in order.
    /// </summary>
    public byte[] ToBeSigned()
    {
        var writer = new TlsWriter();
        writer.WriteOpaque(Contexts.Bytes(Contexts.HandleRecord), byte.MaxValue);
        WriteContent(writer);
        return writer.ToArray();
    }

    /// <summary>This record signed by <paramref name="accountKey"/>, whose public key must be <see cref="AccountKey"/>.</summary>
    public HandleRecord SignedBy(EcdsaP256PrivateKey accountKey)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        if (!accountKey.PublicKey.Encoded.SequenceEqual(AccountKey))
        {
            throw new ArgumentException("The record names another account key.", nameof(accountKey));
        }

        return this with { Signature = accountKey.Sign(ToBeSigned()) };
    }

    /// <summary>SHA-256 of the whole encoded record: what the next record's <see cref="PreviousRecordHash"/> holds.</summary>
    public byte[] Hash() => SHA256.HashData(TlsCodec.Encode(this));

    /// <inheritdoc />
    public void Encode(TlsWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteContent(writer);
        writer.WriteFixed(Signature, Device.SignatureSize);
    }

    private void WriteContent(TlsWriter writer)
    {
        writer.WriteUInt16(FormatVersion);
        writer.WriteOpaque(Label, byte.MaxValue, 1);
        writer.WriteUInt32(Version);
        writer.WriteFixed(AccountId, AccountIdSize);
        writer.WriteUInt64(Counter);
        writer.WriteFixed(PreviousRecordHash, 32);
        writer.WriteUInt8((byte)State);
        writer.WriteFixed(AccountKey, Device.KeySize);
        writer.WriteVector(Chain, MaxChain);
        writer.WriteVector(Devices, MaxDevices);
    }

    /// <inheritdoc />
    /// <remarks>Strict: an unknown format version or state, a chain or device list beyond its limit, or any other
    /// malformation is a <see cref="KtFormatException"/>.</remarks>
    public static HandleRecord Decode(ref TlsReader reader)
    {
        ushort format = reader.ReadEnum16(v => v == CurrentFormat, "HandleRecord.format_version");
        byte[] label = reader.ReadOpaque(byte.MaxValue, 1).ToArray();
        uint version = reader.ReadUInt32();
        byte[] accountId = reader.ReadFixed(AccountIdSize).ToArray();
        ulong counter = reader.ReadUInt64();
        byte[] previous = reader.ReadFixed(32).ToArray();
        var state = (CkvState)reader.ReadEnum8(v => v <= (byte)CkvState.Removed, nameof(CkvState));
        byte[] accountKey = reader.ReadFixed(Device.KeySize).ToArray();
        KeyLink[] chain = reader.ReadVector<KeyLink>(MaxChain, minElementSize: KeyLink.EncodedSize);
        Device[] devices = reader.ReadVector<Device>(MaxDevices, minElementSize: Device.EncodedSize);
        byte[] signature = reader.ReadFixed(Device.SignatureSize).ToArray();
        return new HandleRecord(format, label, version, accountId, counter, previous, state, accountKey, chain, devices, signature);
    }

    /// <inheritdoc />
    public bool Equals(HandleRecord? other) => other is not null && TlsCodec.Encode(this).AsSpan().SequenceEqual(TlsCodec.Encode(other));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Counter, Version);
}
