namespace OpenCkv.KeyTransparency.Trees;

public sealed partial class PrefixTree
{
    /// <summary>The ceiling on keys per proof: <c>PrefixProof.results&lt;0..2^8-1&gt;</c>.</summary>
    public const int MaxKeysPerProof = PrefixProof.MaxResults;

    /// <summary>
    /// Searches for every key at once (KT §12.2): one result per key in the order given, and one shared list of
    /// copath values, left to right, with 32 zero bytes for a missing node.
    /// </summary>
    public PrefixProof Search(IReadOnlyList<Hash32> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > MaxKeysPerProof)
        {
            throw new ArgumentException($"A prefix proof covers at most {MaxKeysPerProof} keys.", nameof(keys));
        }

        var results = new PrefixSearchResult[keys.Count];
        var elements = new List<Hash32>();
        int[] order = Enumerable.Range(0, keys.Count).ToArray();
        Descend(_root, 0, keys, order, results, elements);
        return new PrefixProof(results, elements);
    }

    /// <summary>The value stored for <paramref name="key"/>, or null.</summary>
    public PrefixLeaf? Find(Hash32 key)
    {
        PrefixNode? node = _root;
        for (int depth = 0; node is PrefixParentNode parent; depth++)
        {
            node = KeyBits.Bit(key.Span, depth) == 0 ? parent.Left : parent.Right;
        }

        return node is PrefixLeafNode leaf && leaf.Leaf.VrfOutput == key ? leaf.Leaf : null;
    }

    private static void Descend(
        PrefixNode? node, int depth, IReadOnlyList<Hash32> keys, Span<int> group, PrefixSearchResult[] results, List<Hash32> elements)
    {
        if (group.IsEmpty)
        {
            // No search goes below here: the node is part of the copath.
            elements.Add(node?.Value ?? Hash32.Zero);
            return;
        }

        switch (node)
        {
            case null:
                EndAt(null, depth, keys, group, results);
                return;
            case PrefixLeafNode leaf:
                EndAt(leaf.Leaf, depth, keys, group, results);
                return;
            case PrefixParentNode parent:
                int split = Partition(keys, group, depth);
                Descend(parent.Left, depth + 1, keys, group[..split], results, elements);
                Descend(parent.Right, depth + 1, keys, group[split..], results, elements);
                return;
        }
    }

    /// <summary>
    /// Records where the searches of <paramref name="group"/> end: at a leaf (inclusion, or non-inclusion carrying
    /// the leaf) or, when <paramref name="leaf"/> is null, at the stand-in of a missing node.
    /// </summary>
    internal static void EndAt(PrefixLeaf? leaf, int depth, IReadOnlyList<Hash32> keys, Span<int> group, PrefixSearchResult[] results)
    {
        foreach (int i in group)
        {
            results[i] = leaf is null
                ? PrefixSearchResult.Create(PrefixSearchResultType.NonInclusionParent, null, (byte)depth)
                : leaf.VrfOutput == keys[i]
                    ? PrefixSearchResult.Create(PrefixSearchResultType.Inclusion, null, (byte)depth)
                    : PrefixSearchResult.Create(PrefixSearchResultType.NonInclusionLeaf, leaf, (byte)depth);
        }
    }

    /// <summary>Stable partition of key indices by bit <paramref name="depth"/>: zeros first. Returns the count of zeros.</summary>
    internal static int Partition(IReadOnlyList<Hash32> keys, Span<int> group, int depth)
    {
        int[] copy = group.ToArray();
        int zeros = 0;
        foreach (int i in copy)
        {
            if (KeyBits.Bit(keys[i].Span, depth) == 0)
            {
                group[zeros++] = i;
            }
        }

        int ones = zeros;
        foreach (int i in copy)
        {
            if (KeyBits.Bit(keys[i].Span, depth) == 1)
            {
                group[ones++] = i;
            }
        }

        return zeros;
    }
}
