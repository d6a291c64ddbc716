namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// What a batched log-tree proof (KT §12.1) must let the verifier compute, and from what: the root of a tree of
/// <see cref="TreeSize"/> leaves, from the leaves whose values the verifier computed itself
/// (<see cref="KnownLeaves"/>), the full-subtree heads it retained from a tree of <see cref="RetainedSize"/>
/// leaves (0 = none), and optionally the heads needed for the root at <see cref="AuditorSize"/> (KT §12.3).
/// </summary>
public sealed class LogProofShape
{
    private readonly ulong[] _knownLeaves;

    /// <summary>Validates and normalises the inputs.</summary>
    /// <exception cref="ArgumentException">A leaf outside the tree, a retained or auditor size not below the tree size.</exception>
    public LogProofShape(ulong treeSize, IEnumerable<ulong> knownLeaves, ulong retainedSize = 0, ulong? auditorSize = null)
    {
        ArgumentNullException.ThrowIfNull(knownLeaves);
        if (treeSize == 0 || treeSize > ImplicitTree.MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, "A log tree has at least one leaf.");
        }

        _knownLeaves = knownLeaves.Distinct().Order().ToArray();
        if (_knownLeaves.Length > 0 && _knownLeaves[^1] >= treeSize)
        {
            throw new ArgumentException($"Leaf {_knownLeaves[^1]} is outside a tree of {treeSize} leaves.", nameof(knownLeaves));
        }

        if (retainedSize > treeSize)
        {
            throw new ArgumentException("The retained tree cannot be larger than the new one.", nameof(retainedSize));
        }

        if (auditorSize is { } a && (a == 0 || a > treeSize))
        {
            throw new ArgumentException("The auditor's tree size must be in [1, tree size].", nameof(auditorSize));
        }

        TreeSize = treeSize;
        RetainedSize = retainedSize;
        AuditorSize = auditorSize;
        Retained = LogRange.FullSubtrees(retainedSize);
        AuditorSubtrees = auditorSize is { } size ? LogRange.FullSubtrees(size) : [];
        NewFullSubtrees = LogRange.FullSubtrees(treeSize);
    }

    /// <summary>The size of the tree whose root is computed.</summary>
    public ulong TreeSize { get; }

    /// <summary>Leaf positions whose values the verifier supplies, ascending.</summary>
    public IReadOnlyList<ulong> KnownLeaves => _knownLeaves;

    /// <summary>The size of the tree whose full subtrees the verifier retained (0 = none).</summary>
    public ulong RetainedSize { get; }

    /// <summary>The auditor's tree size, when its root is also computed.</summary>
    public ulong? AuditorSize { get; }

    /// <summary>The retained full subtrees.</summary>
    public IReadOnlyList<LogRange> Retained { get; }

    /// <summary>The full subtrees of the auditor's tree size.</summary>
    public IReadOnlyList<LogRange> AuditorSubtrees { get; }

    /// <summary>The full subtrees of the new tree, which the verifier retains afterwards.</summary>
    public IReadOnlyList<LogRange> NewFullSubtrees { get; }

    /// <summary>The root range.</summary>
    public LogRange Root => new(0, TreeSize);

    internal bool IsKnownLeaf(ulong leaf) => Array.BinarySearch(_knownLeaves, leaf) >= 0;

    internal bool ContainsKnownLeaf(LogRange range)
    {
        int i = Array.BinarySearch(_knownLeaves, range.Start);
        if (i >= 0)
        {
            return true;
        }

        int next = ~i;
        return next < _knownLeaves.Length && _knownLeaves[next] < range.End;
    }

    internal bool IsRetained(LogRange range) => Retained.Contains(range);

    internal bool ContainsRetainedStrictly(LogRange range) => Retained.Any(r => r != range && range.Contains(r));

    internal bool ContainsAuditorSubtreeStrictly(LogRange range) => AuditorSubtrees.Any(r => r != range && range.Contains(r));
}
