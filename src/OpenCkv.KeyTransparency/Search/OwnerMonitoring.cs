using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// KT §8.3, the second owner algorithm: an in-order walk of the distinguished entries right of the owner's start,
/// a full search ladder at each for the greatest version the owner expects there. Run by both sides; they differ
/// only in what they expect and when they stop — the log from the truth and its own limits, the owner from its
/// state and the end of the response.
/// </summary>
internal sealed class OwnerMonitoring
{
    private static readonly IReadOnlySet<uint> None = new HashSet<uint>();

    private readonly CombinedProofSession _session;
    private readonly ulong _treeSize;
    private readonly ulong _start;
    private readonly ulong _window;
    private readonly Func<ulong, uint?> _expectedAt;
    private readonly Func<ulong, bool> _stopAt;

    private OwnerMonitoring(CombinedProofSession session, ulong treeSize, ulong start, ulong window, Func<ulong, uint?> expectedAt, Func<ulong, bool> stopAt)
    {
        _session = session;
        _treeSize = treeSize;
        _start = start;
        _window = window;
        _expectedAt = expectedAt;
        _stopAt = stopAt;
    }

    /// <summary>The rightmost entry whose ladder was checked, if any.</summary>
    private ulong? LastChecked { get; set; }

    /// <summary>True once step 4 stopped the walk.</summary>
    private bool Stopped { get; set; }

    /// <summary>
    /// Runs the walk. <paramref name="expectedAt"/> gives the greatest version expected at an entry (null: the
    /// label is expected absent, shown by a ladder for version 0); <paramref name="stopAt"/> is step 4's stop
    /// condition. Returns the rightmost entry checked and whether the walk ran to its end.
    /// </summary>
    /// <exception cref="KtVerificationException">A ladder contradicts the expected greatest version.</exception>
    public static (ulong? LastChecked, bool Complete) Run(
        CombinedProofSession session, ulong treeSize, ulong start, ulong window, Func<ulong, uint?> expectedAt, Func<ulong, bool> stopAt)
    {
        var walk = new OwnerMonitoring(session, treeSize, start, window, expectedAt, stopAt);
        walk.Visit(ImplicitTree.Root(treeSize), 0, session.Timestamp(treeSize - 1));
        return (walk.LastChecked, !walk.Stopped);
    }

    private void Visit(ulong node, ulong left, ulong right)
    {
        // Step 1, with the bounds of KT §6.1; timestamps out of order count as too close (they fail later anyway).
        if (Stopped || right < left || right - left < _window)
        {
            return;
        }

        // Step 2: at or left of the owner's start, only the right subtree can hold new distinguished entries.
        if (node <= _start)
        {
            if (ImplicitTree.HasRight(node, _treeSize))
            {
                Visit(ImplicitTree.Right(node, _treeSize), _session.Timestamp(node), right);
            }

            return;
        }

        // Step 3.
        if (ImplicitTree.HasLeft(node))
        {
            Visit(ImplicitTree.Left(node), left, _session.Timestamp(node));
            if (Stopped)
            {
                return;
            }
        }

        // Step 4.
        if (_stopAt(node))
        {
            Stopped = true;
            return;
        }

        // Step 5: the entry's timestamp binds the ladder into the log tree.
        uint? expected = _expectedAt(node);
        ulong timestamp = _session.Timestamp(node);
        LadderResult ladder = _session.SearchLadder(node, expected ?? 0, None, None);
        if (expected is null ? !ladder.LessThanTarget : !ladder.EqualsTarget)
        {
            throw new KtVerificationException(
                VerificationFailure.VersionMismatch,
                expected is null
                    ? $"the ladder at distinguished entry {node} shows the label, which the owner expects absent"
                    : $"the ladder at distinguished entry {node} contradicts the owner's greatest version {expected} there");
        }

        LastChecked = node;

        // Step 6.
        if (ImplicitTree.HasRight(node, _treeSize))
        {
            Visit(ImplicitTree.Right(node, _treeSize), timestamp, right);
        }
    }
}
