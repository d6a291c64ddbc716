using System.Text;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.Client.Verification;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using OpenCkv.Protocol;

namespace OpenCkv.Client;

public sealed partial class CkvDevice
{
    /// <summary>How many owner-monitoring passes one sync makes per handle before it leaves the rest for the next.</summary>
    private const int OwnerPasses = 10;

    /// <summary>
    /// Owner monitoring of the account's own handles (KT §8.3, §13.3–§13.5; DESIGN §5 self-monitoring). A handle is
    /// first initialized at the rightmost distinguished entry the device verified; each pass then learns every
    /// version published since the greatest it knows (an update with no values, whose versions must each be records
    /// this account signed) and walks the distinguished entries, which the log cannot complete while it hides a
    /// version from the owner. A version this account did not sign is the warning <c>own-account-mismatch</c>; a
    /// walk that stays stuck at a version the log will not show is the same warning; a response that does not
    /// verify is <c>proof-failed</c>. States are replaced only with what a verifier returned.
    /// </summary>
    public async Task<IReadOnlyList<Finding>> MonitorOwnHandlesAsync(CancellationToken cancellation = default)
    {
        var findings = new List<Finding>();
        foreach (HandleRecord held in _db.OwnRecords())
        {
            string label = LabelOf(held);
            try
            {
                OwnerState? owner = _db.OwnerState(label) ?? await InitializeOwnerAsync(held.Label, cancellation).ConfigureAwait(false);
                if (owner is null)
                {
                    continue;
                }

                (owner, Finding? learnt) = await LearnVersionsAsync(label, owner, cancellation).ConfigureAwait(false);
                if (learnt is not null)
                {
                    findings.Add(learnt);
                    continue;
                }

                for (int pass = 0; pass < OwnerPasses; pass++)
                {
                    ClientState? state = _db.KtState();
                    byte[] answer = await _api.KtAsync("owner-monitor", TlsCodec.Encode(OwnerMonitorVerifier.Request(owner, state?.TreeSize)), Credentials, cancellation).ConfigureAwait(false);
                    VerifiedOwnerMonitor result = OwnerMonitorVerifier.Verify(_suite, Configuration, state, owner, KtMessages.DecodeHeadAndProof(answer, Configuration.Mode), NowMs);
                    Save(label, result.Owner, result.State);
                    if (result.Complete)
                    {
                        break;
                    }

                    OwnerState before = owner;
                    (owner, learnt) = await LearnVersionsAsync(label, result.Owner, cancellation).ConfigureAwait(false);
                    if (learnt is not null)
                    {
                        findings.Add(learnt);
                        break;
                    }

                    if (owner.Start == before.Start && owner.GreatestVersion == before.GreatestVersion)
                    {
                        // Stuck before a version, and an update shows nothing new: the log hides a version from its owner.
                        findings.Add(Raise(new Finding(AlertCode.OwnAccountMismatch, $"the log stops owner monitoring of {label} at entry {owner.Start} but shows no version this device does not know")));
                        break;
                    }
                }
            }
            catch (Exception e) when (e is KtFormatException or KtVerificationException)
            {
                findings.Add(Raise(new Finding(AlertCode.ProofFailed, $"owner monitoring of this account's {label} did not verify: {e.Message}")));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or DirectoryApiException)
            {
                // Unreachable or refused: monitoring resumes at the next sync from the state kept.
            }
        }

        return findings;
    }

    /// <summary>Owner initialization (KT §13.3) at the rightmost distinguished entry of a walk verified from the device's view.</summary>
    private async Task<OwnerState?> InitializeOwnerAsync(byte[] label, CancellationToken cancellation)
    {
        ClientState? state = _db.KtState();
        var walk = new DistinguishedRequest(state?.TreeSize, null);
        byte[] walked = await _api.KtAsync("distinguished", TlsCodec.Encode(walk), null, cancellation).ConfigureAwait(false);
        VerifiedDistinguished distinguished = DistinguishedVerifier.Verify(_suite, Configuration, state, walk, KtMessages.DecodeHeadAndProof(walked, Configuration.Mode), NowMs);
        _db.SetKtState(distinguished.State);
        if (distinguished.Entries.Count == 0)
        {
            return null;
        }

        var request = new OwnerInitRequest(distinguished.State.TreeSize, label, distinguished.Entries[^1]);
        byte[] answer = await _api.KtAsync("owner-init", TlsCodec.Encode(request), Credentials, cancellation).ConfigureAwait(false);
        VerifiedOwnerInit init = OwnerInitVerifier.Verify(_suite, Configuration, distinguished.State, request, KtMessages.DecodeOwnerInit(answer, Configuration.Mode), NowMs);
        Save(Encoding.UTF8.GetString(label), init.Owner, init.State);
        return init.Owner;
    }

