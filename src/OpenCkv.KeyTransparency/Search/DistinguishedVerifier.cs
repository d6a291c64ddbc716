using OpenCkv.Crypto;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// A verified walk of the recent distinguished entries: the entries, left to right; the log root at each size
/// where one of them was the rightmost entry (KT §10.2), plus the root at the response's own tree size, all by
/// tree size; the signed head that commits to them; and the new client state.
/// </summary>
public sealed record VerifiedDistinguished(
    IReadOnlyList<ulong> Entries, IReadOnlyDictionary<ulong, Hash32> Roots, TreeHead Head, ClientState State)
{
    /// <summary>True when verified without retained state (the request had no <c>last</c>): anyone holding the
    /// configuration can check the response again, so it can serve as evidence.</summary>
    public bool SelfContained { get; init; }

    /// <summary>KT §10.2 <c>DistinguishedHead</c>: the roots at the distinguished entries, left to right.</summary>
    public IReadOnlyList<Hash32> DistinguishedHead => Entries.Where(e => Roots.ContainsKey(e + 1)).Select(e => Roots[e + 1]).ToArray();
}

/// <summary>The client's check of a <c>DistinguishedResponse</c> (KT §13.6). Nothing given is changed.</summary>
public static class DistinguishedVerifier
{
    /// <summary>
    /// Verifies a response to <paramref name="request"/> sent from <paramref name="state"/> (null, with no
    /// <c>last</c>, for a self-contained response such as one a peer passed on).
    /// </summary>
    /// <exception cref="KtVerificationException">Any check failed; the exception names which and carries the values.</exception>
    public static VerifiedDistinguished Verify(
        CryptoSuite suite, Configuration configuration, ClientState? state, DistinguishedRequest request, HeadAndProofResponse response, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        VerifierPreconditions.Check(configuration, state, request.Last, nameof(request));

        ulong size = SearchVerifier.TreeSizeOf(state, response.FullTreeHead);
        var session = new VerifierSession(suite, state, response.Proof, new Dictionary<uint, Hash32>(), new Dictionary<uint, Hash32>());
        UpdateView.Run(session, size, state?.TreeSize);
        IReadOnlyList<ulong> entries = DistinguishedWalk.Run(session, size, request.Stop, configuration);
        (ClientState newState, ulong rightmost) = session.Finish(configuration, size, response.FullTreeHead, state, entries.Select(e => e + 1).ToArray());
        SearchVerifier.CheckFreshness(configuration, rightmost, nowMs);

        var roots = new Dictionary<ulong, Hash32>(session.RootsAt) { [size] = session.Root };
        return new VerifiedDistinguished(entries, roots, newState.Head, newState) { SelfContained = state is null };
    }
}
