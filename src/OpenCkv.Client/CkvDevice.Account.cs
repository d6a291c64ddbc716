using System.Text;
using System.Text.Json;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Client.Verification;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

public sealed partial class CkvDevice
{
    /// <summary>Whether this account has CKV on, as its own newest verified record says.</summary>
    public bool OwnCkvOn => _db.OwnRecords().Any(r => LabelOf(r) == Label && r.State == CkvState.On);

    /// <summary>This account's public verification code (docs/ckv-protocol.md §4), from the account key.</summary>
    public string PublicVerificationCode
    {
        get
        {
            using EcdsaP256PrivateKey key = AccountKey();
            return PublicCode.Derive(key.PublicKey.Encoded.ToArray());
        }
    }

    /// <summary>
    /// Self-monitoring (DESIGN §5): a verified search of each of the account's own handles; the record must be
    /// signed by this device's account key, follow the one held before and list only devices of the keychain
    /// circle. What passes becomes the device's view of its own records; anything else is the warning
    /// <c>own-account-mismatch</c> (or <c>proof-failed</c>) and changes nothing.
    /// </summary>
    public async Task<IReadOnlyList<Finding>> CheckOwnRecordsAsync(CancellationToken cancellation = default)
    {
        var findings = new List<Finding>();
        using EcdsaP256PrivateKey accountKey = AccountKey();
        byte[] ownKey = accountKey.PublicKey.Encoded.ToArray();
        var circle = CircleIds();
        foreach (HandleRecord held in _db.OwnRecords())
        {
            string label = LabelOf(held);
            Finding? finding = null;
            try
            {
                ClientState? state = _db.KtState();
                var request = new SearchRequest(state?.TreeSize, held.Label, null);
                byte[] answer = await _api.KtAsync("search", TlsCodec.Encode(request), Credentials, cancellation).ConfigureAwait(false);
                VerifiedSearch verified = SearchVerifier.VerifyGreatestVersion(
                    _suite, Configuration, state, request, KtMessages.DecodeSearch(answer, versionRequested: false, Configuration.Mode), NowMs);
                HandleRecord? found = null;
                try
                {
                    found = RecordCheck.Verify(verified.Value.Value, held.Label, verified.Version, held);
                }
                catch (RecordException e)
                {
                    finding = new Finding(AlertCode.OwnAccountMismatch, $"the log shows {label} version {verified.Version} that this account did not sign: {e.Message}");
                }

                if (found is not null && !found.AccountKey.AsSpan().SequenceEqual(ownKey) && AdoptPendingKey(found, ownKey))
                {
                    ownKey = found.AccountKey;
                }

                if (found is not null && found.Devices.Any(d => !circle.Contains(Convert.ToHexStringLower(d.DeviceId))))
                {
                    // A device joined through another device of the circle, which sent the grown circle in a keychain
                    // blob: take the blobs waiting before calling any device a stranger.
                    await ReceiveKeychainAsync(found, cancellation).ConfigureAwait(false);
                    circle = CircleIds();
                }

                if (found is not null)
                {
                    string[] strangers = found.Devices.Select(d => Convert.ToHexStringLower(d.DeviceId)).Where(id => !circle.Contains(id)).ToArray();
                    if (!found.AccountKey.AsSpan().SequenceEqual(ownKey))
                    {
                        finding = new Finding(AlertCode.OwnAccountMismatch, $"{label} version {found.Version} is signed by an account key this device does not hold");
                    }
                    else if (strangers.Length > 0)
                    {
                        finding = new Finding(AlertCode.OwnAccountMismatch, $"{label} version {found.Version} lists device {string.Join(", ", strangers)}, which the keychain circle does not know");
                    }
                    else if (found.Version < held.Version || (found.Version > held.Version && found.Counter <= held.Counter))
                    {
                        finding = new Finding(AlertCode.CounterRegression, $"{label} went from version {held.Version} to {found.Version} without a greater counter");
                    }
                }

                _db.InTransaction(() =>
                {
                    _db.SetKtState(verified.State);
                    if (finding is null)
                    {
                        _db.SetOwnRecord(found!);
                    }
                    else
                    {
                        _db.Raise(NowMs, finding.Code, null, finding.Detail);
                    }
                });
            }
            catch (Exception e) when (e is KtFormatException or KtVerificationException)
            {
                finding = new Finding(AlertCode.ProofFailed, $"the log's answer for this account's {label} did not verify: {e.Message}");
                _db.Raise(NowMs, finding.Code, null, finding.Detail);
            }
            catch (DirectoryApiException e) when (e.Status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone)
            {
                finding = new Finding(AlertCode.Unavailable, $"the log proves no record for this account's {label}: {e.Detail ?? e.Problem}");
                _db.Raise(NowMs, finding.Code, null, finding.Detail);
            }
            catch (DirectoryApiException e)
            {
                // Refused (this device signed out, a clock far off) or failing: nothing was proven either way.
                throw new CkvException(e.Problem, $"The server refused ({e.Problem}): {e.Detail ?? e.Problem}", e);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                throw new CkvException("server-unreachable", $"The server did not answer: {e.Message}", e);
            }

            if (finding is not null)
            {
                findings.Add(finding);
            }
        }

        return findings;
    }

    /// <summary>
    /// After another device rotated the account key (a lost device removed): when the verified record carries the
    /// key this device was asked to prove, and the chain's newest link is signed by the key it holds, that key
    /// becomes this device's account key.
    /// </summary>
    private bool AdoptPendingKey(HandleRecord record, byte[] heldKey)
    {
        if (_secrets.Read(Keys.NextAccountSecret) is not { } pending || !IsPendingRotation(record, heldKey, PublicOf(pending)))
        {
            return false;
        }

        _secrets.Put(Keys.AccountSecret, pending);
        _secrets.Delete(Keys.NextAccountSecret);
        return true;
    }

