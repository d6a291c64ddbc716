using OpenCkv.Directory.Devices;

namespace OpenCkv.Directory.Storage;

/// <summary>A ciphertext waiting in a device's mailbox; the server never sees inside it.</summary>
public sealed record RelayMessage(long Id, byte[] SenderAccount, byte[] SenderDevice, byte[] RecipientDevice, ulong ReceivedMs, byte[] Body);

/// <summary>An end-to-end encrypted keychain blob from one device of an account to another (docs/ckv-protocol.md §6.3).</summary>
public sealed record KeychainBlob(long Id, byte[] AccountId, byte[] SenderDevice, byte[] RecipientDevice, ulong Version, ulong ReceivedMs, byte[] Body);

/// <summary>Where a join request stands.</summary>
public enum JoinState
{
    /// <summary>Waiting for a signed-in device to run the exchange and approve.</summary>
    Pending,

    /// <summary>Approved: the record with the new device is published.</summary>
    Approved,

    /// <summary>Refused by a signed-in device.</summary>
    Refused,
}

/// <summary>
/// A device asking to join an account's keychain circle (docs/ckv-protocol.md §6.2): its facts and the keys of its
/// record entry, the hash of the token it uses on the join channel, and the state.
/// </summary>
public sealed record JoinRequest(
    byte[] JoinId,
    byte[] AccountId,
    DirectoryDevice Device,
    byte[] SigningKey,
    byte[] EncryptionKey,
    byte[] TokenHash,
    ulong CreatedMs,
    JoinState State);

/// <summary>One message of a join exchange, from the joining or the approving side.</summary>
public sealed record JoinMessage(long Sequence, bool FromJoiner, byte[] Body);

/// <summary>
/// The relays' rows: device mailboxes (ciphertext only, deleted on acknowledgement), keychain blobs, and join
/// requests with their exchange. Every method is one transaction.
/// </summary>
public interface IRelayStore
{
    /// <summary>Queues messages, all or none; returns their ids.</summary>
    IReadOnlyList<long> PutMessages(IReadOnlyList<RelayMessage> messages);

    /// <summary>The oldest messages waiting for a device, at most <paramref name="max"/>.</summary>
    IReadOnlyList<RelayMessage> Messages(byte[] deviceId, int max);

    /// <summary>How many messages wait for a device.</summary>
    int CountMessages(byte[] deviceId);

    /// <summary>How many messages wait for the device from devices of <paramref name="senderAccount"/>.</summary>
    int CountMessagesFrom(byte[] deviceId, byte[] senderAccount);

    /// <summary>Deletes the device's messages with these ids; returns how many were deleted.</summary>
    int DeleteMessages(byte[] deviceId, IReadOnlyList<long> ids);

    /// <summary>Stores a blob; returns its id.</summary>
    long PutBlob(KeychainBlob blob);

    /// <summary>The blobs waiting for a device.</summary>
    IReadOnlyList<KeychainBlob> Blobs(byte[] deviceId);

    /// <summary>How many blobs wait for a device.</summary>
    int CountBlobs(byte[] deviceId);

    /// <summary>The highest blob version ever stored from a sender to a recipient, or null.</summary>
    ulong? LatestBlobVersion(byte[] senderDevice, byte[] recipientDevice);

    /// <summary>Deletes one of the device's blobs.</summary>
    bool DeleteBlob(byte[] deviceId, long id);

    /// <summary>Stores a new join request.</summary>
    void PutJoin(JoinRequest join);

    /// <summary>The join request, or null.</summary>
    JoinRequest? Join(byte[] joinId);

    /// <summary>The account's pending join requests, oldest first.</summary>
    IReadOnlyList<JoinRequest> PendingJoins(byte[] accountId);

    /// <summary>Moves a pending join request to <paramref name="state"/>; false when it was not pending.</summary>
    bool SettleJoin(byte[] joinId, JoinState state);

    /// <summary>Adds a message to a join's exchange; returns its sequence number.</summary>
    long AddJoinMessage(byte[] joinId, bool fromJoiner, byte[] body);

    /// <summary>The join's exchange messages after <paramref name="afterSequence"/>.</summary>
    IReadOnlyList<JoinMessage> JoinMessages(byte[] joinId, long afterSequence);

    /// <summary>
    /// Deletes the join requests created before <paramref name="createdBeforeMs"/>, whatever their state, with their
    /// exchange messages; returns how many requests were deleted.
    /// </summary>
    int DeleteJoinsCreatedBefore(ulong createdBeforeMs);

    /// <summary>Deletes everything addressed to or from a device (it was signed out).</summary>
    void ForgetDevice(byte[] deviceId);
}
