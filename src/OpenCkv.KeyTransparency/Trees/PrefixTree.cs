using OpenCkv.Crypto.Hashing;

namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// One version of the prefix tree (KT §3.3), keyed by 256-bit VRF outputs, immutable: <see cref="Insert"/> returns
/// a new version that shares every unchanged node with this one, so each log entry can keep its own version.
/// A leaf sits at the shallowest depth where no other key shares its prefix; parents exist only above two or more
/// keys, with a missing child standing in as 32 zero bytes. The empty tree's root is 32 zero bytes and a one-leaf
/// tree's root is that leaf's value (docs/protocol-notes.md).
/// </summary>
public sealed partial class PrefixTree
{
    /// <summary>Keys differing only in their last bit would need a leaf at depth 256, which a uint8 depth cannot
    /// express (KT §12.2); such a second key is refused. For VRF outputs this happens with probability 2^-255.</summary>
    public const int MaxLeafDepth = byte.MaxValue;

    private readonly PrefixNode? _root;
    private readonly TreeHasher _hasher;

    private PrefixTree(PrefixNode? root, int count, TreeHasher hasher)
    {
        _root = root;
        Count = count;
        _hasher = hasher;
    }

    /// <summary>A tree over nodes built elsewhere (a snapshot loader); the caller vouches for their values.</summary>
    internal static PrefixTree FromRoot(PrefixNode? root, int count, TreeHasher hasher) => new(root, count, hasher);

    /// <summary>The root node, null for the empty tree.</summary>
    internal PrefixNode? RootNode => _root;

    /// <summary>An empty tree.</summary>
    public static PrefixTree Empty(TreeHasher hasher) => new(null, 0, hasher ?? throw new ArgumentNullException(nameof(hasher)));

    /// <summary>The number of leaves.</summary>
    public int Count { get; }

    /// <summary>The root value; 32 zero bytes for the empty tree.</summary>
    public Hash32 Root => _root?.Value ?? Hash32.Zero;

    /// <summary>
    /// A new version with <paramref name="leaves"/> added in one batch: every touched node is hashed once.
    /// </summary>
    /// <exception cref="ArgumentException">A key is already present or repeated in the batch.</exception>
    public PrefixTree Insert(IReadOnlyCollection<PrefixLeaf> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count == 0)
        {
            return this;
        }

        PrefixLeafNode[] sorted = leaves.Select(l => new PrefixLeafNode(l, LeafValue(l))).ToArray();
        Array.Sort(sorted, CompareKeys);
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Leaf.VrfOutput == sorted[i - 1].Leaf.VrfOutput)
            {
                throw new ArgumentException($"Key {sorted[i].Leaf.VrfOutput} appears twice in the batch.", nameof(leaves));
            }
        }

        PrefixNode? root = InsertInto(_root, 0, sorted);
        return new PrefixTree(root, Count + sorted.Length, _hasher);
    }

    private PrefixNode? InsertInto(PrefixNode? node, int depth, ReadOnlySpan<PrefixLeafNode> batch)
    {
        if (batch.IsEmpty)
        {
            return node;
        }

        switch (node)
        {
            case null:
                return Build(depth, batch);
            case PrefixLeafNode existing:
                foreach (PrefixLeafNode added in batch)
                {
                    if (added.Leaf.VrfOutput == existing.Leaf.VrfOutput)
                    {
                        throw new ArgumentException($"Key {existing.Leaf.VrfOutput} is already in the tree.", nameof(batch));
                    }
                }

                return Build(depth, Merge(existing, batch));
            case PrefixParentNode parent:
                int split = SplitPoint(batch, depth);
                return NewParent(
                    InsertInto(parent.Left, depth + 1, batch[..split]),
                    InsertInto(parent.Right, depth + 1, batch[split..]));
            default:
                throw new InvalidOperationException("Unknown node type.");
        }
    }

    /// <summary>The subtree holding exactly these leaves (sorted by key, sharing their first depth bits).</summary>
    private PrefixNode Build(int depth, ReadOnlySpan<PrefixLeafNode> leaves)
    {
        if (leaves.Length == 1)
        {
            return leaves[0];
        }

        if (depth >= MaxLeafDepth)
        {
            throw new ArgumentException(
                $"Keys {leaves[0].Leaf.VrfOutput} and {leaves[1].Leaf.VrfOutput} share {MaxLeafDepth} leading bits.", nameof(leaves));
        }

        int split = SplitPoint(leaves, depth);
        return NewParent(
            split == 0 ? null : Build(depth + 1, leaves[..split]),
            split == leaves.Length ? null : Build(depth + 1, leaves[split..]));
    }

    private PrefixParentNode NewParent(PrefixNode? left, PrefixNode? right)
    {
        Span<byte> value = stackalloc byte[Hash32.Size];
        _hasher.PrefixParent((left?.Value ?? Hash32.Zero).Span, (right?.Value ?? Hash32.Zero).Span, value);
        return new PrefixParentNode(left, right, Hash32.From(value));
    }

    private Hash32 LeafValue(PrefixLeaf leaf)
    {
        Span<byte> value = stackalloc byte[Hash32.Size];
        _hasher.PrefixLeaf(leaf.VrfOutput.Span, leaf.Commitment.Span, value);
        return Hash32.From(value);
    }

    /// <summary>The index of the first leaf whose key has a 1 at bit <paramref name="depth"/> (leaves are sorted).</summary>
    internal static int SplitPoint(ReadOnlySpan<PrefixLeafNode> sorted, int depth)
    {
        int i = 0;
        while (i < sorted.Length && KeyBits.Bit(sorted[i].Leaf.VrfOutput.Span, depth) == 0)
        {
            i++;
        }

        return i;
    }

    /// <summary>Places one leaf into a sorted batch, keeping search-key order.</summary>
    internal static PrefixLeafNode[] Merge(PrefixLeafNode existing, ReadOnlySpan<PrefixLeafNode> batch)
    {
        var merged = new PrefixLeafNode[batch.Length + 1];
        int at = 0;
        bool placed = false;
        foreach (PrefixLeafNode added in batch)
        {
            if (!placed && CompareKeys(existing, added) < 0)
            {
                merged[at++] = existing;
                placed = true;
            }

            merged[at++] = added;
        }

        if (!placed)
        {
            merged[at] = existing;
        }

        return merged;
    }

    /// <summary>Search-key order: the keys' bytes compared as big-endian numbers, which is bit order.</summary>
    internal static int CompareKeys(PrefixLeafNode a, PrefixLeafNode b) => a.Leaf.VrfOutput.Span.SequenceCompareTo(b.Leaf.VrfOutput.Span);
}