    /// <summary>Whether CKV can be turned on, with every blocking device and the way out, as the server evaluates it.</summary>
    public async Task<RequirementsMessage> RequirementsAsync(CancellationToken cancellation = default) =>
        await Call(() => _api.RequirementsAsync(Credentials, cancellation)).ConfigureAwait(false);

    /// <summary>The account as the server holds it: its devices with what they report, the second factor, CKV.</summary>
    public async Task<AccountMessage> AccountAsync(CancellationToken cancellation = default) =>
        await Call(() => _api.AccountAsync(Credentials, cancellation)).ConfigureAwait(false);

    /// <summary>
    /// The settings switch (DESIGN §5 "Enabling"): turning on checks every requirement first and refuses with each
    /// blocker; then, after checking its own records, the device signs with the account key a new record of every
    /// live handle whose device list is the keychain circle's, and publishes them in one change.
    /// </summary>
    /// <exception cref="RequirementsException">A requirement is not met: every blocker is listed.</exception>
    /// <exception cref="CkvException">The account's own records do not check out, or the server refused.</exception>
    public async Task<ChangeReceiptMessage> SetVerificationAsync(bool on, CancellationToken cancellation = default)
    {
        if (on)
        {
            RequirementsMessage requirements = await RequirementsAsync(cancellation).ConfigureAwait(false);
            if (!requirements.CanEnable)
            {
                throw new RequirementsException(requirements.Blockers);
            }
        }

        IReadOnlyList<Finding> own = await CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
        if (own.Count > 0)
        {
            throw new CkvException(own[0].Code, $"This account's own records do not check out, so nothing was signed: {own[0].Detail}");
        }

        var circle = CircleIds();
        HandleRecord[] live = _db.OwnRecords().Where(r => r.State != CkvState.Removed).ToArray();
        ulong counter = _db.OwnRecords().Max(r => r.Counter) + 1;
        using EcdsaP256PrivateKey accountKey = AccountKey();
        HandleRecord[] next = live
            .Select(r => RecordBuilder.Next(r, counter, accountKey, on ? CkvState.On : CkvState.Off, r.Devices.Where(d => circle.Contains(Convert.ToHexStringLower(d.DeviceId))).ToArray()))
            .ToArray();
        ChangeReceiptMessage receipt = await Call(() => _api.ChangeAsync(Credentials, on ? Transition.CkvOn : Transition.CkvOff, next, cancellation: cancellation)).ConfigureAwait(false);
        _db.InTransaction(() =>
        {
            foreach (HandleRecord record in next)
            {
                _db.SetOwnRecord(record);
            }
        });
        return receipt;
    }

    /// <summary>Starts turning the second factor on: the secret (base32) and an otpauth:// URI for an authenticator app.</summary>
    public async Task<TwoFactorEnrollment> BeginTwoFactorAsync(CancellationToken cancellation = default) =>
        await Call(() => _api.BeginTwoFactorAsync(Credentials, cancellation)).ConfigureAwait(false);

    /// <summary>Turns the second factor on with a current code of the new secret.</summary>
    public Task ConfirmTwoFactorAsync(string code, CancellationToken cancellation = default) =>
        Call(() => _api.ConfirmTwoFactorAsync(Credentials, code, cancellation));

    /// <summary>Turns the second factor off (refused while CKV is on).</summary>
    public Task DisableTwoFactorAsync(string code, CancellationToken cancellation = default) =>
        Call(() => _api.DisableTwoFactorAsync(Credentials, code, cancellation));

    /// <summary>Reports new facts about this device (software version, passcode, keychain sync).</summary>
    public async Task UpdateDeviceAsync(string? osVersion = null, bool? passcode = null, bool? keychain = null, CancellationToken cancellation = default)
    {
        DeviceFactsMessage facts = JsonSerializer.Deserialize<DeviceFactsMessage>(_db.Setting(Keys.Facts)!)!;
        facts = facts with
        {
            SoftwareVersion = osVersion ?? facts.SoftwareVersion,
            Passcode = passcode ?? facts.Passcode,
            Keychain = keychain ?? facts.Keychain,
        };
        await Call(() => _api.UpdateDeviceAsync(Credentials, facts, cancellation)).ConfigureAwait(false);
        _db.SetSetting(Keys.Facts, JsonSerializer.SerializeToUtf8Bytes(facts));
    }

    /// <summary>The ids (hex) of the keychain circle's devices, as this device knows them.</summary>
    private HashSet<string> CircleIds() => _db.Circle().Select(c => Convert.ToHexStringLower(c.DeviceId)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Runs a call to the server that answers nothing, turning its refusals into <see cref="CkvException"/>.</summary>
    private static async Task Call(Func<Task> call) => await Call(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    }).ConfigureAwait(false);

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (DirectoryApiException e)
        {
            throw new CkvException(e.Problem, $"The server refused ({e.Problem}): {e.Detail ?? e.Problem}", e);
        }
        catch (HttpRequestException e)
        {
            throw new CkvException("server-unreachable", $"The server did not answer: {e.Message}", e);
        }
    }
}

/// <summary>CKV cannot be turned on: the blockers, each with its device and the way out.</summary>
public sealed class RequirementsException(IReadOnlyList<BlockerMessage> blockers)
    : Exception("Contact key verification cannot be turned on: " + string.Join("; ", blockers.Select(b => b.DeviceName is null ? b.Reason : $"{b.DeviceName}: {b.Reason}")))
{
    /// <summary>Every blocker.</summary>
    public IReadOnlyList<BlockerMessage> Blockers { get; } = blockers;
}
