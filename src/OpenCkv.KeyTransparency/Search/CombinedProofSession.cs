using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// The running association of log entries with timestamps and prefix-tree roots while one response is built or
/// checked (KT §12.3, Appendix C). The algorithms ask for "the timestamp of entry x" and "a search ladder at entry
/// x"; the prover's session answers from the log and records, the verifier's consumes the response's queues. The
/// same algorithms run on both sides, so they agree on every field's contents and order.
/// </summary>
internal abstract class CombinedProofSession
{
    private readonly Dictionary<ulong, ulong> _timestamps = [];
    private readonly Dictionary<ulong, Hash32> _prefixRoots = [];
    private readonly Dictionary<ulong, uint> _ladderTargets = [];

    /// <summary>Entries whose timestamp the client retained (the previous frontier): never sent again.</summary>
    protected abstract bool IsRetained(ulong position, out ulong timestamp);

    /// <summary>The timestamp of an entry the client did not retain: read (prover) or dequeued (verifier).</summary>
    protected abstract ulong NextTimestamp(ulong position);

    /// <summary>A search ladder at an entry: run against the prefix tree (prover) or a dequeued proof (verifier).
    /// Returns the ladder and the prefix-tree root the lookups lead to.</summary>
    protected abstract (LadderResult Ladder, Hash32 PrefixRoot) NextLadder(
        ulong position, uint target, IReadOnlySet<uint> leftInclusions, IReadOnlySet<uint> rightNonInclusions);

    /// <summary>Lookups at an entry that must all show inclusion (a monitoring ladder, KT §8.1, or the new versions
    /// of an update, §9). Returns the root.</summary>
    protected abstract Hash32 NextInclusionLookups(ulong position, IReadOnlyList<uint> versions);

    /// <summary>A single lookup of <paramref name="version"/> at an entry (KT §7.2 step 6.3); returns presence and root.</summary>
    protected abstract (bool Present, Hash32 PrefixRoot) NextLookup(ulong position, uint version);

    /// <summary>Positions given a timestamp in this response (not retained), with their timestamps.</summary>
    public IReadOnlyDictionary<ulong, ulong> ProvidedTimestamps => _timestamps;

    /// <summary>Positions whose prefix root a ladder established.</summary>
    public IReadOnlyDictionary<ulong, Hash32> LadderRoots => _prefixRoots;

    /// <summary>The timestamp of entry <paramref name="position"/>, asked for once and remembered.</summary>
    public ulong Timestamp(ulong position)
    {
        if (IsRetained(position, out ulong retained))
        {
            return retained;
        }

        if (!_timestamps.TryGetValue(position, out ulong timestamp))
        {
            timestamp = NextTimestamp(position);
            _timestamps[position] = timestamp;
        }

        return timestamp;
    }

    /// <summary>A search ladder at <paramref name="position"/>; every ladder at one entry must lead to one root.</summary>
    public LadderResult SearchLadder(ulong position, uint target, IReadOnlySet<uint> leftInclusions, IReadOnlySet<uint> rightNonInclusions)
    {
        (LadderResult ladder, Hash32 root) = NextLadder(position, target, leftInclusions, rightNonInclusions);
        Associate(position, root);
        _ladderTargets[position] = target;
        return ladder;
    }

    /// <summary>A monitoring ladder for <paramref name="target"/> at <paramref name="position"/> (KT §8.1).</summary>
    public void MonitoringLadder(ulong position, uint target)
    {
        Associate(position, NextInclusionLookups(position, BinaryLadder.Monitoring(target)));
        _ladderTargets[position] = target;
    }

    /// <summary>Looks up <paramref name="versions"/> at <paramref name="position"/>; every one must be included.</summary>
    public void InclusionLookups(ulong position, IReadOnlyList<uint> versions) => Associate(position, NextInclusionLookups(position, versions));

    /// <summary>The target of the ladder already given at <paramref name="position"/> in this response, if any
    /// (KT §8.2 step 3.1).</summary>
    public uint? LadderTargetAt(ulong position) => _ladderTargets.TryGetValue(position, out uint target) ? target : null;

    /// <summary>Looks up one version at <paramref name="position"/>; the root must agree with any earlier proof there.</summary>
    public bool Lookup(ulong position, uint version)
    {
        (bool present, Hash32 root) = NextLookup(position, version);
        Associate(position, root);
        return present;
    }

    private void Associate(ulong position, Hash32 root)
    {
        if (_prefixRoots.TryGetValue(position, out Hash32 earlier) && earlier != root)
        {
            throw new KtVerificationException(
                VerificationFailure.InconsistentInput, $"two prefix proofs for entry {position} lead to different roots", earlier, root);
        }

        _prefixRoots[position] = root;
    }
}
