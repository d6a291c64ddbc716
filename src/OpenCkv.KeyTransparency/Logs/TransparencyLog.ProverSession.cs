using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>The prover's half of a <see cref="CombinedProofSession"/>: answers from the log and records.</summary>
    private sealed class ProverSession : CombinedProofSession
    {
        private readonly TransparencyLog _log;
        private readonly LabelHistory _history;
        private readonly PublishedVersion[] _versions;
        private readonly HashSet<ulong> _retained;
        private readonly List<ulong> _timestamps = [];
        private readonly List<PrefixProof> _prefixProofs = [];

        private readonly ulong? _auditorSize;
        private readonly ulong _size;

        public ProverSession(TransparencyLog log, LabelHistory history, PublishedVersion[] versions, ulong size, ulong? previousSize, ulong? auditorSize)
        {
            _auditorSize = auditorSize;
            _size = size;
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
            PrefixVersion tree = TreeAt(position);
            _prefixProofs.Add(_log._store.PrefixVersions.Search(tree, keys));
            return (ladder, tree.Root);
        }

        protected override Hash32 NextInclusionLookups(ulong position, IReadOnlyList<uint> versions)
        {
            if (!versions.All(v => ExistsAt(v, position)))
            {
                throw new InvalidOperationException($"Versions {string.Join(", ", versions)} are not all in entry {position}: the request was not checked.");
            }

            PrefixVersion tree = TreeAt(position);
            _prefixProofs.Add(_log._store.PrefixVersions.Search(tree, versions.Select(OutputOf).ToArray()));
            return tree.Root;
        }

        private Hash32 OutputOf(uint version) => _history.Output(version, v => _log.EvaluateVrf(_history.Label, v));

        protected override (bool Present, Hash32 PrefixRoot) NextLookup(ulong position, uint version)
        {
            PrefixVersion tree = TreeAt(position);
            _prefixProofs.Add(_log._store.PrefixVersions.Search(tree, [_history.Output(version, v => _log.EvaluateVrf(_history.Label, v))]));
            return (ExistsAt(version, position), tree.Root);
        }

        /// <summary>
        /// The prefix tree of an entry a proof looks into. An expired entry's tree is refused: the log need not keep it
        /// (KT §7.1; the searches skip expired entries) and pruning deletes it (<see cref="ReclaimExpiredTrees"/>), so
        /// a client that stayed away longer than the maximum lifetime gets this answer whether or not pruning ran.
        /// </summary>
        private PrefixVersion TreeAt(ulong position) => _log.IsExpired(position, _size)
            ? throw new ArgumentException(
                $"Entry {position} has passed the log's maximum lifetime and its prefix tree is not kept (KT §7.1), so no proof can go through it.")
            : _log._store.Entry(position).Tree;

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
            IReadOnlyList<Hash32> elements = LogTreeProof.Elements(_log._store.LogTree, new LogProofShape(size, provided, previousSize ?? 0, _auditorSize));
            return new CombinedTreeProof(_timestamps, _prefixProofs, prefixRoots, new InclusionProof(elements));
        }
    }
}
