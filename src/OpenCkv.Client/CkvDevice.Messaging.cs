using System.Text;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.Client.Profiles;
using OpenCkv.Crypto.Hpke;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

/// <summary>A message shown in a conversation.</summary>
/// <param name="Label">The contact's handle (the conversation).</param>
/// <param name="Outgoing">Whether this account sent it (from this or another of its devices).</param>
/// <param name="Text">The text.</param>
/// <param name="Device">The sending device's id, hex.</param>
public sealed record ChatMessage(string Label, bool Outgoing, string Text, string Device);

/// <summary>What a mailbox fetch did: the messages accepted, and how many were refused or were replays.</summary>
public sealed record ReceiveReport(IReadOnlyList<ChatMessage> Accepted, int Refused, int Duplicates);

/// <summary>Where a message went: the recipient devices, by whose they are.</summary>
/// <param name="ContactDevices">The contact's devices it was sealed for.</param>
/// <param name="OwnDevices">This account's other devices it was sealed for.</param>
/// <param name="Counter">The highest message counter it went under (each recipient device has its own sequence).</param>
public sealed record SendReport(int ContactDevices, int OwnDevices, ulong Counter);

public sealed partial class CkvDevice
{
    private static readonly byte[] MessageInfo = Encoding.ASCII.GetBytes(Contexts.Message);

    /// <summary>How many earlier versions of a sender's record a message from a device its newest one does not list may look at.</summary>
    private const uint HistoryLookups = 16;

    /// <summary>
    /// Sends <paramref name="text"/> to a saved contact (DESIGN §6): the contact's handle is verified first, and the
    /// message is sealed (HPKE, docs/ckv-protocol.md §6.1) and signed for each device of the record that passed —
    /// and for this account's own other devices that the keychain circle lists. Nothing is sent when the latest
    /// check of the contact did not pass: no key of a record that failed ever gets a message.
    /// </summary>
    /// <exception cref="CkvException"><c>not-verified</c> when the contact's record did not pass, or the server's refusal.</exception>
    public async Task<SendReport> SendAsync(string name, string text, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ContactEntry contact = Contact(name);
        HandleRecord theirs = await VerifiedForSendingAsync(contact, cancellation).ConfigureAwait(false);
        byte[] gossip = await GossipForMessageAsync(always: false, cancellation).ConfigureAwait(false);
        (int contactDevices, int ownDevices, ulong counter) = await SendContentAsync(
            theirs, new MessageContent(MessageContent.TextKind, Encoding.UTF8.GetBytes(text), gossip), toOwnDevices: true, cancellation).ConfigureAwait(false);
        _db.AddMessage(NowMs, outgoing: true, contact.Label, text, Convert.ToHexStringLower(DeviceId));
        return new SendReport(contactDevices, ownDevices, counter);
    }

    /// <summary>The contact's record, when it passed automatic verification now and no warning about it is waiting.</summary>
    private async Task<HandleRecord> VerifiedForSendingAsync(ContactEntry contact, CancellationToken cancellation)
    {
        HandleCheck check = await CheckHandleAsync(contact.Label, cancellation).ConfigureAwait(false);
        if (!check.Usable || check.Pin!.Record.State == CkvState.Removed)
        {
            string why = check.Findings.Count > 0 ? string.Join("; ", check.Findings.Select(f => f.Code)) : check.Reachable ? "its record did not pass" : "the log cannot be reached";
            throw new CkvException("not-verified", $"Nothing was sent: {contact.Name}'s keys could not be verified ({why}).");
        }

        // A sticky warning blocks sending until the person acknowledged it or re-verified the contact: a key the
        // pin took over with a warning (an uncross-signed change) is not trusted by being seen twice.
        string[] warnings = _db.Alerts(unacknowledgedOnly: true).Where(a => a.Label == contact.Label && a.Severity == AlertSeverity.Warning).Select(a => a.Code).Distinct().ToArray();
        if (warnings.Length > 0)
        {
            throw new CkvException("not-verified", $"Nothing was sent: {contact.Name} has warnings ({string.Join(", ", warnings)}); look at them with `ckv alerts` first.");
        }

        return check.Pin.Record;
    }

