using OpenCkv.Crypto;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>What a device should do after comparing a peer's distinguished heads with its own (DESIGN §5).</summary>
public enum ForkAction
{
    /// <summary>The views agree: nothing to do.</summary>
    None = 1,

    /// <summary>No shared tree size yet: fetch a fresh own walk (self-contained, and checked against the own view by
    /// the client's usual consistency proofs) and compare again.</summary>
    Resync,

    /// <summary>Still unlinkable after the allowed tries or the grace period: raise a warning.</summary>
    WarnUnlinkable,

    /// <summary>A proven fork: raise a warning and keep the evidence.</summary>
    WarnFork,
}

/// <summary>
/// A proven fork: the tree size, the root each side's signed head commits to there, and both self-contained
/// responses as received, which anyone holding the pinned configuration can check again.
/// </summary>
public sealed record ForkEvidence(ulong Size, Hash32 OwnRoot, Hash32 PeerRoot, byte[] OwnResponse, byte[] PeerResponse);

/// <summary>The outcome of one comparison: what to do, and the evidence when it is a fork.</summary>
public sealed record ForkDecision(ForkAction Action, ForkEvidence? Evidence = null);

/// <summary>
/// Fork detection as DESIGN §5 describes it, for one peer: a peer's self-contained distinguished-heads response is
/// verified on its own (no retained state, so it cannot be made to look consistent with the own view), then compared
/// size by size with the device's own walk (<see cref="ForkCheck"/>). Different roots at a shared size are a fork;
/// no shared size asks for a resynchronisation, and becomes a warning only once it has stayed unlinkable for
/// <see cref="MaxTries"/> comparisons or longer than the grace period. Pure state; the caller fetches and sends.
/// </summary>
public sealed class ForkWatch(CryptoSuite suite, Configuration configuration, int maxTries, ulong gracePeriodMs)
{
    private int _unlinkableTries;
    private ulong? _unlinkableSince;

    /// <summary>Comparisons that may stay unlinkable before a warning.</summary>
    public int MaxTries { get; } = maxTries;

    /// <summary>
    /// Verifies <paramref name="peerResponse"/> (a <c>DistinguishedResponse</c> to a request with no <c>last</c>) and
    /// compares it with the device's own verified walk <paramref name="own"/>, whose response bytes are
    /// <paramref name="ownResponse"/>. The own walk must also be self-contained, so that both halves of any
    /// evidence verify on their own; a resync therefore fetches a fresh walk without <c>last</c>.
    /// </summary>
    /// <exception cref="Verification.KtVerificationException">The peer's response does not verify: it proves nothing
    /// either way.</exception>
    /// <exception cref="KtFormatException">The peer's response is malformed.</exception>
    public ForkDecision Compare(VerifiedDistinguished own, byte[] ownResponse, byte[] peerResponse, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(ownResponse);
        ArgumentNullException.ThrowIfNull(peerResponse);
        if (!own.SelfContained)
        {
            // Evidence must be checkable by anyone: the own side too is a walk fetched without 'last'.
            throw new ArgumentException("The own walk must be self-contained (requested without 'last').", nameof(own));
        }
        var reader = new TlsReader(peerResponse);
        HeadAndProofResponse decoded = HeadAndProofResponse.Decode(ref reader, configuration.Mode);
        reader.EnsureEnd();
        VerifiedDistinguished peer = DistinguishedVerifier.Verify(suite, configuration, null, new DistinguishedRequest(null, null), decoded, nowMs);

        ForkComparison comparison = ForkCheck.Compare(own, peer);
        switch (comparison.Verdict)
        {
            case ForkVerdict.Fork:
                return new ForkDecision(
                    ForkAction.WarnFork,
                    new ForkEvidence(comparison.Size!.Value, comparison.Mine!.Value, comparison.Theirs!.Value, ownResponse, peerResponse));
            case ForkVerdict.Consistent:
                _unlinkableTries = 0;
                _unlinkableSince = null;
                return new ForkDecision(ForkAction.None);
            default:
                _unlinkableTries++;
                _unlinkableSince ??= nowMs;
                bool tooLong = nowMs > _unlinkableSince.Value && nowMs - _unlinkableSince.Value > gracePeriodMs; // a clock stepping back is not time passing
                return new ForkDecision(_unlinkableTries >= MaxTries || tooLong ? ForkAction.WarnUnlinkable : ForkAction.Resync);
        }
    }
}
