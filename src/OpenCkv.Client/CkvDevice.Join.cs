using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenCkv.Client.Http;
using OpenCkv.Client.Keychain;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Records;
using OpenCkv.Client.Secrets;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

/// <summary>A join request this device approved: the new device and the log entry that added it.</summary>
public sealed record ApprovedJoin(string DeviceId, string DeviceName, ulong Position);

public sealed partial class CkvDevice
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Joins this new device to an existing account (DESIGN §5, docs/ckv-protocol.md §6.2): the handle's code and
    /// the account's second factor open a join request; the commit-then-reveal exchange runs with an approving
    /// device, and <paramref name="showCode"/> shows the join code the person compares. Once approved, the device
    /// accepts the account key only when it is the account key of its own KEYTRANS-verified record, that record
    /// lists this device and the approving one, and the key arrives in a keychain blob from the approving device,
    /// signed and bound to this exchange's transcript. Nothing is kept before all of that holds.
    /// </summary>
    /// <exception cref="CkvException">Refused, timed out, or the keychain did not check out.</exception>
    public static async Task<CkvDevice> JoinAsync(
        string folder, DeviceSetup setup, string? secondFactor, Action<string> showCode, TimeSpan timeout,
        CkvOptions? options = null, HttpMessageHandler? handler = null, TimeProvider? time = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(showCode);
        time ??= TimeProvider.System;
        using Arrival arrival = await ArriveAsync(folder, setup, handler, time, cancellation).ConfigureAwait(false);
        (string label, DeviceFactsMessage facts, DirectoryClient api, byte[] configurationBytes, string code) = (arrival.Label, arrival.Facts, arrival.Api, arrival.Configuration, arrival.Code);
        Configuration configuration = TlsCodec.Decode<Configuration>(configurationBytes);
        using var keys = DeviceKeys.Generate();
        byte[] signingKey = keys.Signing.PublicKey.Encoded.ToArray();
        Directory.CreateDirectory(folder);
        ISecretStore secrets = (options ?? new CkvOptions()).SecretStoreFor(folder);
        (byte[] signing, byte[] encryption, byte[] request) = keys.ExportSecrets();
        secrets.Put(Keys.SigningSecret, signing);
        secrets.Put(Keys.EncryptionSecret, encryption);
        secrets.Put(Keys.RequestSecret, request);

        JoinStartResponse ticket = await Call(() => api.StartJoinAsync(
            new JoinStartRequest(label, code, secondFactor, facts, Convert.ToHexStringLower(keys.DeviceId), Convert.ToBase64String(signingKey),
                Convert.ToBase64String(keys.EncryptionPublicKey), Convert.ToBase64String(keys.Request.PublicKey.Encoded.ToArray())),
            cancellation)).ConfigureAwait(false);
        byte[] accountId = Convert.FromHexString(ticket.AccountId);
        DateTimeOffset deadline = time.GetUtcNow() + timeout;

        // §6.2 step 1: commit to this device's signing key, id and a fresh nonce.
        byte[] nonce = RandomNumberGenerator.GetBytes(ComparisonCode.NonceSize);
        byte[] commitment = JoinExchange.Commit(signingKey, keys.DeviceId, nonce);
        await Call(() => api.PostJoinAsync(ticket.JoinId, TlsCodec.Encode(JoinStep.Commit(commitment)), ticket.Token, null, cancellation)).ConfigureAwait(false);

        // Step 2 from the approving device: the account key, its id, its nonce. Step 3: open, with this device's entry.
        JoinStep answer = await AwaitStepAsync(() => api.JoinViewAsync(ticket.JoinId, ticket.Token, cancellation), fromJoiner: false, step: 2, deadline, time, cancellation).ConfigureAwait(false);
        Device entry = keys.EntryFor(accountId, answer.AccountKey);
        await Call(() => api.PostJoinAsync(ticket.JoinId, TlsCodec.Encode(JoinStep.Open(nonce, entry)), ticket.Token, null, cancellation)).ConfigureAwait(false);
        showCode(JoinExchange.Code(signingKey, keys.DeviceId, nonce, answer.AccountKey, answer.DeviceId, answer.Nonce));
        byte[] transcript = JoinExchange.Transcript(commitment, signingKey, keys.DeviceId, nonce, answer.AccountKey, answer.DeviceId, answer.Nonce);

        await AwaitApprovalAsync(api, ticket, deadline, time, cancellation).ConfigureAwait(false);

        // Signed in now: the record must prove this device, the approving one and the account key of step 2.
        var credentials = new DeviceCredentials(accountId, keys.DeviceId, keys.Request);
        var searched = new SearchRequest(null, Encoding.UTF8.GetBytes(label), null);
        VerifiedSearch verified;
        HandleRecord record;
        try
        {
            byte[] found = await api.KtAsync("search", TlsCodec.Encode(searched), credentials, cancellation).ConfigureAwait(false);
            verified = SearchVerifier.VerifyGreatestVersion(
                OpenCkv.Crypto.CryptoSuite.Fastest, configuration, null, searched, KtMessages.DecodeSearch(found, versionRequested: false, configuration.Mode), (ulong)time.GetUtcNow().ToUnixTimeMilliseconds());
            record = RecordCheck.Verify(verified.Value.Value, searched.Label, verified.Version);
        }
        catch (Exception e) when (e is KtFormatException or KtVerificationException or RecordException or DirectoryApiException)
        {
            throw new CkvException("join-unverified", $"The account's record could not be verified after the join: {e.Message}", e);
        }

        Device? approver = record.Devices.FirstOrDefault(d => d.DeviceId.AsSpan().SequenceEqual(answer.DeviceId));
        if (!record.AccountKey.AsSpan().SequenceEqual(answer.AccountKey) || !record.AccountId.AsSpan().SequenceEqual(accountId) ||
            approver is null || !record.Devices.Any(d => d.Equals(entry)))
        {
            throw new CkvException("join-unverified", "The verified record does not hold the account key and devices of this exchange: the keychain was not accepted.");
        }

        KeychainPayload payload = await AwaitKeychainAsync(api, credentials, accountId, approver, keys, transcript, deadline, time, cancellation).ConfigureAwait(false);
        using (EcdsaP256PrivateKey accountKey = EcdsaP256PrivateKey.Import(payload.AccountPrivateKey))
        {
            if (!accountKey.PublicKey.Encoded.SequenceEqual(record.AccountKey))
            {
                throw new CkvException("join-unverified", "The keychain carried an account key other than the verified record's: it was not accepted.");
            }

            StoreAccountKey(secrets, accountKey);
        }

        return CreateProfile(
            folder, setup, facts, configurationBytes, label, accountId, keys.DeviceId, [record], secrets, handler, time, options, verified.State, payload.Circle, payload.Contacts);
    }

    /// <summary>
    /// Approves a waiting join request on this trusted device (DESIGN §5): runs the exchange, checks that the
    /// joining device opened its commitment with the keys of its request and proved possession for this account
    /// key, and shows the join code; only when <paramref name="confirm"/> says the other device shows the same code
    /// does it sign the record with the new device (for every live handle) and send the keychain to it, bound to
    /// the exchange. A "no" refuses the request.
    /// </summary>
    /// <exception cref="CkvException">No such request, a mismatch, a refusal, or a timeout.</exception>
    public async Task<ApprovedJoin> ApproveAsync(string? joinId, Func<string, bool> confirm, TimeSpan timeout, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(confirm);
        DateTimeOffset deadline = _time.GetUtcNow() + timeout;
        JoinView view = await AwaitJoinRequestAsync(joinId, deadline, cancellation).ConfigureAwait(false);
        byte[] joiningId = Convert.FromHexString(view.DeviceId);
        byte[] joiningSigning = Convert.FromBase64String(view.SigningKey);
        using EcdsaP256PrivateKey accountKey = AccountKey();
        byte[] accountPublic = accountKey.PublicKey.Encoded.ToArray();

        JoinStep commit = await AwaitStepAsync(() => _api.JoinViewAsDeviceAsync(Credentials, view.JoinId, cancellation), fromJoiner: true, step: 1, deadline, _time, cancellation).ConfigureAwait(false);
        byte[] nonce = RandomNumberGenerator.GetBytes(ComparisonCode.NonceSize);
        await Call(() => _api.PostJoinAsync(view.JoinId, TlsCodec.Encode(JoinStep.Answer(accountPublic, DeviceId, nonce)), null, Credentials, cancellation)).ConfigureAwait(false);
        JoinStep opening = await AwaitStepAsync(() => _api.JoinViewAsDeviceAsync(Credentials, view.JoinId, cancellation), fromJoiner: true, step: 3, deadline, _time, cancellation).ConfigureAwait(false);

        Device entry = opening.Entry!;
        bool sameKeys = entry.DeviceId.AsSpan().SequenceEqual(joiningId) && entry.SigningKey.AsSpan().SequenceEqual(joiningSigning) &&
            entry.EncryptionKey.AsSpan().SequenceEqual(Convert.FromBase64String(view.EncryptionKey)) &&
            entry.RequestKey.AsSpan().SequenceEqual(Convert.FromBase64String(view.RequestKey));
        if (!JoinExchange.Opens(commit.Commitment, joiningSigning, joiningId, opening.Nonce) || !sameKeys || !entry.PossessionVerifies(AccountId, accountPublic))
        {
            await Call(() => _api.RefuseJoinAsync(Credentials, view.JoinId, cancellation)).ConfigureAwait(false);
            throw new CkvException("join-mismatch", "The joining device's answers do not match its request or its commitment; the request was refused.");
        }

        string code = JoinExchange.Code(joiningSigning, joiningId, opening.Nonce, accountPublic, DeviceId, nonce);
        if (!confirm(code))
        {
            await Call(() => _api.RefuseJoinAsync(Credentials, view.JoinId, cancellation)).ConfigureAwait(false);
            throw new CkvException("join-refused", "The codes were not confirmed; the join request was refused.");
        }

        IReadOnlyList<Verification.Finding> own = await CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
        if (own.Count > 0)
        {
            throw new CkvException(own[0].Code, $"This account's own records do not check out, so nothing was signed: {own[0].Detail}");
        }

        HandleRecord[] live = _db.OwnRecords().Where(r => r.State != CkvState.Removed).ToArray();
        ulong counter = _db.OwnRecords().Max(r => r.Counter) + 1;
        HandleRecord[] next = live.Select(r => RecordBuilder.Next(r, counter, accountKey, devices: [.. r.Devices, entry])).ToArray();
        ChangeReceiptMessage receipt = await Call(() => _api.ChangeAsync(Credentials, Transition.DeviceAdded, next, Convert.FromHexString(view.JoinId), cancellation)).ConfigureAwait(false);
        _db.InTransaction(() =>
        {
            foreach (HandleRecord record in next)
            {
                _db.SetOwnRecord(record);
            }

            _db.AddToCircle(joiningId, view.Device.Name);
        });

        byte[] transcript = JoinExchange.Transcript(commit.Commitment, joiningSigning, joiningId, opening.Nonce, accountPublic, DeviceId, nonce);
        ulong version = NextBlobVersion();
        byte[] blob = KeychainSeal.Seal(Payload(), AccountId, DeviceId, _keys.Signing, entry, version, transcript);
        await Call(() => _api.PutBlobAsync(Credentials, joiningId, version, blob, cancellation)).ConfigureAwait(false);

        // The account's other devices learn of the new one from the keychain's circle, waiting for them before they
        // next see it in the record; otherwise it would be a device no keychain named (own-account-mismatch).
        await PushKeychainAsync(except: joiningId, cancellation).ConfigureAwait(false);
        return new ApprovedJoin(view.DeviceId, view.Device.Name, receipt.Position);
    }

    private async Task<JoinView> AwaitJoinRequestAsync(string? joinId, DateTimeOffset deadline, CancellationToken cancellation)
    {
        while (true)
        {
            JoinList joins = await Call(() => _api.JoinsAsync(Credentials, cancellation)).ConfigureAwait(false);
            JoinView[] waiting = joins.Joins.Where(j => j.State == "pending" && (joinId is null || string.Equals(j.JoinId, joinId, StringComparison.OrdinalIgnoreCase))).ToArray();
            if (waiting.Length == 1)
            {
                return waiting[0];
            }

            if (waiting.Length > 1)
            {
                throw new CkvException("join-ambiguous", $"Several devices wait to join ({string.Join(", ", waiting.Select(j => $"{j.JoinId} {j.Device.Name}"))}): name one.");
            }

            if (_time.GetUtcNow() >= deadline)
            {
                throw new CkvException("timeout", joinId is null ? "No device asked to join." : $"No waiting join request {joinId}.");
            }

            await Task.Delay(Poll, cancellation).ConfigureAwait(false);
        }
    }

    private static async Task<JoinStep> AwaitStepAsync(Func<Task<JoinView>> view, bool fromJoiner, byte step, DateTimeOffset deadline, TimeProvider time, CancellationToken cancellation)
    {
        while (true)
        {
            JoinView current = await Call(view).ConfigureAwait(false);
            if (current.State == "refused")
            {
                throw new CkvException("join-refused", "The join request was refused.");
            }

            foreach (JoinMessageItem item in current.Messages.Where(m => m.FromJoiner == fromJoiner))
            {
                JoinStep? parsed = null;
                try
                {
                    parsed = TlsCodec.Decode<JoinStep>(Convert.FromBase64String(item.Body));
                }
                catch (Exception e) when (e is KtFormatException or FormatException)
                {
                    // Not a step of this exchange: the other side will not send it; keep waiting until the deadline.
                }

                if (parsed?.Step == step)
                {
                    return parsed;
                }
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new CkvException("timeout", "The other device did not answer in time.");
            }

            await Task.Delay(Poll, cancellation).ConfigureAwait(false);
        }
    }

    private static async Task AwaitApprovalAsync(DirectoryClient api, JoinStartResponse ticket, DateTimeOffset deadline, TimeProvider time, CancellationToken cancellation)
    {
        while (true)
        {
            JoinView view = await Call(() => api.JoinViewAsync(ticket.JoinId, ticket.Token, cancellation)).ConfigureAwait(false);
            switch (view.State)
            {
                case "approved":
                    return;
                case "refused":
                    throw new CkvException("join-refused", "The trusted device refused the join request.");
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new CkvException("timeout", "No device approved the join in time.");
            }

            await Task.Delay(Poll, cancellation).ConfigureAwait(false);
        }
    }

    private static async Task<KeychainPayload> AwaitKeychainAsync(
        DirectoryClient api, DeviceCredentials credentials, byte[] accountId, Device approver, DeviceKeys keys, byte[] transcript, DateTimeOffset deadline, TimeProvider time, CancellationToken cancellation)
    {
        string approverId = Convert.ToHexStringLower(approver.DeviceId);
        while (true)
        {
            BlobList blobs = await Call(() => api.BlobsAsync(credentials, cancellation)).ConfigureAwait(false);
            foreach (BlobMessage blob in blobs.Blobs.Where(b => b.SenderDevice == approverId))
            {
                KeychainPayload? payload = KeychainSeal.Open(Convert.FromBase64String(blob.Body), accountId, approver, keys.DeviceId, keys.Encryption, blob.Version, transcript);
                await Call(() => api.AcknowledgeBlobAsync(credentials, blob.Id, cancellation)).ConfigureAwait(false);
                if (payload is not null)
                {
                    return payload;
                }
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new CkvException("timeout", "The approving device's keychain did not arrive (or did not verify) in time.");
            }

            await Task.Delay(Poll, cancellation).ConfigureAwait(false);
        }
    }

}
