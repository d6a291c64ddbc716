using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// KT §10.1: a right-to-left depth-first walk of the recent distinguished entries. "Recent" here is the project's
/// definition (DESIGN §5): the <see cref="RecentCount"/> rightmost distinguished entries that are not expired. Run
/// identically by the log and the client; it asks only for timestamps.
/// </summary>
internal static class DistinguishedWalk
{
    /// <summary>How many distinguished entries are recent: the draft's recommended ceiling.</summary>
    public const int RecentCount = 10;

    /// <summary>
    /// Walks the tree of <paramref name="treeSize"/> entries and returns the recent distinguished entries, left to
    /// right, stopping early at <paramref name="stop"/> when given.
    /// </summary>
    public static IReadOnlyList<ulong> Run(CombinedProofSession session, ulong treeSize, ulong? stop, Configuration configuration)
    {
        ulong rightmost = session.Timestamp(treeSize - 1);
        var recent = new List<ulong>();
        bool stopped = false;

        void Visit(ulong node, ulong left, ulong right)
        {
            // Step 1 (KT §6.1 bounds; timestamps out of order count as too close and fail later anyway).
            if (stopped || right < left || right - left < configuration.ReasonableMonitoringWindow)
            {
                return;
            }

            // Step 2: every entry that gets here has its timestamp provided (KT §12.3).
            ulong timestamp = session.Timestamp(node);
            if (ImplicitTree.HasRight(node, treeSize))
            {
                Visit(ImplicitTree.Right(node, treeSize), timestamp, right);
            }

            // Steps 3 and 4. The walk goes right to left and both conditions only grow more true to the left, so
            // the first entry that meets one ends the walk: the draft's local stops have the same effect.
            if (stopped || (stop is { } s && node <= s) ||
                recent.Count >= RecentCount ||
                FixedVersionSearch.IsExpired(timestamp, rightmost, configuration.MaximumLifetime))
            {
                stopped = true;
                return;
            }

            recent.Add(node);

            // Step 5.
            if (ImplicitTree.HasLeft(node))
            {
                Visit(ImplicitTree.Left(node), left, timestamp);
            }
        }

        Visit(ImplicitTree.Root(treeSize), 0, rightmost);
        recent.Reverse();
        return recent;
    }
}