    /// <summary>
    /// Seals and signs <paramref name="content"/> for each device of <paramref name="theirs"/> (and this account's other
    /// circle devices of its own record), and queues it. When the server refuses because one of this account's own
    /// devices is no longer signed in — signed out from another device since this one last checked its own record —
    /// the own record is checked and the message sealed again, once.
    /// </summary>
    private async Task<(int ContactDevices, int OwnDevices, ulong Counter)> SendContentAsync(HandleRecord theirs, MessageContent content, bool toOwnDevices, CancellationToken cancellation)
    {
        byte[] conversation = SealedMessage.Conversation(AccountId, theirs.AccountId);
        byte[] plaintext = TlsCodec.Encode(content);
        byte[] ownLabel = Encoding.UTF8.GetBytes(Label);
        for (int attempt = 1; ; attempt++)
        {
            var circle = CircleIds();
            Device[] own = !toOwnDevices ? [] : _db.OwnRecords().Where(r => LabelOf(r) == Label).SelectMany(r => r.Devices)
                .Where(d => circle.Contains(Convert.ToHexStringLower(d.DeviceId)) && !d.DeviceId.AsSpan().SequenceEqual(DeviceId)).ToArray();
            var outgoing = new List<(byte[] RecipientDevice, byte[] Body)>();
            var counters = new List<(byte[] Device, ulong Counter)>();
            foreach ((byte[] account, Device device) in theirs.Devices.Select(d => (theirs.AccountId, d)).Concat(own.Select(d => (AccountId, d))))
            {
                // Each recipient device has its own sequence: a device that joined later starts at 1, so a jump is
                // always a message that device was sent and did not get (messages-missing), never one sent before it existed.
                ulong counter = _db.NextSendCounter(conversation, device.DeviceId);
                counters.Add((device.DeviceId, counter));
                byte[] aad = SignedEnvelopes.MessageAssociatedData(AccountId, DeviceId, account, device.DeviceId, conversation, counter);
                (byte[] enc, byte[] sealedBytes) = HpkeP256.Seal(device.EncryptionKey, MessageInfo, aad, plaintext);
                byte[] signature = _keys.Signing.Sign(SignedEnvelopes.MessageToBeSigned(AccountId, DeviceId, account, device.DeviceId, conversation, counter, [.. enc, .. sealedBytes]));
                outgoing.Add((device.DeviceId, TlsCodec.Encode(new SealedMessage(ownLabel, conversation, counter, enc, sealedBytes, signature))));
            }

            try
            {
                await Call(() => _api.SendAsync(Credentials, outgoing, cancellation)).ConfigureAwait(false);
                return (theirs.Devices.Count, own.Length, counters.Max(c => c.Counter));
            }
            catch (CkvException e) when (e.InnerException is DirectoryApiException { Status: >= System.Net.HttpStatusCode.BadRequest and < System.Net.HttpStatusCode.InternalServerError })
            {
                // The server refused the whole send and queued nothing: the counters are free again, or the next
                // message would look like one after a lost one. (After a failure of unknown outcome they stay used:
                // a reused counter would make a delivered message look like a replay.)
                _db.InTransaction(() =>
                {
                    foreach ((byte[] device, ulong counter) in counters)
                    {
                        _db.ReleaseSendCounter(conversation, device, counter);
                    }
                });
                if (attempt > 1 || own.Length == 0 || e.Code != "not-found")
                {
                    throw;
                }
            }

            IReadOnlyList<Verification.Finding> findings = await CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
            if (findings.Count > 0)
            {
                throw new CkvException(findings[0].Code, $"This account's own records do not check out, so nothing was sent: {findings[0].Detail}");
            }
        }
    }

    /// <summary>
    /// Fetches this device's mailbox and accepts each message only from a device of the sender's record that passed
    /// automatic verification now, with a valid signature over this device as recipient, a conversation of these
    /// two accounts, and a counter not seen before (a jump in counters is a notification, not a drop). Refused and
    /// accepted messages are acknowledged (deleted on the server); those whose sender could not be checked because
    /// the log was unreachable wait for the next fetch.
    /// </summary>
    public async Task<ReceiveReport> ReceiveAsync(CancellationToken cancellation = default)
    {
        Inbox inbox = await Call(() => _api.InboxAsync(Credentials, cancellation)).ConfigureAwait(false);
        var accepted = new List<ChatMessage>();
        var checks = new FetchChecks();
        var done = new List<long>();
        int refused = 0, duplicates = 0;
        foreach (IncomingMessage incoming in inbox.Messages)
        {
            (Outcome outcome, ChatMessage? message) = await AcceptAsync(incoming, checks, cancellation).ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Accepted:
                    accepted.Add(message!);
                    break;
                case Outcome.Duplicate:
                    duplicates++;
                    break;
                case Outcome.Refused:
                    refused++;
                    break;
                case Outcome.Later:
                    continue;
                case Outcome.Step:
                    break;
            }

            done.Add(incoming.Id);
        }

