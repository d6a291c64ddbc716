using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>
/// KT §6.1 for one path: which entries from the root down to a given entry are distinguished. The recursive
/// definition only ever descends through distinguished entries, so walking the path top-down decides every entry
/// on it and asks for the timestamps of exactly the path entries above the first non-distinguished one (KT §12.3,
/// contact monitoring: "stopping if a non-distinguished log entry is established").
/// </summary>
internal static class DistinguishedEntries
{
    /// <summary>The distinguished entries on the path from the root to <paramref name="position"/>, inclusive.</summary>
    public static HashSet<ulong> OnPathTo(CombinedProofSession session, ulong position, ulong treeSize, ulong window)
    {
        ulong right = session.Timestamp(treeSize - 1);
        ulong left = 0;
        var distinguished = new HashSet<ulong>();
        ulong node = ImplicitTree.Root(treeSize);
        while (true)
        {
            // "Less than" the window, so a window of zero makes every entry distinguished (KT §6.1). Timestamps
            // out of order count as too close; the monotonicity check rejects such a proof anyway.
            if (right < left || right - left < window)
            {
                return distinguished;
            }

            distinguished.Add(node);
            if (node == position)
            {
                return distinguished;
            }

            ulong timestamp = session.Timestamp(node);
            if (position < node)
            {
                right = timestamp;
                node = ImplicitTree.Left(node);
            }
            else
            {
                left = timestamp;
                node = ImplicitTree.Right(node, treeSize);
            }
        }
    }
}
