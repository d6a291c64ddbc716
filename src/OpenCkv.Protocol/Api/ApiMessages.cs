namespace OpenCkv.Protocol.Api;

// The JSON bodies of the directory server's HTTP API (docs/ckv-protocol.md §8). Ids are lower-case hex, records
// and keys base64; KEYTRANS messages do not appear here: they travel in their TLS encoding.

/// <summary>Asks for a one-time code to be sent to a handle.</summary>
public sealed record HandleCodeRequest(string Handle);

/// <summary>The label the code was sent for.</summary>
public sealed record HandleCodeResponse(string Label);

/// <summary>What a device reports about itself (never published in the log).</summary>
/// <param name="Name">A name the person recognises.</param>
/// <param name="Platform">phone, tablet, watch, desktop or headset.</param>
/// <param name="SoftwareVersion">The platform software version, dotted ("17.2").</param>
/// <param name="ProtocolVersion">The OpenCKV protocol version the device speaks.</param>
/// <param name="Passcode">Whether a passcode is set.</param>
/// <param name="Keychain">Whether keychain sync is on.</param>
public sealed record DeviceFactsMessage(string Name, string Platform, string SoftwareVersion, int ProtocolVersion, bool Passcode, bool Keychain);

/// <summary>Creates an account: the handle's code, the first device's facts and the handle's first record.</summary>
public sealed record RegisterRequest(string Handle, string Code, DeviceFactsMessage Device, string Record);

/// <summary>Where a change landed: the log entry, and each handle's new version.</summary>
public sealed record ChangeReceiptMessage(ulong Position, IReadOnlyDictionary<string, uint> Versions);

/// <summary>The new account.</summary>
public sealed record RegisterResponse(string AccountId, string DeviceId, string Label, ChangeReceiptMessage Receipt);

/// <summary>A session token and when it expires.</summary>
public sealed record SessionResponse(string Token, DateTimeOffset Expires);

/// <summary>One handle of an account and its newest record's version and state (off, on, removed).</summary>
public sealed record HandleMessage(string Label, uint Version, string State);

/// <summary>One signed-in device.</summary>
public sealed record DeviceMessage(string DeviceId, DeviceFactsMessage Facts, ulong RegisteredMs);

/// <summary>The account as it stands.</summary>
public sealed record AccountMessage(
    string AccountId,
    bool Managed,
    bool TwoFactor,
    string CkvState,
    ulong Counter,
    IReadOnlyList<HandleMessage> Handles,
    IReadOnlyList<DeviceMessage> Devices);

/// <summary>One reason CKV cannot be turned on, and the way out.</summary>
public sealed record BlockerMessage(string Reason, string? DeviceId, string? DeviceName, string WayOut);

/// <summary>Whether CKV can be turned on, and every blocker.</summary>
public sealed record RequirementsMessage(bool CanEnable, IReadOnlyList<BlockerMessage> Blockers);

/// <summary>
/// A change to the account: the transition (ckv-on, ckv-off, device-signed-out, device-removed-as-lost,
/// handle-removed) and the new record of every live handle (base64), each signed by the account key.
/// </summary>
public sealed record ChangeRequest(string Transition, IReadOnlyList<string> Records, string? JoinId = null);

/// <summary>A new second-factor secret (base32) and its otpauth:// URI.</summary>
public sealed record TwoFactorEnrollment(string Secret, string Uri);

/// <summary>A current authenticator code.</summary>
public sealed record TwoFactorCode(string Code);

/// <summary>Reported device facts to replace the current ones.</summary>
public sealed record DeviceUpdateRequest(DeviceFactsMessage Facts);

/// <summary>One log entry as explorers see it.</summary>
public sealed record EntryMessage(ulong Position, ulong Timestamp, bool Distinguished, int NewVersions);

/// <summary>A page of log entries and where the next page starts (null at the end).</summary>
public sealed record EntriesPage(ulong TreeSize, IReadOnlyList<EntryMessage> Entries, ulong? Next);

/// <summary>One signed tree head: the size, the timestamp of its last entry and the signature (base64).</summary>
public sealed record HeadMessage(ulong TreeSize, ulong Timestamp, string Signature);

/// <summary>A page of tree heads.</summary>
public sealed record HeadsPage(IReadOnlyList<HeadMessage> Heads, ulong? Next);

/// <summary>The log's mode, configuration fingerprint (what clients pin) and current size.</summary>
public sealed record LogInfoMessage(string Mode, string ConfigurationFingerprint, ulong TreeSize, ulong LastTimestamp);

/// <summary>The server's health.</summary>
public sealed record HealthMessage(string Status, ulong TreeSize, string? Problem, string Role = "sequencer");

/// <summary>A dev server's last code for a handle.</summary>
public sealed record DevCodeMessage(string Label, string Code);

/// <summary>A dev server's clock, moved forward by <paramref name="AdvanceMs"/> milliseconds (0 reads it).</summary>
public sealed record DevClockRequest(long AdvanceMs);

/// <summary>A dev server's clock after the move, in milliseconds since the Unix epoch.</summary>
public sealed record DevClockResponse(long NowMs);

/// <summary>
/// A malicious-server scenario for a dev server to play (docs/threat-model.md), on a handle when it needs one; a
/// second handle <paramref name="To"/> for the scenarios between two accounts, and for <c>retired-key</c> the
/// retired account key a stolen device held (<paramref name="Key"/>, its private scalar in hex).
/// </summary>
public sealed record DevMisbehaveRequest(string Scenario, string? Handle = null, string? To = null, string? Key = null);

