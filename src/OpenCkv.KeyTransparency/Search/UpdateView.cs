using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Search;

/// <summary>KT §4.2: the timestamps a user needs to move its view from one tree size to another.</summary>
internal static class UpdateView
{
    /// <summary>
    /// Asks for the timestamps of a first view (the new frontier) or of an update from
    /// <paramref name="previousSize"/>: the direct path of entry previousSize − 1 to its right, then the rest of the
    /// new frontier.
    /// </summary>
    public static void Run(CombinedProofSession session, ulong treeSize, ulong? previousSize)
    {
        if (previousSize is not { } m)
        {
            foreach (ulong position in ImplicitTree.Frontier(treeSize))
            {
                session.Timestamp(position);
            }

            return;
        }

        if (m == treeSize)
        {
            return;
        }

        ulong last = m - 1;
        foreach (ulong ancestor in ImplicitTree.DirectPath(m - 1, treeSize))
        {
            if (ancestor >= m)
            {
                session.Timestamp(ancestor);
                last = ancestor;
            }
        }

        for (ulong x = last; x != treeSize - 1;)
        {
            x = ImplicitTree.Right(x, treeSize);
            session.Timestamp(x);
        }
    }
}
