namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>What a sweep found: the pages the kept tree versions reach, and the pages it deleted.</summary>
public sealed record PrefixSweepResult(long KeptPages, long DeletedPages);

/// <summary>
/// Reclaims the pages of prefix-tree versions a log no longer keeps (architecture draft, "Pruning": cryptographic
/// data may go once no proof needs it). Versions share unchanged pages copy-on-write, so a page of an old version
/// may still belong to a kept one: the sweep first marks every page the kept root pages reach, breadth first with
/// one batched read per level, then deletes every other page below the table's next id as it was at the start.
/// Pages that failed commits left behind are reclaimed the same way. Run it with no writer on the table; a sweep
/// cut short leaves only unreachable pages behind, and running it again finishes it.
/// </summary>
public static class PrefixPageSweep
{
    /// <summary>Ids per read and per delete.</summary>
    public const int Batch = 5_000;

    /// <summary>Keeps the pages reachable from <paramref name="keptRootPageIds"/> (0 is the empty tree) and deletes the rest.</summary>
    public static PrefixSweepResult Run(IPrefixPageTable table, IEnumerable<ulong> keptRootPageIds)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(keptRootPageIds);
        ulong end = table.NextId;
        HashSet<ulong> marked = Mark(table, keptRootPageIds);

        long deleted = 0;
        ulong from = 1;
        while (from < end)
        {
            IReadOnlyList<ulong> ids = table.IdsFrom(from, Batch);
            ulong[] unreachable = [.. ids.Where(id => id < end && !marked.Contains(id))];
            table.Delete(unreachable);
            deleted += unreachable.Length;
            if (ids.Count < Batch)
            {
                break;
            }

            from = ids[^1] + 1;
        }

        return new PrefixSweepResult(marked.Count, deleted);
    }

    /// <summary>Every page reachable from the roots, level by level.</summary>
    private static HashSet<ulong> Mark(IPrefixPageTable table, IEnumerable<ulong> roots)
    {
        var marked = new HashSet<ulong>();
        List<ulong> level = [.. roots.Where(id => id != 0 && marked.Add(id))];
        while (level.Count > 0)
        {
            var next = new List<ulong>();
            foreach (ulong[] chunk in level.Chunk(Batch))
            {
                foreach (PrefixPage page in table.Read(chunk).Values)
                {
                    CollectLinks(page.Root, marked, next);
                }
            }

            level = next;
        }

        return marked;
    }

    private static void CollectLinks(PageNode? node, HashSet<ulong> marked, List<ulong> found)
    {
        switch (node)
        {
            case PageLink link when marked.Add(link.PageId):
                found.Add(link.PageId);
                break;
            case PageParent parent:
                CollectLinks(parent.Left, marked, found);
                CollectLinks(parent.Right, marked, found);
                break;
        }
    }
}
