using OpenCkv.Crypto.Hashing;

namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// A batch insert into a paged prefix tree, as a plan/fetch loop like <see cref="PagedPrefixSearch"/>: first the
/// pages on the new keys' paths are fetched, level by level; then the new version is computed purely — every
/// touched node hashed once — and cut into new pages, reusing every untouched page by id. The resulting root equals
/// <see cref="PrefixTree.Insert"/>'s for the same leaves.
/// </summary>
public sealed class PagedPrefixInsert : PageFetchLoop
{
    private readonly PageNode? _root;
    private readonly PrefixLeafNode[] _sorted;
    private readonly TreeHasher _hasher;
    private readonly int _levelsPerPage;
    private PagedInsertResult? _result;
    private ulong _nextPageId;

    /// <summary>
    /// Starts inserting <paramref name="leaves"/> into the version whose root page is <paramref name="rootPageId"/>
    /// (0 = empty); new pages get ids from <paramref name="firstNewPageId"/> upwards and hold
    /// <paramref name="levelsPerPage"/> levels (one value for the life of a tree).
    /// </summary>
    /// <exception cref="ArgumentException">A key repeats within the batch (a key already in the tree is found later).</exception>
    public PagedPrefixInsert(
        ulong rootPageId, IReadOnlyCollection<PrefixLeaf> leaves, TreeHasher hasher, ulong firstNewPageId, int levelsPerPage = PrefixPage.DefaultLevelsPerPage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levelsPerPage, 1);
        _levelsPerPage = levelsPerPage;
        ArgumentNullException.ThrowIfNull(leaves);
        _hasher = hasher ?? throw new ArgumentNullException(nameof(hasher));
        _root = rootPageId == 0 ? null : new PageLink(rootPageId, Hash32.Zero);
        _nextPageId = firstNewPageId;
        _sorted = leaves
            .Select(l => new PrefixLeafNode(l, LeafValue(l)))
            .ToArray();
        Array.Sort(_sorted, PrefixTree.CompareKeys);
        for (int i = 1; i < _sorted.Length; i++)
        {
            if (_sorted[i].Leaf.VrfOutput == _sorted[i - 1].Leaf.VrfOutput)
            {
                throw new ArgumentException($"Key {_sorted[i].Leaf.VrfOutput} appears twice in the batch.", nameof(leaves));
            }
        }