    /// <summary>
    /// Learns the versions published since the owner's greatest (KT §13.5, an update naming no value): each must be a
    /// record of this label at its version, signed by this account's key or an earlier one of its chain. The states
    /// are kept only when every version checked out.
    /// </summary>
    private async Task<(OwnerState Owner, Finding? Mismatch)> LearnVersionsAsync(string label, OwnerState owner, CancellationToken cancellation)
    {
        ClientState? state = _db.KtState();
        var request = new UpdateRequest(state?.TreeSize, owner.Label, owner.GreatestVersion, []);
        byte[] answer = await _api.KtAsync("update", TlsCodec.Encode(request), Credentials, cancellation).ConfigureAwait(false);
        UpdateResponse[] responses = KtMessages.DecodeUpdates(answer, Configuration.Mode);
        if (responses.Length == 0)
        {
            return (owner, null);
        }

        VerifiedUpdate update = UpdateVerifier.VerifyAll(_suite, Configuration, state, owner, request, responses, NowMs);
        uint version = owner.GreatestVersion is { } greatest ? greatest + 1 : 0;
        OwnKeys keys = ReadOwnKeys(owner.Label);
        foreach (LabelValue value in update.OthersValues)
        {
            string? why = OwnVersionProblem(value.Value, owner.Label, version, keys);
            if (why is not null)
            {
                return (owner, Raise(new Finding(AlertCode.OwnAccountMismatch, $"the log holds {label} version {version}, which this account did not sign: {why}")));
            }

            version++;
        }

        Save(label, update.Owner, update.State);
        return (update.Owner, null);
    }

    /// <summary>
    /// What a learnt version is judged against, read once per update: this account's id, the public key this device
    /// holds, the one it was asked to prove for a rotation (if any), and its own record of the label.
    /// </summary>
    private sealed record OwnKeys(byte[] Account, byte[] Held, byte[]? Pending, HandleRecord? Own);

    private OwnKeys ReadOwnKeys(byte[] label)
    {
        using Crypto.Signatures.EcdsaP256PrivateKey current = AccountKey();
        return new OwnKeys(AccountId, current.PublicKey.Encoded.ToArray(), _secrets.Read(Keys.NextAccountSecret) is { } pending ? PublicOf(pending) : null, _db.OwnRecords().FirstOrDefault(r => r.Label.AsSpan().SequenceEqual(label)));
    }

    /// <summary>
    /// Null when <paramref name="value"/> is a record of this account at <paramref name="version"/>; otherwise why
    /// not. Keys only move forward along the chain, so a version newer than the own record this device holds must be
    /// signed by the key it holds, or by the key a circle device asked it to prove for a rotation, cross-signed by
    /// the held key (the rotation may be published while this device is between two steps of a sync). An older
    /// version may also be signed by a key the held record's chain replaced. A retired key — one a lost device took
    /// with it — therefore signs nothing new unnoticed.
    /// </summary>
    private static string? OwnVersionProblem(byte[] value, byte[] label, uint version, OwnKeys keys)
    {
        HandleRecord record;
        try
        {
            record = RecordCheck.Verify(value, label, version);
        }
        catch (RecordException e)
        {
            return e.Message;
        }

        if (!record.AccountId.AsSpan().SequenceEqual(keys.Account))
        {
            return "it names another account";
        }

        if (record.AccountKey.AsSpan().SequenceEqual(keys.Held) || IsPendingRotation(record, keys.Held, keys.Pending))
        {
            return null;
        }

        bool replaced = keys.Own is not null && keys.Own.Chain.Any(link => link.PreviousKey.AsSpan().SequenceEqual(record.AccountKey));
        if (!replaced)
        {
            return "it is signed by a key this account never held";
        }

        return version <= keys.Own!.Version ? null : $"it is signed by a key this account retired before version {keys.Own.Version}";
    }

    /// <summary>The public half of an account private key.</summary>
    private static byte[] PublicOf(byte[] privateKey)
    {
        using Crypto.Signatures.EcdsaP256PrivateKey key = Crypto.Signatures.EcdsaP256PrivateKey.Import(privateKey);
        return key.PublicKey.Encoded.ToArray();
    }

    /// <summary>
    /// Whether <paramref name="record"/> is signed by <paramref name="pending"/>, the key this device was asked to
    /// prove for a rotation, and its chain's newest link cross-signs that key with the key this device holds.
    /// </summary>
    private static bool IsPendingRotation(HandleRecord record, byte[] heldKey, byte[]? pending) =>
        pending is not null && record.Chain.Count > 0 && record.Chain[^1].PreviousKey.AsSpan().SequenceEqual(heldKey) &&
        record.AccountKey.AsSpan().SequenceEqual(pending);

    private void Save(string label, OwnerState owner, ClientState state) =>
        _db.InTransaction(() =>
        {
            _db.SetOwnerState(label, owner);
            _db.SetKtState(state);
        });

    private Finding Raise(Finding finding)
    {
        _db.Raise(NowMs, finding.Code, null, finding.Detail);
        return finding;
    }
}