/// <summary>
/// What the attacker got out of a dev server's scenarios so far: the messages it could open with the keys it made
/// (<paramref name="ReadableMessages"/>, their texts in <paramref name="ReadTexts"/>), and the scenarios still playing.
/// </summary>
public sealed record DevAttackReport(int ReadableMessages, IReadOnlyList<string> ReadTexts, IReadOnlyList<string> Playing);

/// <summary>What a scenario did: for <c>inject-device</c>, the label, the forged version and the injected device's id (hex).</summary>
public sealed record DevMisbehaveResponse(string Scenario, string? Label = null, uint? Version = null, string? DeviceId = null);

/// <summary>
/// A new device asks to join an account: the handle's code, the account's second factor (when it has one), its
/// facts, and its id and public keys (base64, SEC1 uncompressed) as its record entry will carry them.
/// </summary>
public sealed record JoinStartRequest(
    string Handle,
    string Code,
    string? SecondFactor,
    DeviceFactsMessage Device,
    string DeviceId,
    string SigningKey,
    string EncryptionKey,
    string RequestKey);

/// <summary>The join request's id, the token the joining device uses on the join channel, and the account.</summary>
public sealed record JoinStartResponse(string JoinId, string Token, string AccountId);

/// <summary>One message of a join exchange.</summary>
public sealed record JoinMessageItem(long Sequence, bool FromJoiner, string Body);

/// <summary>A join request as either side sees it, with the exchange so far.</summary>
public sealed record JoinView(
    string JoinId,
    string AccountId,
    string State,
    string DeviceId,
    DeviceFactsMessage Device,
    string SigningKey,
    string EncryptionKey,
    string RequestKey,
    ulong CreatedMs,
    IReadOnlyList<JoinMessageItem> Messages);

/// <summary>The account's waiting join requests.</summary>
public sealed record JoinList(IReadOnlyList<JoinView> Joins);

/// <summary>A message of the join exchange (base64).</summary>
public sealed record JoinPost(string Body);

/// <summary>
/// An account reset (all devices lost): the handle's code, the second factor, the new device's facts and the new
/// record of every live handle (new account key, empty chain, the new device alone).
/// </summary>
public sealed record ResetRequest(string Handle, string Code, string? SecondFactor, DeviceFactsMessage Device, IReadOnlyList<string> Records);

/// <summary>Before a reset: the handle and its one-time code (checked, not spent).</summary>
public sealed record ResetPrepareRequest(string Handle, string Code);

/// <summary>The account holding the handle and the newest record of each of its live handles (base64), to continue from.</summary>
public sealed record ResetPrepareResponse(string AccountId, IReadOnlyList<string> Records);

/// <summary>Deleting an account: the tombstone of every live handle (base64).</summary>
public sealed record DeleteAccountRequest(IReadOnlyList<string> Records);

/// <summary>One ciphertext for one recipient device.</summary>
public sealed record OutgoingMessage(string RecipientDevice, string Body);

/// <summary>A send: one ciphertext per recipient device.</summary>
public sealed record SendRequest(IReadOnlyList<OutgoingMessage> Messages);

/// <summary>The ids of the queued messages, in request order.</summary>
public sealed record SendResponse(IReadOnlyList<long> Ids);

/// <summary>A message waiting in this device's mailbox.</summary>
public sealed record IncomingMessage(long Id, string SenderAccount, string SenderDevice, ulong ReceivedMs, string Body);

/// <summary>This device's waiting messages, oldest first.</summary>
public sealed record Inbox(IReadOnlyList<IncomingMessage> Messages);

/// <summary>Messages delivered: delete them.</summary>
public sealed record AckRequest(IReadOnlyList<long> Ids);

/// <summary>A keychain blob for another device of this account (docs/ckv-protocol.md §6.3).</summary>
public sealed record BlobRequest(string RecipientDevice, ulong Version, string Body);

/// <summary>A keychain blob waiting for this device.</summary>
public sealed record BlobMessage(long Id, string SenderDevice, ulong Version, ulong ReceivedMs, string Body);

/// <summary>The keychain blobs waiting for this device.</summary>
public sealed record BlobList(IReadOnlyList<BlobMessage> Blobs);

/// <summary>The wire names of the transitions a device asks for.</summary>
public static class TransitionNames
{
    /// <summary>The wire name of a transition.</summary>
    public static string Name(Transition transition) => transition switch
    {
        Transition.First => "first",
        Transition.CkvOn => "ckv-on",
        Transition.CkvOff => "ckv-off",
        Transition.DeviceAdded => "device-added",
        Transition.DeviceSignedOut => "device-signed-out",
        Transition.DeviceRemovedAsLost => "device-removed-as-lost",
        Transition.HandleRemoved => "handle-removed",
        Transition.AccountReset => "account-reset",
        _ => throw new ArgumentOutOfRangeException(nameof(transition)),
    };

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? name, out Transition transition)
    {
        foreach (Transition candidate in Enum.GetValues<Transition>())
        {
            if (Name(candidate) == name)
            {
                transition = candidate;
                return true;
            }
        }

        transition = default;
        return false;
    }
}
