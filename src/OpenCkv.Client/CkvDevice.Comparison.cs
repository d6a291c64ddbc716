using System.Security.Cryptography;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Client;

/// <summary>An on-device comparison that ran to the code: the code both screens show, and whether the person marked the contact verified.</summary>
public sealed record ComparisonResult(string Code, bool MarkedVerified);

public sealed partial class CkvDevice
{
    /// <summary>How many comparisons in a row may stop after the commitment before it is a warning (DESIGN §5).</summary>
    public const int AbortedComparisonsBeforeWarning = 3;

    /// <summary>
    /// "Verify Contact" (DESIGN §1, docs/ckv-protocol.md §5): both people open it at the same time; the devices run
    /// the commit-then-reveal exchange over end-to-end encrypted, signed messages, and each shows the same code only
    /// once both are in. The keys exchanged must be the account keys automatic verification found. When
    /// <paramref name="markAsVerified"/> answers yes (the codes match), the contact's public code is saved in the card
    /// and its warnings are acknowledged; a no is the warning <c>comparison-mismatch</c>, advising to hold off.
    /// </summary>
    /// <exception cref="CkvException"><c>timeout</c> when the other side never opened the screen or stopped;
    /// <c>comparison-mismatch</c> when the other device's keys are not the verified ones.</exception>
    public Task<ComparisonResult> CompareAsync(string name, Func<string, bool> markAsVerified, TimeSpan timeout, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(markAsVerified);
        return CompareAndAskAsync(name, code => Task.FromResult(markAsVerified(code)), timeout, cancellation);
    }

    /// <summary>
    /// <see cref="CompareAsync(string, Func{string, bool}, TimeSpan, CancellationToken)"/> for a screen that asks
    /// the person without blocking a thread (a web page, a GUI): <paramref name="markAsVerified"/> completes when
    /// the person answered. The deadline covers reaching the code, not the time the person takes to answer.
    /// </summary>
    public async Task<ComparisonResult> CompareAndAskAsync(string name, Func<string, Task<bool>> markAsVerified, TimeSpan timeout, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(markAsVerified);
        ContactEntry contact = Contact(name);
        HandleCheck check = await CheckHandleAsync(contact.Label, cancellation).ConfigureAwait(false);
        if (!check.Usable || check.Pin!.Record.State == CkvState.Removed)
        {
            throw new CkvException("not-verified", $"{contact.Name}'s keys could not be verified now, so there is nothing to compare.");
        }

        HandleRecord theirs = check.Pin.Record;
        using EcdsaP256PrivateKey accountKey = AccountKey();
        byte[] ours = accountKey.PublicKey.Encoded.ToArray();
        bool initiator = AccountId.AsSpan().SequenceCompareTo(theirs.AccountId) < 0;
        DateTimeOffset deadline = _time.GetUtcNow() + timeout;
        byte[] nonce = RandomNumberGenerator.GetBytes(ComparisonCode.NonceSize);
        bool committed = false;
        try
        {
            string code;
            if (initiator)
            {
                // A "ready" may be left from a screen the other person closed before: when a newer one comes while
                // waiting for the answer, commit again under it (with a fresh nonce).
                (byte[] responderDevice, ComparisonStep ready) = await AwaitComparisonStepAsync(contact, theirs, [0], null, null, deadline, cancellation).ConfigureAwait(false);
                ComparisonStep answer;
                while (true)
                {
                    nonce = RandomNumberGenerator.GetBytes(ComparisonCode.NonceSize);
                    byte[] commitment = ComparisonCode.Commit(ComparisonRole.Initiator, ours, DeviceId, nonce);
                    await SendStepAsync(theirs, ComparisonStep.Commit(ready.Session, commitment), cancellation).ConfigureAwait(false);
                    committed = true;
                    (byte[] from, ComparisonStep next) = await AwaitComparisonStepAsync(contact, theirs, [0, 2], ready.Session, null, deadline, cancellation).ConfigureAwait(false);
                    if (next.Step == 2 && from.AsSpan().SequenceEqual(responderDevice))
                    {
                        answer = next;
                        break;
                    }

                    if (next.Step == 0)
                    {
                        (responderDevice, ready) = (from, next);
                    }
                }

                RequireVerifiedKeys(contact, theirs, answer, responderDevice);
                await SendStepAsync(theirs, ComparisonStep.Reveal(3, ready.Session, ours, DeviceId, nonce), cancellation).ConfigureAwait(false);
                code = ComparisonCode.Code(ours, DeviceId, nonce, answer.AccountKey, answer.DeviceId, answer.Nonce);
            }
            else
            {
                _db.TakeComparisonSteps(contact.Label); // anything from before this screen opened is stale
                byte[] session = RandomNumberGenerator.GetBytes(ComparisonStep.SessionSize);
                await SendStepAsync(theirs, ComparisonStep.Ready(session), cancellation).ConfigureAwait(false);
                (byte[] initiatorDevice, ComparisonStep commit) = await AwaitComparisonStepAsync(contact, theirs, [1], session, null, deadline, cancellation).ConfigureAwait(false);
                await SendStepAsync(theirs, ComparisonStep.Reveal(2, session, ours, DeviceId, nonce), cancellation).ConfigureAwait(false);
                committed = true;
                (_, ComparisonStep opening) = await AwaitComparisonStepAsync(contact, theirs, [3], session, initiatorDevice, deadline, cancellation).ConfigureAwait(false);
                if (!ComparisonCode.Opens(commit.Commitment, opening.AccountKey, opening.DeviceId, opening.Nonce))
                {
                    throw Mismatch(contact, "the other device's opening does not match its commitment");
                }

                RequireVerifiedKeys(contact, theirs, opening, initiatorDevice);
                code = ComparisonCode.Code(opening.AccountKey, opening.DeviceId, opening.Nonce, ours, DeviceId, nonce);
            }

            _db.SetSetting(FailuresKey(contact.Label), [0]);
            if (!await markAsVerified(code).ConfigureAwait(false))
            {
                _db.Raise(NowMs, AlertCode.ComparisonMismatch, contact.Label, $"the codes on the two screens did not match: you may not be talking to {contact.Name}; hold off on anything sensitive until you verify again in person");
                return new ComparisonResult(code, false);
            }

            _db.InTransaction(() =>
            {
                _db.SetContactCode(contact.Name, PublicCode.Format(PublicCode.Derive(theirs.AccountKey)));
                _db.AcknowledgeWarnings(contact.Label);
                MarkKeychainChanged();
            });
            return new ComparisonResult(code, true);
        }
        catch (CkvException e) when (e.Code == "timeout" && committed)
        {
            // An abort after the commitment is a failed attempt: a man in the middle who saw the code would stop here.
            int failures = (_db.Setting(FailuresKey(contact.Label)) is [var n] ? n : 0) + 1;
            _db.SetSetting(FailuresKey(contact.Label), [(byte)Math.Min(failures, 255)]);
            if (failures >= AbortedComparisonsBeforeWarning)
            {
                _db.Raise(NowMs, AlertCode.ComparisonAborted, contact.Label, $"{failures} comparisons with {contact.Name} in a row stopped after the commitment");
            }

            throw;
        }
    }

