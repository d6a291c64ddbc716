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
        (ulong size, TreeHead head, LabelHistory? history) = Begin(request.Label, request.Last, nameof(request));
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

        var session = new ProverSession(this, history, versions, request.Last);
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
        return new SearchResponse(FullHeadFor(request.Last, size, head), request.Version is null ? target : null, answered.Opening, answered.Value, steps, proof);
    }

    /// <summary>The prover's half of a <see cref="CombinedProofSession"/>: answers from the log and records.</summary>
    private sealed class ProverSession : CombinedProofSession
    {
        private readonly TransparencyLog _log;
        private readonly LabelHistory _history;
        private readonly PublishedVersion[] _versions;
        private readonly HashSet<ulong> _retained;
        private readonly List<ulong> _timestamps = [];
        private readonly List<PrefixProof> _prefixProofs = [];

        public ProverSession(TransparencyLog log, LabelHistory history, PublishedVersion[] versions, ulong? previousSize)
        {
            _log = log;
            _history = history;
            _versions = versions;
            _retained = previousSize is { } m ? [.. ImplicitTree.Frontier(m)] : [];
        }

        protected override bool IsRetained(ulong position, out ulong timestamp)
        {
            timestamp = _log._store.Entry(position).Timestamp;
            return _retained.Contains(position);
        }

        protected override ulong NextTimestamp(ulong position)
        {
            ulong timestamp = _log._store.Entry(position).Timestamp;
            _timestamps.Add(timestamp);
            return timestamp;
        }

        protected override (LadderResult Ladder, Hash32 PrefixRoot) NextLadder(
            ulong position, uint target, IReadOnlySet<uint> leftInclusions, IReadOnlySet<uint> rightNonInclusions)
        {
            LadderResult ladder = LadderWalker.Walk(target, v => ExistsAt(v, position), leftInclusions, rightNonInclusions);
            Hash32[] keys = ladder.LookedUp
                .Select(v => _history.Output(v, version => _log.EvaluateVrf(_history.Label, version)))
                .ToArray();
            PrefixVersion tree = _log._store.Entry(position).Tree;
            _prefixProofs.Add(_log._store.PrefixVersions.Search(tree, keys));
            return (ladder, tree.Root);
        }

        protected override Hash32 NextInclusionLookups(ulong position, IReadOnlyList<uint> versions)
        {
            if (!versions.All(v => ExistsAt(v, position)))
            {
                throw new InvalidOperationException($"Versions {string.Join(", ", versions)} are not all in entry {position}: the request was not checked.");
            }

            PrefixVersion tree = _log._store.Entry(position).Tree;
            _prefixProofs.Add(_log._store.PrefixVersions.Search(tree, versions.Select(OutputOf).ToArray()));
            return tree.Root;
        }

        private Hash32 OutputOf(uint version) => _history.Output(version, v => _log.EvaluateVrf(_history.Label, v));

        protected override (bool Present, Hash32 PrefixRoot) NextLookup(ulong position, uint version)
        {
            PrefixVersion tree = _log._store.Entry(position).Tree;
            _prefixProofs.Add(_log._store.PrefixVersions.Search(tree, [_history.Output(version, v => _log.EvaluateVrf(_history.Label, v))]));
            return (ExistsAt(version, position), tree.Root);
        }

        /// <summary>True when version <paramref name="version"/> was in the prefix tree of entry <paramref name="position"/>.</summary>
        private bool ExistsAt(uint version, ulong position) => version < _versions.Length && _versions[version].Position <= position;

        /// <summary>Adds the prefix roots of entries with a timestamp but no ladder, and the log-tree proof.</summary>
        public CombinedTreeProof Finish(ulong size, ulong? previousSize)
        {
            ulong[] provided = ProvidedTimestamps.Keys.Order().ToArray();
            Hash32[] prefixRoots = provided
                .Where(p => !LadderRoots.ContainsKey(p))
                .Select(p => _log._store.Entry(p).Tree.Root)
                .ToArray();
            IReadOnlyList<Hash32> elements = LogTreeProof.Elements(_log._store.LogTree, new LogProofShape(size, provided, previousSize ?? 0));
            return new CombinedTreeProof(_timestamps, _prefixProofs, prefixRoots, new InclusionProof(elements));
        }
    }
}
