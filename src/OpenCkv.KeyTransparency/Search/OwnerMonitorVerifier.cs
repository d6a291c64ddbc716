using OpenCkv.Crypto;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// A verified owner-monitoring response: the owner's new state (its start moved to the rightmost distinguished
/// entry checked), the new client state, and whether the walk reached its end — when it did not, the log stopped
/// early (a limit, or a version the owner does not know of: an update request with no values shows it), and the
/// owner asks again.
/// </summary>
public sealed record VerifiedOwnerMonitor(OwnerState Owner, ClientState State, bool Complete);

/// <summary>The owner's check of an owner-monitoring response (KT §13.4). Nothing given is changed.</summary>
public static class OwnerMonitorVerifier
{
    /// <summary>The request <paramref name="owner"/> sends from a client at <paramref name="last"/>.</summary>
    public static OwnerMonitorRequest Request(OwnerState owner, ulong? last)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new OwnerMonitorRequest(last, owner.Label, owner.Map, owner.Start, owner.GreatestVersion);
    }

    /// <summary>Verifies the response to <see cref="Request"/> of <paramref name="owner"/> from <paramref name="state"/>.</summary>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedOwnerMonitor Verify(
        CryptoSuite suite, Configuration configuration, ClientState? state, OwnerState owner, HeadAndProofResponse response, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(response);
        VerifierPreconditions.Check(configuration, state, state?.TreeSize, nameof(state));

        ulong size = SearchVerifier.TreeSizeOf(state, response.FullTreeHead);
        if (owner.Start >= size || owner.Map.Any(e => e.Position >= size))
        {
            throw SearchVerifier.Fail(VerificationFailure.InconsistentInput, $"the owner's start or map lies beyond the tree of {size} entries");
        }

        var session = new VerifierSession(suite, state, response.Proof, owner.VrfOutputs, owner.Commitments);
        UpdateView.Run(session, size, state?.TreeSize);
        IReadOnlyList<MonitorMapEntry> map = ContactMonitoring.Run(
            session, size, owner.Map, configuration.ReasonableMonitoringWindow, owner.Start, out IReadOnlyDictionary<ulong, ulong> awaitingOwner);
        (ulong? lastChecked, bool complete) = OwnerMonitoring.Run(
            session, size, owner.Start, configuration.ReasonableMonitoringWindow, owner.ExpectedAt, _ => !session.ProofsRemaining);
        (ClientState newState, ulong rightmost) = session.Finish(configuration, size, response.FullTreeHead, state);
        SearchVerifier.CheckFreshness(configuration, rightmost, nowMs);

        // A pair whose next entry is a distinguished one the owner algorithm has now verified is done (KT §8.2 step 2.4).
        ulong start = Math.Max(owner.Start, lastChecked ?? 0);
        var next = owner with
        {
            Map = map.Where(e => !(awaitingOwner.TryGetValue(e.Position, out ulong distinguished) && distinguished <= start)).ToArray(),
            Start = start,
            StartVersion = owner.ExpectedAt(start),
            Insertions = owner.Insertions.Where(i => i.Position > start).ToArray(),
        };
        return new VerifiedOwnerMonitor(next, newState, complete);
    }
}
