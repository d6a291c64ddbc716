using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol;

/// <summary>Why a handle record is not acceptable (docs/ckv-protocol.md §2.5). Codes are stable.</summary>
public enum RecordFailure
{
    /// <summary>The bytes are not a well-formed record of a known format.</summary>
    Malformed = 1,

    /// <summary>The record names another label or KT version than the one it was found under.</summary>
    WrongPlace,

    /// <summary>The account key's signature over the record does not verify.</summary>
    BadSignature,

    /// <summary>A link of the key chain does not verify, does not follow the previous one, or does not end at the account key.</summary>
    BrokenChain,

    /// <summary>A device's possession proof does not verify, or a device id repeats.</summary>
    BadDevice,

    /// <summary>The state and the device list disagree (a removed handle with devices, a live one without).</summary>
    InconsistentState,
}

/// <summary>A record refused, with which check failed and what it saw.</summary>
public sealed class RecordException(RecordFailure failure, string detail) : Exception($"{failure}: {detail}")
{
    /// <summary>Which check failed.</summary>
    public RecordFailure Failure { get; } = failure;
}

/// <summary>
/// The checks every reader of a handle record makes on the record alone (§2.5), before any comparison with what it
/// saw before: where it was found, the account key's signature, the key chain, each device's possession proof,
/// and that the state fits the device list.
/// </summary>
public static class RecordCheck
{
    /// <summary>Decodes <paramref name="value"/>, found at <paramref name="label"/> version <paramref name="version"/>, and checks it.</summary>
    /// <exception cref="RecordException">The record fails a check.</exception>
    public static HandleRecord Verify(byte[] value, byte[] label, uint version) => Verify(value, label, version, checkedBefore: null);

    /// <summary>
    /// As <see cref="Verify(byte[], byte[], uint)"/>, taking as proven the device entries that
    /// <paramref name="checkedBefore"/> — a record of the same account that passed these checks — carries byte for
    /// byte, under the same account key: a possession proof signs exactly those bytes with the account id and key
    /// (§2.3), so checking it again proves nothing new. Everything else is checked in full.
    /// </summary>
    /// <exception cref="RecordException">The record fails a check.</exception>
    public static HandleRecord Verify(byte[] value, byte[] label, uint version, HandleRecord? checkedBefore)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(label);
        HandleRecord record;
        try
        {
            record = TlsCodec.Decode<HandleRecord>(value);
        }
        catch (KtFormatException e)
        {
            throw new RecordException(RecordFailure.Malformed, e.Message);
        }

        if (!record.Label.AsSpan().SequenceEqual(label) || record.Version != version)
        {
            throw new RecordException(RecordFailure.WrongPlace, $"the record is for version {record.Version} of another or the same label, found at version {version}");
        }

        if (!EcdsaP256PublicKey.TryGetShared(record.AccountKey, out EcdsaP256PublicKey? accountKey) || !accountKey.Verify(record.ToBeSigned(), record.Signature))
        {
            throw new RecordException(RecordFailure.BadSignature, "the account key's signature does not verify");
        }

        CheckChain(record);
        CheckDevices(record, checkedBefore);
        return record;
    }

    /// <summary>The first account key of the chain (the key the account was created with, or last reset to).</summary>
    public static byte[] OriginKey(HandleRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Chain.Count > 0 ? record.Chain[0].PreviousKey : record.AccountKey;
    }

    private static void CheckChain(HandleRecord record)
    {
        for (int i = 0; i < record.Chain.Count; i++)
        {
            KeyLink link = record.Chain[i];
            bool follows = i == 0 || (link.PreviousKey.AsSpan().SequenceEqual(record.Chain[i - 1].NextKey) && link.Counter >= record.Chain[i - 1].Counter);
            if (!follows || !link.Verifies(record.AccountId) || link.Counter > record.Counter)
            {
                throw new RecordException(RecordFailure.BrokenChain, $"link {i} does not verify or does not follow link {i - 1}");
            }
        }

        if (record.Chain.Count > 0 && !record.Chain[^1].NextKey.AsSpan().SequenceEqual(record.AccountKey))
        {
            throw new RecordException(RecordFailure.BrokenChain, "the chain does not end at the account key");
        }
    }

    private static void CheckDevices(HandleRecord record, HandleRecord? checkedBefore)
    {
        bool sameKeys = checkedBefore is not null &&
            checkedBefore.AccountId.AsSpan().SequenceEqual(record.AccountId) &&
            checkedBefore.AccountKey.AsSpan().SequenceEqual(record.AccountKey);
        var ids = new HashSet<string>();
        foreach (Device device in record.Devices)
        {
            bool proven = sameKeys && checkedBefore!.Devices.Any(d => SameEntry(d, device));
            if (!ids.Add(Convert.ToHexString(device.DeviceId)) || (!proven && !device.PossessionVerifies(record.AccountId, record.AccountKey)))
            {
                throw new RecordException(RecordFailure.BadDevice, $"device {Convert.ToHexString(device.DeviceId)} repeats or its possession proof does not verify");
            }
        }

        bool removed = record.State == CkvState.Removed;
        if (removed != (record.Devices.Count == 0))
        {
            throw new RecordException(RecordFailure.InconsistentState, $"a {record.State} record with {record.Devices.Count} devices");
        }
    }

    private static bool SameEntry(Device a, Device b) =>
        a.DeviceId.AsSpan().SequenceEqual(b.DeviceId) && a.SigningKey.AsSpan().SequenceEqual(b.SigningKey) &&
        a.EncryptionKey.AsSpan().SequenceEqual(b.EncryptionKey) && a.RequestKey.AsSpan().SequenceEqual(b.RequestKey) &&
        a.Possession.AsSpan().SequenceEqual(b.Possession);
}
