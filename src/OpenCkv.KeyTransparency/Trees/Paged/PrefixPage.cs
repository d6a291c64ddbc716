namespace OpenCkv.KeyTransparency.Trees.Paged;

/// <summary>
/// A stored unit of the prefix tree, designed for a database row: the nodes at depths [Depth, Depth + L) below one
/// node at <see cref="Depth"/> (a multiple of the tree's levels per page L, by default
/// <see cref="DefaultLevelsPerPage"/>), with each non-empty subtree that starts at Depth + L referenced by its page
/// id and value, so copath values never need the deeper page. Pages are
/// immutable: a batch that changes a page writes a new one with a new id, and every older tree version keeps
/// reading the pages it had.
/// </summary>
public sealed record PrefixPage(ulong Id, int Depth, PageNode Root)
{
    /// <summary>Default levels per page: a search of a million keys (about 21 levels) touches three pages per key.</summary>
    public const int DefaultLevelsPerPage = 8;
}

/// <summary>A node inside a page.</summary>
public abstract record PageNode(Hash32 Value);

/// <summary>A leaf: a search key and its commitment.</summary>
public sealed record PageLeaf(PrefixLeaf Leaf, Hash32 Value) : PageNode(Value);

/// <summary>A parent; a null child is a missing node (32 zero bytes).</summary>
public sealed record PageParent(PageNode? Left, PageNode? Right, Hash32 Value) : PageNode(Value);

/// <summary>The root of a deeper page, by id, with its value.</summary>
public sealed record PageLink(ulong PageId, Hash32 Value) : PageNode(Value);