        if (done.Count > 0)
        {
            await Call(() => _api.AcknowledgeAsync(Credentials, done, cancellation)).ConfigureAwait(false);
        }

        return new ReceiveReport(accepted, refused, duplicates);
    }

    /// <summary>
    /// The messages received (by <see cref="ReceiveAsync"/>, or while a comparison waited for its steps) that were
    /// not handed out yet, oldest first; each is handed out once.
    /// </summary>
    public IReadOnlyList<ChatMessage> TakeNewMessages() =>
        _db.TakeUnshownMessages().Select(m => new ChatMessage(m.Label, m.Outgoing, m.Text, m.Device)).ToArray();

    /// <summary>The messages of the conversation with a contact, oldest first.</summary>
    public IReadOnlyList<ChatMessage> Conversation(string name)
    {
        ContactEntry contact = Contact(name);
        return _db.Messages(contact.Label).Select(m => new ChatMessage(contact.Label, m.Outgoing, m.Text, m.Device)).ToArray();
    }

    private async Task<(Outcome, ChatMessage?)> AcceptAsync(
        IncomingMessage incoming, FetchChecks checks, CancellationToken cancellation)
    {
        SealedMessage sealedMessage;
        byte[] senderAccount, senderDevice;
        try
        {
            senderAccount = Convert.FromHexString(incoming.SenderAccount);
            senderDevice = Convert.FromHexString(incoming.SenderDevice);
            sealedMessage = TlsCodec.Decode<SealedMessage>(Convert.FromBase64String(incoming.Body));
        }
        catch (Exception e) when (e is FormatException or KtFormatException)
        {
            return (Outcome.Refused, null);
        }

        string senderLabel = Encoding.UTF8.GetString(sealedMessage.SenderLabel);
        bool fromOwnAccount = senderAccount.AsSpan().SequenceEqual(AccountId);
        Device? device;
        string conversationLabel;
        if (fromOwnAccount)
        {
            // A copy of a message another device of this account sent: the sender must be in the circle, and the
            // conversation one with a contact this device verified.
            device = OwnCircleDevice(senderDevice);
            if (device is null && !checks.OwnRecords)
            {
                // Perhaps a device that joined since this one last checked its own record: check it (and take the
                // keychain that names the new device), once a fetch, and look again.
                checks.OwnRecords = true;
                await CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
                device = OwnCircleDevice(senderDevice);
            }

            conversationLabel = VerifiedConversation(sealedMessage.ConversationId);
            if (conversationLabel.Length == 0 && device is not null)
            {
                // Most often a contact this device holds but has not verified yet (it joined a moment ago): verify
                // the contacts it holds no pin for, once a fetch, and look again.
                foreach (string label in _db.Contacts().Select(c => c.Label).Distinct(StringComparer.Ordinal).Where(l => !checks.Handles.ContainsKey(l) && _db.Pin(l) is null).ToArray())
                {
                    checks.Handles[label] = (null, await CheckHandleAsync(label, cancellation).ConfigureAwait(false));
                }

                conversationLabel = VerifiedConversation(sealedMessage.ConversationId);
            }
        }
        else if (_db.OwnRecords().Any(r => LabelOf(r) == senderLabel))
        {
            // This account's own handle named as the sender of a message from another account: a message of ours
            // reflected back, or one the server wrote. No device of ours sends that; tell the person.
            string? claimed = _db.Contacts().Select(c => _db.Pin(c.Label)).FirstOrDefault(p => p is not null && p.Record.AccountId.AsSpan().SequenceEqual(senderAccount))?.Label;
            _db.Raise(NowMs, AlertCode.UnverifiedSender, claimed, $"a message from device {incoming.SenderDevice} of another account names this account's own handle {senderLabel} as its sender (reflected or forged); it was not shown");
            return (Outcome.Refused, null);
        }
        else
        {
            HandleCheck check;
            ContactPin? before;
            try
            {
                // One verification per sender and fetch: a mailbox of many messages from one person is one search.
                string normalized = Normalize(senderLabel);
                if (!checks.Handles.TryGetValue(normalized, out (ContactPin? Before, HandleCheck Check) known))
                {
                    ContactPin? pinned = _db.Pin(normalized);
                    known = (pinned, await CheckHandleAsync(normalized, cancellation).ConfigureAwait(false));
                    checks.Handles[normalized] = known;
                }

                (before, check) = known;
            }
            catch (CkvException)
            {
                return (Outcome.Refused, null);
            }

            if (!check.Reachable)
            {
                return (Outcome.Later, null);
            }

            HandleRecord? record = check.Usable ? check.Pin!.Record : null;
            device = record is not null && record.AccountId.AsSpan().SequenceEqual(senderAccount)
                ? record.Devices.FirstOrDefault(d => d.DeviceId.AsSpan().SequenceEqual(senderDevice))
                : null;
            conversationLabel = check.Label;
            bool signedOutSince = before is not null && before.Record.AccountId.AsSpan().SequenceEqual(senderAccount) &&
                before.Record.Devices.Any(d => d.DeviceId.AsSpan().SequenceEqual(senderDevice));
            if (record is not null && device is null && !signedOutSince && record.AccountId.AsSpan().SequenceEqual(senderAccount))
            {
                // Joined and signed out again between two looks of this device at the sender's record: an earlier
                // version of the record lists it.
                signedOutSince = await ListedEarlierAsync(record, senderDevice, cancellation).ConfigureAwait(false);
            }

            if (record is not null && device is null && !signedOutSince)
            {
                // A device the sender's verified records never listed. (One that a record listed before and the
                // newest does not was signed out with a message on the way: refused, but not a warning.)
                _db.Raise(NowMs, AlertCode.UnverifiedSender, check.Label, $"a message claiming to come from {senderLabel} came from device {incoming.SenderDevice}, which its verified record does not list; it was not shown");
            }
        }

        byte[] expectedConversation = fromOwnAccount ? sealedMessage.ConversationId : SealedMessage.Conversation(AccountId, senderAccount);
        if (device is null)
        {
            return (Outcome.Refused, null);
        }

        if (!sealedMessage.ConversationId.AsSpan().SequenceEqual(expectedConversation))
        {
            // A verified device's message for another conversation: its devices only ever send a conversation's
            // messages to that conversation, so the relay forwarded it here.
            _db.Raise(NowMs, AlertCode.UnverifiedSender, conversationLabel, $"a message from device {incoming.SenderDevice} belongs to another conversation (forwarded); it was not shown");
            return (Outcome.Refused, null);
        }

        byte[] signed = SignedEnvelopes.MessageToBeSigned(senderAccount, senderDevice, AccountId, DeviceId, sealedMessage.ConversationId, sealedMessage.Counter, sealedMessage.SignedCiphertext());
        using EcdsaP256PublicKey signingKey = EcdsaP256PublicKey.Parse(device.SigningKey);
        byte[] aad = SignedEnvelopes.MessageAssociatedData(senderAccount, senderDevice, AccountId, DeviceId, sealedMessage.ConversationId, sealedMessage.Counter);
        if (!signingKey.Verify(signed, sealedMessage.Signature) ||
            !HpkeP256.TryOpen(_keys.Encryption, sealedMessage.Enc, MessageInfo, aad, sealedMessage.Ciphertext, out byte[]? plaintext))
        {
            _db.Raise(NowMs, AlertCode.UnverifiedSender, fromOwnAccount ? null : conversationLabel, $"a message from device {incoming.SenderDevice} did not verify (signature or encryption); it was not shown");
            return (Outcome.Refused, null);
        }

        if (conversationLabel.Length == 0)
        {
            // An authentic copy from another own device, of a conversation with no contact this device verified: not
            // shown, but its counter is kept, so the next one does not look like a message the server dropped.
            _db.TryRecordReceived(sealedMessage.ConversationId, senderDevice, sealedMessage.Counter, out _);
            return (Outcome.Refused, null);
        }

        MessageContent content;
        try
        {
            content = TlsCodec.Decode<MessageContent>(plaintext);
        }
        catch (KtFormatException)
        {
            return (Outcome.Refused, null);
        }

        if (content.Gossip.Length > 0 && !fromOwnAccount)
        {
            await CheckGossipAsync(content.Gossip, conversationLabel, cancellation).ConfigureAwait(false);
        }

        bool fresh = false;
        if (content.Kind == MessageContent.ComparisonKind)
        {
            // A step of an on-device comparison: not a chat line; the comparison screen takes it (replays refused).
            _db.InTransaction(() =>
            {
                fresh = !fromOwnAccount && _db.TryRecordReceived(sealedMessage.ConversationId, senderDevice, sealedMessage.Counter, out _);
                if (fresh)
                {
                    _db.AddComparisonStep(conversationLabel, senderDevice, content.Text);
                }
            });
            return (fresh ? Outcome.Step : Outcome.Duplicate, null);
        }

        string text = Encoding.UTF8.GetString(content.Text);
        _db.InTransaction(() =>
        {
            fresh = _db.TryRecordReceived(sealedMessage.ConversationId, senderDevice, sealedMessage.Counter, out ulong highest);
            if (!fresh)
            {
                return;
            }

            if (sealedMessage.Counter > highest + 1)
            {
                _db.Raise(NowMs, AlertCode.MessagesMissing, conversationLabel, $"{sealedMessage.Counter - highest - 1} messages from device {incoming.SenderDevice} never arrived (counter {highest} to {sealedMessage.Counter})");
            }

            _db.AddMessage(NowMs, fromOwnAccount, conversationLabel, text, incoming.SenderDevice, shown: false);
        });

        return fresh ? (Outcome.Accepted, new ChatMessage(conversationLabel, fromOwnAccount, text, incoming.SenderDevice)) : (Outcome.Duplicate, null);
    }

    /// <summary>The device of the own record with this id, when the keychain circle lists it.</summary>
    private Device? OwnCircleDevice(byte[] deviceId)
    {
        var circle = CircleIds();
        return _db.OwnRecords().SelectMany(r => r.Devices).FirstOrDefault(d => d.DeviceId.AsSpan().SequenceEqual(deviceId) && circle.Contains(Convert.ToHexStringLower(d.DeviceId)));
    }

    /// <summary>The label of the contact whose verified account the conversation is with; empty when there is none.</summary>
    private string VerifiedConversation(byte[] conversation) =>
        _db.Contacts().Select(c => _db.Pin(c.Label)).Where(p => p is not null)
            .FirstOrDefault(p => SealedMessage.Conversation(AccountId, p!.Record.AccountId).AsSpan().SequenceEqual(conversation))?.Label ?? string.Empty;

    /// <summary>
    /// Whether one of the <see cref="HistoryLookups"/> versions of the handle before <paramref name="current"/> listed
    /// <paramref name="device"/> for the same account, each found by a verified fixed-version search (KT §7.2). A
    /// version that cannot be proven proves nothing: false.
    /// </summary>
    private async Task<bool> ListedEarlierAsync(HandleRecord current, byte[] device, CancellationToken cancellation)
    {
        for (uint version = current.Version; version > 0 && current.Version - version < HistoryLookups; version--)
        {
            try
            {
                ClientState? state = _db.KtState();
                var request = new SearchRequest(state?.TreeSize, current.Label, version - 1);
                byte[] answer = await _api.KtAsync("search", TlsCodec.Encode(request), Credentials, cancellation).ConfigureAwait(false);
                VerifiedSearch verified = SearchVerifier.Verify(_suite, Configuration, state, request, KtMessages.DecodeSearch(answer, versionRequested: true, Configuration.Mode), NowMs);
                _db.SetKtState(verified.State);
                HandleRecord earlier = RecordCheck.Verify(verified.Value.Value, current.Label, version - 1);
                if (earlier.AccountId.AsSpan().SequenceEqual(current.AccountId) && earlier.Devices.Any(d => d.DeviceId.AsSpan().SequenceEqual(device)))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is KtFormatException or KtVerificationException or RecordException or DirectoryApiException or HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>What one mailbox fetch verified already: each sender's handle (with the pin before), and the own records.</summary>
    private sealed class FetchChecks
    {
        public Dictionary<string, (ContactPin? Before, HandleCheck Check)> Handles { get; } = new(StringComparer.Ordinal);

        public bool OwnRecords { get; set; }
    }

    private enum Outcome
    {
        Accepted,
        Duplicate,
        Refused,
        Later,
        Step,
    }
}
