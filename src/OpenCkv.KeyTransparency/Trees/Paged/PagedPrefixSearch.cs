namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// A batch search (KT §12.2) of one version of a paged prefix tree, as a plan/fetch loop that keeps the core free
/// of I/O: while <see cref="PageFetchLoop.PagesNeeded"/> is not empty, the caller fetches those pages (one round trip for all
/// keys) and passes them to <see cref="PageFetchLoop.Supply"/>; then <see cref="Result"/> is the same proof
/// <see cref="PrefixTree.Search"/> gives for the same tree.
/// </summary>
public sealed class PagedPrefixSearch : PageFetchLoop
{
    private readonly IReadOnlyList<Hash32> _keys;
    private readonly PageNode? _root;
    private PrefixProof? _result;

    /// <summary>Starts a search of the version whose root page is <paramref name="rootPageId"/> (0 = the empty tree).</summary>
    public PagedPrefixSearch(ulong rootPageId, IReadOnlyList<Hash32> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > PrefixTree.MaxKeysPerProof)
        {
            throw new ArgumentException($"A prefix proof covers at most {PrefixTree.MaxKeysPerProof} keys.", nameof(keys));
        }

        _keys = keys;
        _root = rootPageId == 0 ? null : new PageLink(rootPageId, Hash32.Zero);
        Start();
    }

    /// <summary>The proof, once no pages are needed.</summary>
    public PrefixProof Result => _result ?? throw new InvalidOperationException("Pages are still needed.");

    /// <summary>Runs the search over the pages at hand; returns the missing pages, or completes the result.</summary>
    private protected override HashSet<ulong> Advance()
    {
        var missing = new HashSet<ulong>();
        var results = new PrefixSearchResult[_keys.Count];
        var elements = new List<Hash32>();
        int[] group = Enumerable.Range(0, _keys.Count).ToArray();
        Descend(_root, 0, group, results, elements, missing, isRoot: true);
        if (missing.Count == 0)
        {
            _result = new PrefixProof(results, elements);
        }

        return missing;
    }

    private void Descend(PageNode? node, int depth, Span<int> group, PrefixSearchResult[] results, List<Hash32> elements, HashSet<ulong> missing, bool isRoot = false)
    {
        if (group.IsEmpty)
        {
            if (!isRoot || node is not PageLink)
            {
                elements.Add(node?.Value ?? Hash32.Zero);
                return;
            }
        }

        switch (node)
        {
            case PageLink link:
                if (Pages.TryGetValue(link.PageId, out PrefixPage? page))
                {
                    Descend(page.Root, depth, group, results, elements, missing, isRoot);
                }
                else
                {
                    missing.Add(link.PageId);
                }

                return;
            case null:
                PrefixTree.EndAt(null, depth, _keys, group, results);
                return;
            case PageLeaf leaf:
                PrefixTree.EndAt(leaf.Leaf, depth, _keys, group, results);
                return;
            case PageParent parent:
                int split = PrefixTree.Partition(_keys, group, depth);
                Descend(parent.Left, depth + 1, group[..split], results, elements, missing);
                Descend(parent.Right, depth + 1, group[split..], results, elements, missing);
                return;
        }
    }
}
