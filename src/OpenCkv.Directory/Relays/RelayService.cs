using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Storage;

namespace OpenCkv.Directory.Relays;

/// <summary>
/// The server's relays (DESIGN §2): device mailboxes — ciphertext only, addressed to signed-in devices, deleted on
/// acknowledgement, bounded per device and per sending account — and keychain blobs between devices of one account, whose versions only
/// grow per sender and recipient. The server cannot read either; the devices check signatures and versions
/// themselves (docs/ckv-protocol.md §6).
/// </summary>
public sealed class RelayService(DirectoryService directory, IRelayStore relays, TimeProvider time)
{
    /// <summary>The largest message body.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The most messages waiting for one device.</summary>
    public const int MaxMailbox = 1_000;

    /// <summary>
    /// The most messages waiting for one device from one account (its devices together): one sender alone fills a
    /// fifth of a mailbox at most, so the others can still reach the device.
    /// </summary>
    public const int MaxFromOneSender = MaxMailbox / 5;

    /// <summary>The most recipients of one send (a person's devices and the sender's own others).</summary>
    public const int MaxRecipients = 2 * Protocol.HandleRecord.MaxDevices;

    /// <summary>The largest keychain blob.</summary>
    public const int MaxBlobBytes = 256 * 1024;

    /// <summary>The most blobs waiting for one device (a keychain needs one per sender, a join one more).</summary>
    public const int MaxWaitingBlobs = 64;

    /// <summary>Queues one ciphertext per recipient device, all or none.</summary>
    public IReadOnlyList<long> Send(byte[] senderAccount, byte[] senderDevice, IReadOnlyList<(byte[] RecipientDevice, byte[] Body)> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count is 0 or > MaxRecipients)
        {
            throw new DirectoryException(DirectoryError.Malformed, $"A send has 1 to {MaxRecipients} recipients.");
        }

        ulong now = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        var queued = new List<RelayMessage>(messages.Count);
        foreach ((byte[] recipient, byte[] body) in messages)
        {
            if (body.Length is 0 or > MaxMessageBytes)
            {
                throw new DirectoryException(DirectoryError.Malformed, $"A message body is 1 to {MaxMessageBytes} bytes.");
            }

            if (!SignedIn(recipient))
            {
                throw new DirectoryException(DirectoryError.NotFound, $"No signed-in device {Convert.ToHexStringLower(recipient)}.");
            }

            if (relays.CountMessages(recipient) >= MaxMailbox)
            {
                throw new DirectoryException(DirectoryError.MailboxFull, $"The mailbox of device {Convert.ToHexStringLower(recipient)} is full.");
            }

            if (relays.CountMessagesFrom(recipient, senderAccount) >= MaxFromOneSender)
            {
                throw new DirectoryException(
                    DirectoryError.MailboxFull, $"Device {Convert.ToHexStringLower(recipient)} has {MaxFromOneSender} messages from this account waiting; send again once it fetched them.");
            }

            queued.Add(new RelayMessage(0, senderAccount, senderDevice, recipient, now, body));
        }

        return relays.PutMessages(queued);
    }

    /// <summary>The oldest messages waiting for the device.</summary>
    public IReadOnlyList<RelayMessage> Inbox(byte[] deviceId, int max) => relays.Messages(deviceId, Math.Clamp(max, 1, 500));

    /// <summary>Deletes delivered messages.</summary>
    public int Acknowledge(byte[] deviceId, IReadOnlyList<long> ids) => relays.DeleteMessages(deviceId, ids);

    /// <summary>Stores a keychain blob for another signed-in device of the sender's account; versions only grow.</summary>
    public long PutBlob(byte[] accountId, byte[] senderDevice, byte[] recipientDevice, ulong version, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Length is 0 or > MaxBlobBytes)
        {
            throw new DirectoryException(DirectoryError.Malformed, $"A keychain blob is 1 to {MaxBlobBytes} bytes.");
        }

        AccountView? view = directory.View(accountId);
        if (view?.RequestKeyOf(recipientDevice) is null || recipientDevice.AsSpan().SequenceEqual(senderDevice))
        {
            throw new DirectoryException(DirectoryError.NotFound, "The recipient is not another signed-in device of this account.");
        }

        if (relays.CountBlobs(recipientDevice) >= MaxWaitingBlobs)
        {
            throw new DirectoryException(DirectoryError.MailboxFull, "The recipient has too many keychain blobs waiting.");
        }

        if (relays.LatestBlobVersion(senderDevice, recipientDevice) is { } latest && version <= latest)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, $"Blob version {version} is not above {latest}.");
        }

        return relays.PutBlob(new KeychainBlob(0, accountId, senderDevice, recipientDevice, version, (ulong)time.GetUtcNow().ToUnixTimeMilliseconds(), body));
    }

    /// <summary>The blobs waiting for the device.</summary>
    public IReadOnlyList<KeychainBlob> Blobs(byte[] deviceId) => relays.Blobs(deviceId);

    /// <summary>Deletes a delivered blob.</summary>
    public bool AcknowledgeBlob(byte[] deviceId, long id) => relays.DeleteBlob(deviceId, id);

    private bool SignedIn(byte[] deviceId) =>
        directory.DeviceAccount(deviceId) is { } account && directory.View(account)?.RequestKeyOf(deviceId) is not null;
}