    private static string FailuresKey(string label) => "comparison_failures:" + label;

    private CkvException Mismatch(ContactEntry contact, string why)
    {
        _db.Raise(NowMs, AlertCode.ComparisonMismatch, contact.Label, $"verifying {contact.Name} on both devices failed: {why}");
        return new CkvException(AlertCode.ComparisonMismatch, $"You may not be talking to {contact.Name}: {why}.");
    }

    private void RequireVerifiedKeys(ContactEntry contact, HandleRecord theirs, ComparisonStep step, byte[] senderDevice)
    {
        if (!step.AccountKey.AsSpan().SequenceEqual(theirs.AccountKey) || !step.DeviceId.AsSpan().SequenceEqual(senderDevice))
        {
            throw Mismatch(contact, "the other device presents an account key or device other than the verified ones");
        }
    }

    private async Task SendStepAsync(HandleRecord theirs, ComparisonStep step, CancellationToken cancellation)
    {
        // Every live comparison carries the distinguished heads (DESIGN §5).
        byte[] gossip = await GossipForMessageAsync(always: true, cancellation).ConfigureAwait(false);
        await SendContentAsync(theirs, new MessageContent(MessageContent.ComparisonKind, TlsCodec.Encode(step), gossip), toOwnDevices: false, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for one of <paramref name="steps"/> from a device of the contact's verified record (of one device, once
    /// known): a "ready" whatever its session (but another one than <paramref name="session"/>), any other step
    /// only under <paramref name="session"/>. The newest wins.
    /// </summary>
    private async Task<(byte[] Device, ComparisonStep Step)> AwaitComparisonStepAsync(
        ContactEntry contact, HandleRecord theirs, byte[] steps, byte[]? session, byte[]? fromDevice, DateTimeOffset deadline, CancellationToken cancellation)
    {
        while (true)
        {
            await ReceiveAsync(cancellation).ConfigureAwait(false);
            (byte[] Device, ComparisonStep Step)? found = null;
            foreach ((byte[] sender, byte[] body) in _db.TakeComparisonSteps(contact.Label))
            {
                ComparisonStep parsed;
                try
                {
                    parsed = TlsCodec.Decode<ComparisonStep>(body);
                }
                catch (KtFormatException)
                {
                    continue;
                }

                bool fromTheirs = theirs.Devices.Any(d => d.DeviceId.AsSpan().SequenceEqual(sender)) && (fromDevice is null || sender.AsSpan().SequenceEqual(fromDevice));
                bool sameSession = session is not null && parsed.Session.AsSpan().SequenceEqual(session);
                bool wanted = parsed.Step == 0 ? !sameSession : session is null || sameSession;
                if (fromTheirs && steps.Contains(parsed.Step) && wanted)
                {
                    found = (sender, parsed); // the newest wins
                }
            }

            if (found is { } result)
            {
                return result;
            }

            if (_time.GetUtcNow() >= deadline)
            {
                throw new CkvException("timeout", $"{contact.Name} did not open Verify Contact in time (or stopped).");
            }

            await Task.Delay(Poll, cancellation).ConfigureAwait(false);
        }
    }
}
