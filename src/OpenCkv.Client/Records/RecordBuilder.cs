using System.Text;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Records;

/// <summary>
/// Builds the records a device signs with the account key (docs/ckv-protocol.md §2): a handle's first record, and
/// each next record, which continues the succession (next version, next counter, the previous record's hash).
/// </summary>
public static class RecordBuilder
{
    /// <summary>The first record of a handle: version 0, counter 1, CKV off, an empty chain.</summary>
    public static HandleRecord First(string label, byte[] accountId, EcdsaP256PrivateKey accountKey, IReadOnlyList<Device> devices)
    {
        ArgumentNullException.ThrowIfNull(accountKey);
        var record = new HandleRecord(
            HandleRecord.CurrentFormat,
            Encoding.UTF8.GetBytes(label),
            0,
            accountId,
            1,
            new byte[32],
            CkvState.Off,
            accountKey.PublicKey.Encoded.ToArray(),
            [],
            devices,
            []);
        return record.SignedBy(accountKey);
    }

    /// <summary>
    /// The record after <paramref name="previous"/> with the given changes, counted from the account's counter
    /// <paramref name="counter"/> (one counter for all of an account's handles, §2.4), signed by
    /// <paramref name="accountKey"/> (whose public key must be the record's account key).
    /// </summary>
    public static HandleRecord Next(
        HandleRecord previous,
        ulong counter,
        EcdsaP256PrivateKey accountKey,
        CkvState? state = null,
        IReadOnlyList<Device>? devices = null,
        IReadOnlyList<KeyLink>? chain = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(accountKey);
        HandleRecord next = previous with
        {
            Version = checked(previous.Version + 1),
            Counter = counter,
            PreviousRecordHash = previous.Hash(),
            State = state ?? previous.State,
            AccountKey = accountKey.PublicKey.Encoded.ToArray(),
            Chain = chain ?? previous.Chain,
            Devices = devices ?? previous.Devices,
            Signature = [],
        };
        return next.SignedBy(accountKey);
    }
}
