using System.Buffers.Binary;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.Client;

public sealed partial class CkvDevice
{
    /// <summary>How many fresh own walks a peer's unlinkable heads get before they are a warning (DESIGN §5).</summary>
    private const int UnlinkableTries = 3;

    /// <summary>
    /// This device's self-contained distinguished-heads response (KT §13.6, fetched without <c>last</c>) to pass on
    /// in messages, fetched at most once per <see cref="CkvOptions.GossipRefresh"/>. Each fetch is tied to the device's own view: a second walk from
    /// the retained state must agree with it (<see cref="ForkCheck"/>), or the server showed this device two logs —
    /// a <c>fork</c> warning. Null when the log cannot be reached: the message goes without it.
    /// </summary>
    private async Task<byte[]?> OwnGossipAsync(bool fresh, CancellationToken cancellation)
    {
        ulong fetched = _db.Setting(Keys.GossipFetched) is { Length: 8 } at ? BinaryPrimitives.ReadUInt64BigEndian(at) : 0;
        if (!fresh && _db.Setting(Keys.Gossip) is { } cached && NowMs - fetched < (ulong)Options.GossipRefresh.TotalMilliseconds)
        {
            return cached;
        }

        try
        {
            byte[] selfContained = await _api.KtAsync("distinguished", TlsCodec.Encode(new DistinguishedRequest(null, null)), null, cancellation).ConfigureAwait(false);
            VerifiedDistinguished standalone = DistinguishedVerifier.Verify(
                _suite, Configuration, null, new DistinguishedRequest(null, null), KtMessages.DecodeHeadAndProof(selfContained, Configuration.Mode), NowMs);
            ClientState? state = _db.KtState();
            var linkedRequest = new DistinguishedRequest(state?.TreeSize, null);
            byte[] linkedBytes = await _api.KtAsync("distinguished", TlsCodec.Encode(linkedRequest), null, cancellation).ConfigureAwait(false);
            VerifiedDistinguished linked = DistinguishedVerifier.Verify(_suite, Configuration, state, linkedRequest, KtMessages.DecodeHeadAndProof(linkedBytes, Configuration.Mode), NowMs);
            ForkComparison comparison = ForkCheck.Compare(linked, standalone);
            byte[] now = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(now, NowMs);
            _db.InTransaction(() =>
            {
                _db.SetKtState(linked.State);
                if (comparison.Verdict == ForkVerdict.Fork)
                {
                    _db.Raise(NowMs, AlertCode.Fork, null, $"the log showed this device two different roots at size {comparison.Size}: {comparison.Mine} and {comparison.Theirs}");
                }
                else
                {
                    _db.SetSetting(Keys.Gossip, selfContained);
                    _db.SetSetting(Keys.GossipFetched, now);
                }
            });
            return comparison.Verdict == ForkVerdict.Fork ? null : selfContained;
        }
        catch (Exception e) when (e is HttpRequestException or DirectoryApiException or TaskCanceledException)
        {
            return null;
        }
        catch (Exception e) when (e is KtFormatException or KtVerificationException)
        {
            _db.Raise(NowMs, AlertCode.ProofFailed, null, $"the log's distinguished heads did not verify: {e.Message}");
            return null;
        }
    }

    /// <summary>The gossip to put in an outgoing message: the own walk in the configured fraction of messages.</summary>
    private async Task<byte[]> GossipForMessageAsync(bool always, CancellationToken cancellation) =>
        always || Random.Shared.NextDouble() < Options.GossipFraction ? await OwnGossipAsync(fresh: false, cancellation).ConfigureAwait(false) ?? [] : [];

    /// <summary>
    /// Compares a peer's gossiped distinguished heads with this device's own (DESIGN §5, <see cref="ForkWatch"/>): a
    /// proven fork is the warning <c>fork</c>, with both responses kept as evidence; heads with no size in common
    /// are compared again with fresh own walks, and are the warning <c>heads-unlinkable</c> only when they stay so.
    /// A peer response that does not verify proves nothing and is ignored.
    /// </summary>
    private async Task CheckGossipAsync(byte[] peer, string? label, CancellationToken cancellation)
    {
        var watch = new ForkWatch(_suite, Configuration, UnlinkableTries, (ulong)Options.GracePeriod.TotalMilliseconds);
        for (int attempt = 0; attempt < UnlinkableTries; attempt++)
        {
            byte[]? own = await OwnGossipAsync(fresh: attempt > 0, cancellation).ConfigureAwait(false);
            if (own is null)
            {
                return;
            }

            ForkDecision decision;
            try
            {
                VerifiedDistinguished mine = DistinguishedVerifier.Verify(_suite, Configuration, null, new DistinguishedRequest(null, null), KtMessages.DecodeHeadAndProof(own, Configuration.Mode), NowMs);
                decision = watch.Compare(mine, own, peer, NowMs);
            }
            catch (Exception e) when (e is KtFormatException or KtVerificationException)
            {
                return;
            }

            switch (decision.Action)
            {
                case ForkAction.None:
                    return;
                case ForkAction.WarnFork:
                    ForkEvidence evidence = decision.Evidence!;
                    _db.InTransaction(() =>
                    {
                        long id = _db.Raise(NowMs, AlertCode.Fork, label, $"a contact's device holds a signed head with root {evidence.PeerRoot} at size {evidence.Size}, where this device's has {evidence.OwnRoot}: the log showed you different histories");
                        _db.AddEvidence(id, evidence.OwnResponse, evidence.PeerResponse);
                    });
                    return;
                case ForkAction.WarnUnlinkable:
                    _db.Raise(NowMs, AlertCode.HeadsUnlinkable, label, "a contact's device holds distinguished heads that never share a tree size with this device's view");
                    return;
            }
        }
    }
}
