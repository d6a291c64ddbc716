using System.Text;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.Client.Profiles;
using OpenCkv.Crypto.Hpke;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
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
public sealed record SendReport(int ContactDevices, int OwnDevices, ulong Counter);

public sealed partial class CkvDevice
{
    private static readonly byte[] MessageInfo = Encoding.ASCII.GetBytes(Contexts.Message);

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

    /// <summary>Seals and signs <paramref name="content"/> for each device of <paramref name="theirs"/> (and this account's other circle devices), and queues it.</summary>
    private async Task<(int ContactDevices, int OwnDevices, ulong Counter)> SendContentAsync(HandleRecord theirs, MessageContent content, bool toOwnDevices, CancellationToken cancellation)
    {
        byte[] conversation = SealedMessage.Conversation(AccountId, theirs.AccountId);
        var circle = CircleIds();
        Device[] own = !toOwnDevices ? [] : _db.OwnRecords().Where(r => LabelOf(r) == Label).SelectMany(r => r.Devices)
            .Where(d => circle.Contains(Convert.ToHexStringLower(d.DeviceId)) && !d.DeviceId.AsSpan().SequenceEqual(DeviceId)).ToArray();
        ulong counter = _db.NextSendCounter(conversation);
        byte[] plaintext = TlsCodec.Encode(content);
        byte[] ownLabel = Encoding.UTF8.GetBytes(Label);

        var outgoing = new List<(byte[] RecipientDevice, byte[] Body)>();
        foreach ((byte[] account, Device device) in theirs.Devices.Select(d => (theirs.AccountId, d)).Concat(own.Select(d => (AccountId, d))))
        {
            byte[] aad = SignedEnvelopes.MessageAssociatedData(AccountId, DeviceId, account, device.DeviceId, conversation, counter);
            (byte[] enc, byte[] sealedBytes) = HpkeP256.Seal(device.EncryptionKey, MessageInfo, aad, plaintext);
            byte[] signature = _keys.Signing.Sign(SignedEnvelopes.MessageToBeSigned(AccountId, DeviceId, account, device.DeviceId, conversation, counter, [.. enc, .. sealedBytes]));
            outgoing.Add((device.DeviceId, TlsCodec.Encode(new SealedMessage(ownLabel, conversation, counter, enc, sealedBytes, signature))));
        }

        await Call(() => _api.SendAsync(Credentials, outgoing, cancellation)).ConfigureAwait(false);
        return (theirs.Devices.Count, own.Length, counter);
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
        var checks = new Dictionary<string, (ContactPin? Before, HandleCheck Check)>(StringComparer.Ordinal);
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
        IncomingMessage incoming, Dictionary<string, (ContactPin? Before, HandleCheck Check)> checks, CancellationToken cancellation)
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
            var circle = CircleIds();
            device = _db.OwnRecords().SelectMany(r => r.Devices).FirstOrDefault(d => d.DeviceId.AsSpan().SequenceEqual(senderDevice) && circle.Contains(Convert.ToHexStringLower(d.DeviceId)));
            conversationLabel = _db.Contacts().Select(c => _db.Pin(c.Label)).Where(p => p is not null)
                .FirstOrDefault(p => SealedMessage.Conversation(AccountId, p!.Record.AccountId).AsSpan().SequenceEqual(sealedMessage.ConversationId))?.Label ?? string.Empty;
        }
        else if (_db.OwnRecords().Any(r => Encoding.UTF8.GetString(r.Label) == senderLabel))
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
                if (!checks.TryGetValue(normalized, out (ContactPin? Before, HandleCheck Check) known))
                {
                    ContactPin? pinned = _db.Pin(normalized);
                    known = (pinned, await CheckHandleAsync(normalized, cancellation).ConfigureAwait(false));
                    checks[normalized] = known;
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
            if (record is not null && device is null && !signedOutSince)
            {
                // A device the sender's verified records never listed. (One that a record listed before and the
                // newest does not was signed out with a message on the way: refused, but not a warning.)
                _db.Raise(NowMs, AlertCode.UnverifiedSender, check.Label, $"a message claiming to come from {senderLabel} came from device {incoming.SenderDevice}, which its verified record does not list; it was not shown");
            }
        }

        byte[] expectedConversation = fromOwnAccount ? sealedMessage.ConversationId : SealedMessage.Conversation(AccountId, senderAccount);
        if (device is null || conversationLabel.Length == 0)
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

    private enum Outcome
    {
        Accepted,
        Duplicate,
        Refused,
        Later,
        Step,
    }
}