        Start();
    }

    /// <summary>The new version: its root page id and value, and the pages to store.</summary>
    public PagedInsertResult Result => _result ?? throw new InvalidOperationException("Pages are still needed.");

    private protected override HashSet<ulong> Advance()
    {
        var missing = new HashSet<ulong>();
        FindMissing(_root, _sorted, missing);
        if (_sorted.Length == 0 && _root is PageLink rootLink && !Pages.ContainsKey(rootLink.PageId))
        {
            missing.Add(rootLink.PageId); // nothing to insert, but the root page holds the root value
        }

        if (missing.Count == 0)
        {
            PageNode? root = Insert(_root, 0, _sorted);
            var written = new List<PrefixPage>();
            _result = root switch
            {
                null => new PagedInsertResult(0, Hash32.Zero, written),
                PageLink link => new PagedInsertResult(link.PageId, Pages[link.PageId].Root.Value, written),
                _ => NewRootPage(root, written),
            };

            // Every page read lies on a new key's path, so the new version holds a new copy of each in its place.
            _result = _result with { Replaced = _sorted.Length == 0 ? [] : [.. Pages.Keys] };
        }

        return missing;
    }

    private PagedInsertResult NewRootPage(PageNode root, List<PrefixPage> written)
    {
        ulong id = _nextPageId++;
        written.Add(new PrefixPage(id, 0, Cut(root, 0, 0, written)!));
        return new PagedInsertResult(id, root.Value, written);
    }

    /// <summary>Collects the pages the insertion must read: those on the paths of the new keys.</summary>
    private void FindMissing(PageNode? node, ReadOnlySpan<PrefixLeafNode> batch, HashSet<ulong> missing, int depth = 0)
    {
        if (batch.IsEmpty)
        {
            return;
        }

        switch (node)
        {
            case PageLink link when Pages.TryGetValue(link.PageId, out PrefixPage? page):
                FindMissing(page.Root, batch, missing, depth);
                break;
            case PageLink link:
                missing.Add(link.PageId);
                break;
            case PageParent parent:
                int split = PrefixTree.SplitPoint(batch, depth);
                FindMissing(parent.Left, batch[..split], missing, depth + 1);
                FindMissing(parent.Right, batch[split..], missing, depth + 1);
                break;
        }
    }

    /// <summary>The new subtree at <paramref name="depth"/>: untouched subtrees are returned as they are.</summary>
    private PageNode? Insert(PageNode? node, int depth, ReadOnlySpan<PrefixLeafNode> batch)
    {
        if (batch.IsEmpty)
        {
            return node;
        }

        switch (node)
        {
            case null:
                return Build(depth, batch);
            case PageLink link:
                return Insert(Pages[link.PageId].Root, depth, batch);
            case PageLeaf existing:
                foreach (PrefixLeafNode added in batch)
                {
                    if (added.Leaf.VrfOutput == existing.Leaf.VrfOutput)
                    {
                        throw new ArgumentException($"Key {existing.Leaf.VrfOutput} is already in the tree.", nameof(batch));
                    }
                }

                return Build(depth, PrefixTree.Merge(new PrefixLeafNode(existing.Leaf, existing.Value), batch));
            case PageParent parent:
                int split = PrefixTree.SplitPoint(batch, depth);
                return NewParent(Insert(parent.Left, depth + 1, batch[..split]), Insert(parent.Right, depth + 1, batch[split..]));
            default:
                throw new InvalidOperationException("Unknown node type.");
        }
    }

    private PageNode Build(int depth, ReadOnlySpan<PrefixLeafNode> leaves)
    {
        if (leaves.Length == 1)
        {
            return new PageLeaf(leaves[0].Leaf, leaves[0].Value);
        }

        if (depth >= PrefixTree.MaxLeafDepth)
        {
            throw new ArgumentException("Two keys share 255 leading bits.", nameof(leaves));
        }

        int split = PrefixTree.SplitPoint(leaves, depth);
        return NewParent(
            split == 0 ? null : Build(depth + 1, leaves[..split]),
            split == leaves.Length ? null : Build(depth + 1, leaves[split..]));
    }

    /// <summary>Copies the nodes of a page rooted at <paramref name="pageDepth"/>; changed subtrees that start at
    /// the page's lower boundary become new pages, untouched ones stay links.</summary>
    private PageNode? Cut(PageNode? node, int depth, int pageDepth, List<PrefixPage> written)
    {
        if (node is null or PageLink)
        {
            return node;
        }

        if (depth == pageDepth + _levelsPerPage)
        {
            ulong id = _nextPageId++;
            written.Add(new PrefixPage(id, depth, Cut(node, depth, depth, written)!));
            return new PageLink(id, node.Value);
        }

        return node is PageParent parent
            ? parent with { Left = Cut(parent.Left, depth + 1, pageDepth, written), Right = Cut(parent.Right, depth + 1, pageDepth, written) }
            : node;
    }

    private PageParent NewParent(PageNode? left, PageNode? right)
    {
        Span<byte> value = stackalloc byte[Hash32.Size];
        _hasher.PrefixParent((left?.Value ?? Hash32.Zero).Span, (right?.Value ?? Hash32.Zero).Span, value);
        return new PageParent(left, right, Hash32.From(value));
    }

    private Hash32 LeafValue(PrefixLeaf leaf)
    {
        Span<byte> value = stackalloc byte[Hash32.Size];
        _hasher.PrefixLeaf(leaf.VrfOutput.Span, leaf.Commitment.Span, value);
        return Hash32.From(value);
    }
}

/// <summary>A new paged version: its root page (0 when empty), root value, and the pages to write.</summary>
public sealed record PagedInsertResult(ulong RootPageId, Hash32 Root, IReadOnlyList<PrefixPage> NewPages)
{
    /// <summary>The pages of the old version that the new one holds new copies of: older versions still read them, the new one never does.</summary>
    public IReadOnlyList<ulong> Replaced { get; init; } = [];
}
