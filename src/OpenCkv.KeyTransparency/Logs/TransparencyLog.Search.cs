using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Answers a greatest-version or fixed-version search (KT §13.1) by running the client's own algorithms —
    /// updating the view, then the search (§6.3 or §7.2) — against the log, recording every timestamp and prefix proof the first
    /// time the algorithm asks for it (KT Appendix C).
    /// </summary>
    /// <exception cref="ArgumentException">The label or the requested version does not exist or cannot be proven
    /// (the draft has no negative answers), or <c>last</c> is not a size this log had.</exception>
    public SearchResponse Search(SearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Only the start is taken under the gate; the response is built for the size current then, from immutable
        // entries and tree versions, while new entries may be sequenced.
        (ulong size, SignedView view, LabelHistory? history) = Begin(request.Label, request.Last, nameof(request));
        PublishedVersion[] versions = history?.VersionsIn(size) ?? [];
        if (history is null || versions.Length == 0)
        {
            throw new ArgumentException("The label has no published version.", nameof(request));
        }

        uint target = request.Version ?? (uint)(versions.Length - 1);
        if (target >= versions.Length)
        {
            throw new ArgumentException($"The label has no version {target}.", nameof(request));
        }

        var session = new ProverSession(this, history, versions, size, request.Last, AuditedSize(request.Last, size, view));
        UpdateView.Run(session, size, request.Last);
        try
        {
            if (request.Version is null)
            {
                GreatestVersionSearch.Run(session, size, target, Configuration.ReasonableMonitoringWindow);
            }
            else
            {
                FixedVersionSearch.Run(session, size, target, Configuration);
            }
        }
        catch (Verification.KtVerificationException e)
        {
            // Running the client's algorithm on honest data fails only when the version cannot be shown
            // (it expired): there is no negative answer to give (KT §13.1).
            throw new ArgumentException($"Version {target} cannot be proven: {e.Detail}.", nameof(request), e);
        }

        CombinedTreeProof proof = session.Finish(size, request.Last);

        // KT §13.1: VRF proofs for the target's ladder; commitments for versions that exist, except the target.
        BinaryLadderStep[] steps = BinaryLadder.Search(target, target)
            .Select(v => new BinaryLadderStep(
                history.Proof(v, version => ProveVrf(history.Label, version)),
                v != target && v < versions.Length ? versions[v].Commitment : null))
            .ToArray();

        PublishedVersion answered = versions[target];
        if (answered.Opening.Length == 0)
        {
            throw new VersionErasedException(target);
        }

        return new SearchResponse(FullHeadFor(request.Last, size, view), request.Version is null ? target : null, answered.Opening, answered.Value, steps, proof);
    }
}
